import type { LogLine } from '@deepsignal/protocol';
import { rooms } from '../live/sink.js';
import type { IngestDeps } from './deps.js';
import type { StreamWriter } from './types.js';

/** logs -> log_lines; the committed lines go to the instance's live room. [SPEC 5.4] */
export function logsWriter(deps: IngestDeps): StreamWriter<'logs'> {
  return {
    async write(q, items) {
      const rows: unknown[][] = [];
      const byInstance = new Map<string, LogLine[]>();
      for (const m of items) {
        for (const l of m.message.lines) rows.push([m.instanceId, new Date(l.t), l.level, l.subsystem, l.msg]);
        byInstance.set(m.instanceId, [...(byInstance.get(m.instanceId) ?? []), ...m.message.lines]);
      }
      await q.bulkInsert('log_lines', ['instance_id', 't', 'level', 'subsystem', 'msg'], rows);
      return () => {
        for (const [id, lines] of byInstance) deps.live().emit([rooms.instance(id)], 'logs', { instanceId: id, lines });
      };
    },
  };
}
