import { type InstanceEvent, type OpenclawState, openclawStateSchema } from '@deepsignal/protocol';
import { rooms } from '../live/sink.js';
import type { IngestDeps } from './deps.js';
import type { StreamWriter } from './types.js';

/**
 * events -> events. The newest valid `openclaw.state` per instance is also kept on the instance
 * row and in the fleet snapshot [SPEC 5.6]; an invalid state payload is stored as an event only.
 */
export function eventsWriter(deps: IngestDeps): StreamWriter<'events'> {
  return {
    async write(q, items) {
      const rows: unknown[][] = [];
      const byInstance = new Map<string, InstanceEvent[]>();
      const states = new Map<string, { t: number; state: OpenclawState }>();
      for (const m of items) {
        for (const e of m.message.events) {
          rows.push([m.instanceId, new Date(e.t), e.type, e.severity, e.message, e.data ?? null]);
          if (e.type === 'openclaw.state') {
            const s = openclawStateSchema.safeParse(e.data);
            const prev = states.get(m.instanceId);
            if (s.success && (!prev || prev.t <= e.t)) states.set(m.instanceId, { t: e.t, state: s.data });
          }
        }
        byInstance.set(m.instanceId, [...(byInstance.get(m.instanceId) ?? []), ...m.message.events]);
      }
      await q.bulkInsert('events', ['instance_id', 't', 'type', 'severity', 'message', 'data'], rows);
      if (states.size) {
        // One statement, rows locked in id order: the fleet's last-seen update locks the same
        // rows in that order too, so the two cannot deadlock when thousands connect at once.
        const ids = [...states.keys()].sort();
        await q.query(
          `WITH u AS (SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[]) AS u(id, state, version)),
             l AS (SELECT i.id FROM instances i WHERE i.id IN (SELECT id FROM u) ORDER BY i.id FOR UPDATE)
           UPDATE instances i SET openclaw = u.state, openclaw_version = COALESCE(u.version, i.openclaw_version)
           FROM u WHERE i.id = u.id AND i.id IN (SELECT id FROM l)`,
          [
            ids,
            ids.map((id) => JSON.stringify(states.get(id)?.state)),
            ids.map((id) => states.get(id)?.state.version ?? null),
          ],
        );
      }
      return () => {
        for (const [id, events] of byInstance)
          deps.live().emit([rooms.instance(id)], 'events', { instanceId: id, events });
        for (const [id, s] of states) deps.fleet.setOpenclaw(id, s.state);
      };
    },
  };
}
