import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';
import { SERVER_ACTIONS } from './deploys.js';

/**
 * Audit entries about the instance (its creation, commands on it, …): the operator's record.
 * Server actions are left to the deploy source, which shows them to the client too.
 */
export const auditSource: TimelineSource = {
  kind: 'audit',
  clientVisible: false,
  async fetch(query) {
    const args: unknown[] = [query.instanceId, Object.keys(SERVER_ACTIONS)];
    const rows = await query.q.query(
      `SELECT id, created_at, actor, action, target, detail FROM audit_log
       WHERE (target = $1 OR detail->>'instanceId' = $1
              OR target IN (SELECT id FROM commands WHERE instance_id = $1))
         AND action <> ALL($2) AND ${windowSql('created_at', query, args)}
       ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => ({
      id: `audit:${String(r.id).padStart(12, '0')}`,
      t: iso(r.created_at),
      kind: 'audit',
      title: String(r.action),
      actor: String(r.actor),
      status: null,
      detail: { target: r.target ?? null, ...((r.detail as Record<string, unknown> | null) ?? {}) },
      link: null,
    }));
  },
};
