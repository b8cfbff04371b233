import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** Sidecar events that are status changes (not the minute-by-minute `openclaw.state`). */
const STATUS_EVENTS = [
  'openclaw.up',
  'openclaw.down',
  'openclaw.absent',
  'openclaw.restarted',
  'agent.paused',
  'agent.resumed',
  'sidecar.started',
  'change.rolled_back',
  'change.rollback_failed',
];

/** Status changes of the instance, as its sidecar reported them. */
export const statusSource: TimelineSource = {
  kind: 'status',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId, STATUS_EVENTS];
    const rows = await query.q.query(
      `SELECT t, type, severity, message FROM events
       WHERE instance_id = $1 AND type = ANY($2) AND ${windowSql('t', query, args)}
       ORDER BY t DESC, type DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => ({
      // Events have no id: time and type name one (two of a type in the same millisecond are one).
      id: `status:${new Date(r.t as string).getTime()}:${r.type}`,
      t: iso(r.t),
      kind: 'status',
      title: String(r.message || r.type),
      actor: 'instance',
      status: String(r.type),
      detail: { type: r.type, severity: r.severity },
      link: null,
    }));
  },
};
