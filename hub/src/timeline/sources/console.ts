import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** Console sessions, with a link to their recording. Never shown to the client's people. */
export const consoleSource: TimelineSource = {
  kind: 'console',
  clientVisible: false,
  async fetch(query) {
    const args: unknown[] = [query.instanceId];
    const rows = await query.q.query(
      `SELECT cs.id, cs.status, cs.created_at, cs.closed_at, cs.exit_code, cs.reason, cs.bytes_out, cs.recording,
              u.email FROM console_sessions cs LEFT JOIN users u ON u.id = cs.user_id
       WHERE cs.instance_id = $1 AND ${windowSql('cs.created_at', query, args)}
       ORDER BY cs.created_at DESC, cs.id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => ({
      id: `console:${r.id}`,
      t: iso(r.created_at),
      kind: 'console',
      title: `console session ${r.status}`,
      actor: r.email ? `user:${r.email}` : null,
      status: String(r.status),
      detail: {
        sessionId: r.id,
        closedAt: r.closed_at ? iso(r.closed_at) : null,
        exitCode: r.exit_code ?? null,
        reason: r.reason ?? null,
        bytesOut: Number(r.bytes_out ?? 0),
      },
      link: r.recording ? `/api/v1/instances/${query.instanceId}/console/${r.id}/recording` : null,
    }));
  },
};
