import { describe, expect, it } from 'vitest';
import type { RaisedEvent } from '../types.js';
import { createProcessCollector, isGateway, type ProcessIo } from './index.js';

function fake(table: Map<number, string>): ProcessIo {
  return {
    pids: () => [...table.keys()],
    cmdline: (p) => {
      const c = table.get(p);
      if (c === undefined) throw new Error('ENOENT');
      return c;
    },
    usage: async (p) => {
      if (!table.has(p)) throw new Error('No matching pid found');
      return { cpu: 50, memory: 1_000_000_000 + p };
    },
    cores: 2,
  };
}

describe('process collector', () => {
  it('recognises the gateway command line', () => {
    expect(isGateway('openclaw-gateway')).toBe(true);
    expect(isGateway('/usr/bin/node /usr/lib/node_modules/openclaw/openclaw.mjs gateway run --port 18789')).toBe(true);
    expect(isGateway('node openclaw.mjs gateway status')).toBe(false);
    expect(isGateway('vim openclaw.json')).toBe(false);
  });

  it('reports cpu as % of all cores and rss, null when absent, and a restart when the pid changes', async () => {
    const table = new Map([
      [10, 'bash'],
      [20, 'openclaw-gateway'],
    ]);
    const events: RaisedEvent[] = [];
    const c = createProcessCollector(
      { emit: { event: (e) => events.push(e), logLines: () => {}, conversations: () => {} } },
      fake(table),
    );
    expect(await c.sample!(100_000)).toEqual({ openclaw: { pid: 20, cpu: 25, rss: 1_000_000_020 } });
    table.delete(20);
    table.set(30, 'openclaw-gateway');
    expect(await c.sample!(101_000)).toEqual({ openclaw: { pid: 30, cpu: 25, rss: 1_000_000_030 } });
    expect(events.map((e) => e.type)).toEqual(['openclaw.restarted']);
    table.delete(30);
    expect(await c.sample!(102_000)).toEqual({ openclaw: null });
  });
});
