import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** Alert states worth a line: going pending → inactive is a blip nobody was told about. */
const SHOWN_STATES = ['firing', 'resolved', 'nodata'];

/** Alerts about the instance firing and resolving (alert_history, with the alert's summary). */
export const alertsSource: TimelineSource = {
  kind: 'alert',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId, SHOWN_STATES];
    const rows = await query.q.query(
      `SELECT h.id, h.alert_id, h.rule_id, h.from_state, h.to_state, h.value, h.t,
              a.severity, a.annotations, a.acked_by, r.name AS rule_name
       FROM alert_history h
       LEFT JOIN alert_instances a ON a.id = h.alert_id
       LEFT JOIN alert_rules r ON r.id = h.rule_id
       WHERE h.instance_id = $1 AND h.to_state = ANY($2) AND ${windowSql('h.t', query, args)}
       ORDER BY h.t DESC, h.id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => {
      const summary = (r.annotations as Record<string, string> | null)?.summary;
      const name = String(r.rule_name ?? r.rule_id);
      return {
        id: `alert:${String(r.id).padStart(12, '0')}`,
        t: iso(r.t),
        kind: 'alert',
        title: `${name} ${r.to_state}${summary && r.to_state === 'firing' ? `: ${summary}` : ''}`,
        actor: 'system',
        status: String(r.to_state),
        detail: {
          alertId: r.alert_id,
          ruleId: r.rule_id,
          severity: r.severity ?? null,
          value: r.value === null ? null : Number(r.value),
          from: r.from_state,
        },
        link: `/api/v1/alerts/${r.alert_id}`,
      };
    });
  },
};
