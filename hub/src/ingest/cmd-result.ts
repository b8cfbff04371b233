import type { IngestDeps } from './deps.js';
import type { StreamWriter } from './types.js';

/** cmd-result -> command state changes, applied by the commands module in the same transaction. [SPEC 6.4] */
export function cmdResultWriter(deps: IngestDeps): StreamWriter<'cmd-result'> {
  return {
    async write(q, items) {
      const byInstance = new Map<string, (typeof items)[number]['message'][]>();
      for (const m of items) byInstance.set(m.instanceId, [...(byInstance.get(m.instanceId) ?? []), m.message]);
      const after: (() => void)[] = [];
      for (const [id, reports] of byInstance) {
        const done = await deps.commands.apply(q, id, reports);
        if (done) after.push(done);
      }
      return () => {
        for (const f of after) f();
      };
    },
  };
}
