import { describe, expect, it } from 'vitest';
import { checkMetricsMessage, loadVector, metricsSchema, parseMessage } from '../src/index.js';

/**
 * `checkMetricsMessage` must accept exactly what `metricsSchema` accepts, and say `ok` only when
 * zod's output would be the input unchanged. Checked over the vectors and many random and
 * mutated messages built around every limit of the schema.
 */

type Json = unknown;
const vectors = loadVector<{ topic: string; valid: Json[]; invalid: { payload: Json }[] }>('messages/metrics.json');

/** Seeded generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  /** An edge value, copied so that mutating one message never touches another. */
  const edge = () => structuredClone(pick(EDGES));
  return { next, int, pick, edge };
}
type Rng = ReturnType<typeof rng>;

const T_MIN = 946_684_800_000;
const T_MAX = 7_258_118_400_000;
/** Values at and around every bound in the schema, and of every JSON type. */
const EDGES: Json[] = [
  0,
  -0,
  1,
  -1,
  -1e-9,
  0.5,
  99.999,
  100,
  100.0000001,
  101,
  1e300,
  Number.POSITIVE_INFINITY, // JSON.parse('1e999')
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  2 ** 53 + 2,
  T_MIN,
  T_MIN - 1,
  T_MIN + 0.5,
  T_MAX,
  T_MAX + 1,
  1764000000000,
  '',
  '1',
  '/',
  'a',
  '.',
  '..',
  'a.b',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(256),
  'x'.repeat(257),
  'bad id',
  'a/b',
  '+',
  'é',
  true,
  false,
  null,
  [],
  [1],
  {},
  { pid: 1, cpu: 1, rss: 1 },
  { mount: '/', used: 1, total: 2 },
];

function sample(r: Rng): Record<string, Json> {
  const s: Record<string, Json> = { t: 1764000000000 + r.int(1e6) * 1000 };
  const opt = (k: string, v: () => Json) => {
    if (r.next() < 0.8) s[k] = v();
  };
  opt('cpu', () => r.next() * 100);
  for (const k of ['load1', 'load5', 'load15', 'memUsed', 'memTotal', 'swapUsed', 'swapTotal', 'netRx', 'netTx'])
    opt(k, () => (r.next() < 0.5 ? r.int(1e10) : r.next() * 10));
  opt('uptime', () => r.int(1e7));
  opt('disks', () =>
    Array.from({ length: r.int(3) }, () => ({ mount: r.pick(['/', '/data', '/boot']), used: r.int(1e9), total: 1e10 })),
  );
  opt('openclaw', () => (r.next() < 0.2 ? null : { pid: r.int(1e5), cpu: r.next() * 50, rss: r.int(1e9) }));
  return s;
}

function message(r: Rng): Record<string, Json> {
  const m: Record<string, Json> = {
    v: 1,
    id: `m-${r.int(1e6)}`,
    instanceId: 'inst-0001',
    bootId: 'boot-a1',
    seq: r.int(1e6),
    ts: 1764000000000 + r.int(1e9),
    samples: Array.from({ length: 1 + r.int(6) }, () => sample(r)),
  };
  if (r.next() < 0.3) m.base = r.int(1e6);
  return m;
}

/** Every object (the message, samples, disks, openclaw) inside a message, for mutating one. */
function objectsOf(x: Json, out: Record<string, Json>[] = []): Record<string, Json>[] {
  if (Array.isArray(x)) for (const y of x) objectsOf(y, out);
  else if (x && typeof x === 'object') {
    out.push(x as Record<string, Json>);
    for (const y of Object.values(x)) objectsOf(y, out);
  }
  return out;
}

const KEYS = ['v', 'id', 'instanceId', 'bootId', 'seq', 'base', 'ts', 'samples', 't', 'cpu', 'load1', 'memUsed'].concat(
  ['uptime', 'disks', 'openclaw', 'mount', 'used', 'total', 'pid', 'rss', 'extra', 'constructor'],
);

function mutate(r: Rng, m: Record<string, Json>): void {
  const objs = objectsOf(m);
  const o = r.pick(objs);
  const keys = Object.keys(o);
  switch (r.int(6)) {
    case 0: // drop a key
      if (keys.length) delete o[r.pick(keys)];
      break;
    case 1: // an edge value for an existing key
      if (keys.length) o[r.pick(keys)] = r.edge();
      break;
    case 2: // any key, any edge value (unknown keys included)
      o[r.pick(KEYS)] = r.edge();
      break;
    case 3: {
      // array lengths around their limits
      const n = r.pick([0, 1, 2, 32, 33]); // 600/601 samples: its own test (slow here)
      if (r.next() < 0.5) m.samples = Array.from({ length: n }, () => sample(r));
      else if (Array.isArray(m.samples) && m.samples[0] && typeof m.samples[0] === 'object')
        (m.samples[0] as Record<string, Json>).disks = Array.from({ length: n }, () => ({
          mount: '/',
          used: 1,
          total: 1,
        }));
      break;
    }
    case 4: // a whole value replaced by another type
      if (keys.length) o[r.pick(keys)] = structuredClone(r.pick([null, 'x', 1, [], {}, [{}], [null]]));
      break;
    case 5: // own properties named like Object.prototype's, as JSON.parse creates them
      Object.defineProperty(o, r.pick(['__proto__', 'toString', 'hasOwnProperty']), {
        value: r.edge(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      break;
  }
}

function agree(x: Json): void {
  const z = metricsSchema.safeParse(x);
  const c = checkMetricsMessage(x);
  expect(c !== 'invalid', JSON.stringify(x)?.slice(0, 400)).toBe(z.success);
  if (c === 'ok') expect(z.data).toEqual(x);
  if (c === 'extra_keys') expect(z.data).not.toEqual(x);
}

describe('checkMetricsMessage agrees with metricsSchema', () => {
  it('on the vectors', () => {
    for (const p of vectors.valid) {
      expect(checkMetricsMessage(p)).not.toBe('invalid'); // one carries an unknown future field
      agree(p);
    }
    for (const x of vectors.invalid) agree(x.payload);
  });

  it('on random valid messages', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const m = message(r);
      expect(checkMetricsMessage(m)).toBe('ok');
      agree(m);
    }
  });

  it('on mutated messages and non-objects', () => {
    const r = rng(42);
    const counts = { ok: 0, extra_keys: 0, invalid: 0 };
    for (let i = 0; i < 8000; i++) {
      const m = message(r);
      const n = 1 + r.int(3);
      for (let k = 0; k < n; k++) mutate(r, m);
      agree(m);
      counts[checkMetricsMessage(m)]++;
    }
    for (const x of EDGES) agree(x);
    // The mutations reach all three outcomes, in useful numbers.
    expect(Math.min(counts.ok, counts.extra_keys, counts.invalid)).toBeGreaterThan(500);
  });

  it('at the sample-count limit', () => {
    const r = rng(9);
    for (const n of [600, 601]) {
      const m = message(r);
      m.samples = Array.from({ length: n }, () => sample(r));
      agree(m);
      expect(checkMetricsMessage(m)).toBe(n === 600 ? 'ok' : 'invalid');
    }
  });

  it('parseMessage gives the same verdict and value as zod alone', () => {
    const r = rng(3);
    for (let i = 0; i < 3000; i++) {
      const m = message(r);
      if (i % 2) mutate(r, m);
      const text = JSON.stringify(m);
      const z = metricsSchema.safeParse(JSON.parse(text));
      const p = parseMessage(vectors.topic, text, 'sidecar->hub');
      const spoofed = z.success && z.data.instanceId !== 'inst-0001';
      expect(p.ok).toBe(z.success && !spoofed);
      if (p.ok && z.success) expect(p.value.message).toEqual(z.data);
    }
  });
});
