import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** What the operator did to the instance's server after its deploy (audited by the deployments routes). */
export const SERVER_ACTIONS: Record<string, string> = {
  'instance.server_pause': 'server paused to a snapshot',
  'instance.server_resume': 'server resume requested',
  'instance.server_resize': 'server resize requested',
  'instance.server_move': 'server move requested',
};

const seconds = (from: unknown, to: unknown) =>
  to ? Math.round((new Date(to as string).getTime() - new Date(from as string).getTime()) / 1000) : null;

/** Deploys and resumes of the instance's server (with how long they took), and what was done to it since. */
export const deploysSource: TimelineSource = {
  kind: 'deploy',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId];
    const deploys = await query.q.query(
      `SELECT id, kind, status, location, server_type, server_name, monthly_price, error, created_by, created_at, finished_at
       FROM deployments WHERE instance_id = $1 AND ${windowSql('created_at', query, args)}
       ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`,
      args,
    );
    const args2: unknown[] = [query.instanceId, Object.keys(SERVER_ACTIONS)];
    const actions = await query.q.query(
      `SELECT id, created_at, actor, action, detail FROM audit_log
       WHERE target = $1 AND action = ANY($2) AND ${windowSql('created_at', query, args2)}
       ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`,
      args2,
    );
    return [
      ...deploys.map((r) => {
        const took = seconds(r.created_at, r.finished_at);
        const error = r.error as { step: string; message: string } | null;
        return {
          id: `deploy:${r.id}`,
          t: iso(r.created_at),
          kind: 'deploy',
          title:
            `${r.kind === 'resume' || r.kind === 'replace' ? r.kind : 'deploy'} to ${r.server_type} in ${r.location}: ${r.status}` +
            (r.status === 'live' && took !== null ? ` in ${took} s` : '') +
            (error ? ` at ${error.step} (${error.message})` : ''),
          actor: String(r.created_by),
          status: String(r.status),
          detail: {
            deploymentId: r.id,
            serverName: r.server_name,
            serverType: r.server_type,
            location: r.location,
            monthlyPrice: r.monthly_price === null ? null : Number(r.monthly_price),
            seconds: took,
          },
          link: `/api/v1/deployments/${r.id}`,
        };
      }),
      ...actions.map((r) => ({
        id: `deploy:audit:${String(r.id).padStart(12, '0')}`,
        t: iso(r.created_at),
        kind: 'deploy',
        title: SERVER_ACTIONS[String(r.action)] ?? String(r.action),
        actor: String(r.actor),
        status: null,
        detail: (r.detail as Record<string, unknown> | null) ?? null,
        link: null,
      })),
    ];
  },
};
