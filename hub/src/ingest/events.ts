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
      for (const [id, s] of states) {
        await q.query(
          'UPDATE instances SET openclaw = $2, openclaw_version = COALESCE($3, openclaw_version) WHERE id = $1',
          [id, JSON.stringify(s.state), s.state.version ?? null],
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
