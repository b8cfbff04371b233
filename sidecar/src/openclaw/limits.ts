import type { OpenclawLimits } from '@deepsignal/protocol';

type Rec = Record<string, unknown>;
type Key = keyof OpenclawLimits;

/** Where each limit lives in openclaw.json (see `openclawLimits` in the protocol for what each does). */
const PATHS: Record<Key, readonly string[]> = {
  maxConcurrent: ['agents', 'defaults', 'maxConcurrent'],
  subagentsMaxConcurrent: ['agents', 'defaults', 'subagents', 'maxConcurrent'],
  queueMode: ['messages', 'queue', 'mode'],
  queueCap: ['messages', 'queue', 'cap'],
  inboundDebounceMs: ['messages', 'inbound', 'debounceMs'],
};

const keysOf = (l: OpenclawLimits) => (Object.keys(PATHS) as Key[]).filter((k) => l[k] !== undefined);

/** The current values of the keys `l` sets (null where openclaw.json leaves them unset). */
export function currentLimits(config: Rec, l: OpenclawLimits): OpenclawLimits {
  const out: Rec = {};
  for (const k of keysOf(l)) {
    let v: unknown = config;
    for (const seg of PATHS[k]) v = v && typeof v === 'object' ? (v as Rec)[seg] : undefined;
    out[k] = v === undefined ? null : v;
  }
  return out as OpenclawLimits;
}

/** Merges the limits into a config.patch object (null deletes the key: JSON merge patch). */
export function addLimitsToPatch(patch: Rec, l: OpenclawLimits): string[] {
  const applied: string[] = [];
  for (const k of keysOf(l)) {
    const path = PATHS[k];
    let node = patch;
    for (const seg of path.slice(0, -1)) {
      if (!node[seg] || typeof node[seg] !== 'object') node[seg] = {};
      node = node[seg] as Rec;
    }
    node[path[path.length - 1]] = l[k];
    applied.push(`limits.${k}`);
  }
  return applied;
}
