/** The dashboard's pure logic: health rules, fleet filtering, batching, usage, export, parsing. */
import { describe, expect, it } from 'vitest';
import { usageLevel } from '../lib/billing.js';
import { conversationsToCsv } from '../lib/export.js';
import { applyFleetQuery, DEFAULT_QUERY, fleetSummary } from '../lib/fleet-filter.js';
import { FleetStore } from '../lib/fleet-store.js';
import { createFrameBatcher } from '../lib/frame-batcher.js';
import { healthOf } from '../lib/health.js';
import { mergeSeries } from '../lib/metric-series.js';
import { parsePrometheus } from '../lib/prometheus.js';
import type { Instance } from '../lib/types.js';

const inst = (id: string, over: Partial<Instance> = {}): Instance => ({
  id,
  clientId: 'c1',
  hostname: `host-${id}`,
  status: 'online',
  lastSeen: new Date().toISOString(),
  metrics: { cpu: 10, memory: 20, disk: 30 },
  openclaw: { present: true, up: true, ready: true, version: '2026.9.6', model: 'anthropic/claude' },
  ...over,
});

describe('health rules', () => {
  it('is green when online with OpenClaw up and resources below the thresholds', () => {
    expect(healthOf(inst('a'))).toEqual({ health: 'green', reasons: [] });
  });
  it('is red when offline, in error, or OpenClaw is down', () => {
    expect(healthOf(inst('a', { status: 'offline' })).health).toBe('red');
    expect(healthOf(inst('a', { status: 'error' })).health).toBe('red');
    expect(healthOf(inst('a', { openclaw: { present: true, up: false } })).reasons).toContain('OpenClaw down');
  });
  it('is yellow on warning thresholds, paused or absent OpenClaw; red on critical ones', () => {
    expect(healthOf(inst('a', { metrics: { cpu: 90 } })).health).toBe('yellow');
    expect(healthOf(inst('a', { metrics: { disk: 96 } })).health).toBe('red');
    expect(healthOf(inst('a', { metrics: { error_rate: 25 } })).health).toBe('red');
    expect(healthOf(inst('a', { status: 'paused' })).health).toBe('yellow');
    expect(healthOf(inst('a', { openclaw: { present: false, up: false } })).reasons).toEqual(['OpenClaw absent']);
  });
  it('ignores stale resource figures of an offline instance', () => {
    expect(healthOf(inst('a', { status: 'offline', metrics: { cpu: 99 } })).reasons).toEqual(['offline']);
  });
});

describe('fleet query', () => {
  const list = [
    inst('1', { hostname: 'beta', metrics: { cpu: 50 } }),
    inst('2', { hostname: 'alpha', status: 'offline', clientId: 'c2' }),
    inst('3', { hostname: 'gamma', metrics: { cpu: 90 }, openclaw: { present: true, up: true, version: '2026.8.1' } }),
  ];
  const names = new Map([
    ['c1', 'Acme'],
    ['c2', 'Globex'],
  ]);
  it('sorts worst first by default, then by name', () => {
    expect(applyFleetQuery(list, DEFAULT_QUERY, names).map((i) => i.hostname)).toEqual(['alpha', 'gamma', 'beta']);
  });
  it('searches hostname and client name, and filters by client, status, health and version', () => {
    expect(applyFleetQuery(list, { ...DEFAULT_QUERY, q: 'globex' }, names).map((i) => i.id)).toEqual(['2']);
    expect(applyFleetQuery(list, { ...DEFAULT_QUERY, client: 'c1' }, names)).toHaveLength(2);
    expect(applyFleetQuery(list, { ...DEFAULT_QUERY, status: 'offline' }, names).map((i) => i.id)).toEqual(['2']);
    expect(applyFleetQuery(list, { ...DEFAULT_QUERY, health: 'yellow' }, names).map((i) => i.id)).toEqual(['3']);
    expect(applyFleetQuery(list, { ...DEFAULT_QUERY, version: '2026.8.1' }, names).map((i) => i.id)).toEqual(['3']);
    expect(applyFleetQuery(list, { ...DEFAULT_QUERY, sort: 'cpu' }, names).map((i) => i.id)).toEqual(['3', '1', '2']);
  });
  it('summarises health counts and averages over online instances', () => {
    expect(fleetSummary(list)).toMatchObject({ total: 3, green: 1, yellow: 1, red: 1, online: 2, avgCpu: 70 });
  });
});

describe('fleet store', () => {
  it('replaces only the objects of instances that changed, so memoised tiles skip the rest', () => {
    const s = new FleetStore();
    s.load([inst('a'), inst('b')]);
    const [a0, b0] = s.getSnapshot();
    s.applyMetrics([{ instanceId: 'a', t: new Date().toISOString(), values: { cpu: 77 } }]);
    const [a1, b1] = s.getSnapshot();
    expect(a1).not.toBe(a0);
    expect(a1.metrics?.cpu).toBe(77);
    expect(a1.metrics?.disk).toBe(30);
    expect(b1).toBe(b0);
  });
  it('applies status changes and remembers ids it does not know, for a refetch', () => {
    const s = new FleetStore();
    s.load([inst('a')]);
    let notified = 0;
    s.subscribe(() => notified++);
    s.applyStatus([
      { instanceId: 'a', clientId: 'c1', status: 'offline', lastSeen: null },
      { instanceId: 'zz', clientId: 'c1', status: 'online', lastSeen: null },
    ]);
    expect(s.getSnapshot()[0].status).toBe('offline');
    expect(notified).toBe(1);
    expect([...s.unknown]).toEqual(['zz']);
  });
});

describe('frame batcher', () => {
  it('delivers everything pushed before the next frame in one call', async () => {
    const calls: number[][] = [];
    const b = createFrameBatcher<number>((items) => calls.push(items));
    for (let i = 0; i < 1000; i++) b.push(i);
    expect(b.pending).toBe(1000);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1000);
  });
});

describe('series, usage and limits', () => {
  it('merges metric point lists into rows by time, skipping nulls', () => {
    const rows = mergeSeries({
      cpu: [
        ['2026-01-01T00:00:00Z', 1],
        ['2026-01-01T00:00:10Z', 2],
      ],
      memory: [
        ['2026-01-01T00:00:10Z', 5],
        ['2026-01-01T00:00:20Z', null],
      ],
    });
    expect(rows).toEqual([
      { t: Date.parse('2026-01-01T00:00:00Z'), cpu: 1 },
      { t: Date.parse('2026-01-01T00:00:10Z'), cpu: 2, memory: 5 },
    ]);
  });
  it('warns from 80 % of a limit and says when there is none', () => {
    expect([usageLevel(79, 100), usageLevel(80, 100), usageLevel(100, 100)]).toEqual(['ok', 'near', 'over']);
    expect(usageLevel(5, null)).toBe('ok');
  });
});

describe('export and parsing', () => {
  it('writes CSV with quoting and defused spreadsheet formulas', () => {
    const csv = conversationsToCsv([
      {
        messageId: '1',
        t: Date.UTC(2026, 0, 1),
        sessionKey: 's',
        channel: 'telegram',
        role: 'user',
        text: 'hi, "you"\nthere',
        tokensIn: 1,
        tokensOut: 2,
        cost: 0.5,
        model: null,
        sentiment: 0.4,
      },
      {
        messageId: '2',
        t: Date.UTC(2026, 0, 1),
        sessionKey: 's',
        channel: 'x',
        role: 'user',
        text: '=HYPERLINK("evil")',
        tokensIn: 0,
        tokensOut: 0,
        cost: 0,
        model: null,
      },
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('time,sessionKey,channel,role,text,tokensIn,tokensOut,cost,model,latencyMs,sentiment');
    expect(lines[1]).toBe('2026-01-01T00:00:00.000Z,s,telegram,user,"hi, ""you""\nthere",1,2,0.5,,,0.4');
    expect(csv).toContain(`"'=HYPERLINK(""evil"")"`);
  });
  it('parses Prometheus text with labels and skips comments and junk', () => {
    const s = parsePrometheus(
      '# HELP x y\n# TYPE x counter\nds_ingest_total{kind="metrics",x="a\\"b"} 42\nplain 1.5\nbroken line\n',
    );
    expect(s).toEqual([
      { name: 'ds_ingest_total', labels: { kind: 'metrics', x: 'a\\"b' }, value: 42 },
      { name: 'plain', labels: {}, value: 1.5 },
    ]);
  });
});
