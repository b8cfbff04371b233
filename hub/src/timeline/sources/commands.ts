import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** Commands the client's people see on their timeline (the rest is the operator's plumbing). */
const CLIENT_TYPES = new Set([
  'openclaw.restart',
  'openclaw.update',
  'sidecar.update',
  'agent.pause',
  'agent.resume',
  'model.set',
  'config.apply',
  'backup.create',
  'backup.restore',
  'change.rollback',
]);

/** Every command with its state and who issued it. */
export const commandsSource: TimelineSource = {
  kind: 'command',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId, query.client, [...CLIENT_TYPES]];
    const rows = await query.q.query(
      `SELECT id, type, status, issued_by, issued_at, updated_at, error, rollout_id FROM commands
       WHERE instance_id = $1 AND ($2::boolean IS FALSE OR type = ANY($3))
         AND ${windowSql('issued_at', query, args)}
       ORDER BY issued_at DESC, id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => ({
      id: `command:${r.id}`,
      t: iso(r.issued_at),
      kind: 'command',
      title: `${r.type} ${r.status}`,
      actor: String(r.issued_by),
      status: String(r.status),
      detail: {
        commandId: r.id,
        type: r.type,
        updatedAt: iso(r.updated_at),
        ...(r.error ? { error: r.error } : {}),
        ...(r.rollout_id ? { rolloutId: r.rollout_id } : {}),
      },
      link: `/api/v1/commands/${r.id}`,
    }));
  },
};
