import { isValidId } from '../ids.js';
import { LIMITS } from '../limits.js';

/**
 * What `checkMetricsMessage` found:
 * - `ok`: `metricsSchema` accepts the value and would return it unchanged (no unknown keys);
 * - `extra_keys`: `metricsSchema` accepts it but would strip unknown keys from its output;
 * - `invalid`: `metricsSchema` rejects it.
 */
export type MetricsCheck = 'ok' | 'extra_keys' | 'invalid';

// Internal codes, combined with Math.max: one `extra_keys` part makes the whole `extra_keys`.
const INVALID = 0;
const OK = 1;
const EXTRA = 2;
const CODES: MetricsCheck[] = ['invalid', 'ok', 'extra_keys'];

/**
 * A hand-written equivalent of `metricsSchema.safeParse` for values from `JSON.parse`. [SPEC 5.3]
 *
 * Metrics are most of the hub's traffic, and zod's generic checks cost about as much as the
 * rest of the per-sample work, so the hub's hot path uses this instead; on anything but `ok`
 * it still runs zod (for the error detail, or the stripped output). It must accept exactly
 * what the schema accepts: `test/metrics-check.test.ts` runs both over the vectors and many
 * random and mutated messages. Every rule below mirrors one line of `metrics.ts`/`envelope.ts`;
 * zod 4's `.int()` means a safe integer and `z.number()` refuses infinities (`1e999` in JSON).
 * Values are assumed to come from JSON (no `undefined`, functions or class instances).
 */
export function checkMetricsMessage(x: unknown): MetricsCheck {
  return CODES[checkMessage(x)];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** `z.number().finite().nonnegative()` */
const nonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** `z.number().int().nonnegative()` (zod 4: safe integers only) */
const nonNegInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** `timeMs`: 2000-01-01 .. 2200-01-01 in ms */
const isTime = (v: unknown) =>
  Number.isSafeInteger(v) && (v as number) >= 946_684_800_000 && (v as number) <= 7_258_118_400_000;

function checkMessage(x: unknown): number {
  if (!isObject(x)) return INVALID;
  // Required fields first: a missing one never shows up in the key loop below.
  if (x.v !== 1 || x.id === undefined || x.instanceId === undefined || x.bootId === undefined) return INVALID;
  if (x.seq === undefined || x.ts === undefined || x.samples === undefined) return INVALID;
  let out = OK;
  for (const k in x) {
    const v = x[k];
    switch (k) {
      case 'v':
        break;
      case 'id':
        if (typeof v !== 'string' || v.length < 1 || v.length > 64) return INVALID;
        break;
      case 'instanceId':
      case 'bootId':
        if (!isValidId(v)) return INVALID;
        break;
      case 'seq':
      case 'base':
      case 'ts':
        if (!nonNegInt(v)) return INVALID;
        break;
      case 'samples': {
        if (!Array.isArray(v) || v.length < 1 || v.length > LIMITS.maxMetricSamples) return INVALID;
        out = worst(out, checkEach(v, checkSample));
        if (out === INVALID) return INVALID;
        break;
      }
      default:
        out = EXTRA;
    }
  }
  return out;
}

function checkSample(x: unknown): number {
  if (!isObject(x) || !isTime(x.t)) return INVALID;
  let out = OK;
  for (const k in x) {
    const v = x[k];
    switch (k) {
      case 't':
        break;
      case 'cpu':
        if (!nonNeg(v) || v > 100) return INVALID;
        break;
      case 'load1':
      case 'load5':
      case 'load15':
      case 'memUsed':
      case 'memTotal':
      case 'swapUsed':
      case 'swapTotal':
      case 'netRx':
      case 'netTx':
      case 'uptime':
        if (!nonNeg(v)) return INVALID;
        break;
      case 'disks': {
        if (!Array.isArray(v) || v.length > LIMITS.maxMounts) return INVALID;
        out = worst(out, checkEach(v, checkDisk));
        if (out === INVALID) return INVALID;
        break;
      }
      case 'openclaw': {
        if (v === null) break;
        out = worst(out, checkProcess(v));
        if (out === INVALID) return INVALID;
        break;
      }
      default:
        out = EXTRA;
    }
  }
  return out;
}

/** The worse of two verdicts; INVALID wins whatever its value. */
function worst(a: number, b: number): number {
  return a === INVALID || b === INVALID ? INVALID : Math.max(a, b);
}

/** The worst verdict over every item, stopping at the first INVALID. */
function checkEach(items: unknown[], check: (x: unknown) => number): number {
  let out = OK;
  for (const x of items) {
    out = worst(out, check(x));
    if (out === INVALID) return INVALID;
  }
  return out;
}

/** `diskSchema` */
function checkDisk(x: unknown): number {
  if (!isObject(x)) return INVALID;
  const m = x.mount;
  if (typeof m !== 'string' || m.length < 1 || m.length > LIMITS.maxShortString) return INVALID;
  if (!nonNeg(x.used) || !nonNeg(x.total)) return INVALID;
  return extraKeys(x, 3);
}

/** `processSampleSchema` */
function checkProcess(x: unknown): number {
  if (!isObject(x) || !nonNegInt(x.pid) || !nonNeg(x.cpu) || !nonNeg(x.rss)) return INVALID;
  return extraKeys(x, 3);
}

/** EXTRA when `x` has more keys than its `known` (all required, already checked) ones. */
function extraKeys(x: object, known: number): number {
  let n = 0;
  for (const _ in x) n++;
  return n > known ? EXTRA : OK;
}
