/**
 * The OpenClaw config for an A/B variant agent (config.apply `variant`), as OpenClaw 2026.9's
 * validator accepts it and its router reads it:
 * - `agents.entries` is the whole roster. An entry for the variant alone would make it the only
 *   agent, and `main` (the agent everyone else talks to) would no longer exist, so `main` gets an
 *   entry pinned to its own workspace (it would otherwise resolve to `workspace-main`).
 * - Two agents are a multi-agent roster, which OpenClaw refuses (`agents.ownership`) unless it is
 *   marked `"explicit"`, and which then has no ambient owner for heartbeats and system turns:
 *   `agents.defaults.systemAgent.agentId` names `main` (unless the client named one). OpenClaw
 *   itself then writes `agents.defaults.heartbeat.agentId` and `talk.agentId` into the file.
 * - `bindings` route each listed peer to the variant (peer bindings win over channel-wide ones);
 *   every channel keeps a channel-wide binding to `main`, because an explicit roster refuses a
 *   message no binding matches. The client's own bindings stay.
 * - `session.dmScope: "per-channel-peer"`: one session per channel and person, so session keys
 *   (which name the agent that served them) tell the variants apart per person.
 * Before the first change the values at every path it touches are kept (`VariantUndo`, on the
 * sidecar's disk); removing puts them back, so the config is again what it was before the
 * experiment (only OpenClaw's own `meta` moves on). Without that record, removing drops the
 * variant's entry and its bindings and leaves the rest.
 *
 * The patch is the JSON merge patch from the config now to the config wanted, and `bindings`, an
 * array OpenClaw refuses to shrink unless told (`replacePaths`), is always named as replaced.
 */

type Rec = Record<string, unknown>;

/** A/B variant: a second agent with its own workspace, bound to some peers (protocol config.apply). */
export interface VariantAgent {
  agentId: string;
  files: Record<string, string | undefined>;
  channels: string[];
  peers: { channel: string; kind: string; id: string }[];
  remove?: true;
}

/** What the paths a variant sets held before it first set them (absent paths are left out). */
export interface VariantUndo {
  agentId: string;
  before: Partial<Record<TouchedPath | 'bindings', unknown>>;
}

/** The config.patch to send for a variant, and the record to keep for its removal. */
export interface VariantPatch {
  applied: string;
  /** Array paths the patch replaces on purpose (config.patch `replacePaths`). */
  replacePaths: string[];
  /** Set when adding: what to keep on disk (unless a record for this agent is kept already). */
  undo?: VariantUndo;
}

const MAIN = 'main';
/** Every path the variant sets, besides its own entry and the bindings (OpenClaw sets the last two). */
const TOUCHED = [
  'agents.entries.main.workspace',
  'agents.ownership',
  'agents.defaults.systemAgent',
  'session.dmScope',
  'agents.defaults.heartbeat.agentId',
  'talk.agentId',
] as const;
type TouchedPath = (typeof TOUCHED)[number];
/** Top-level keys the variant changes: the patch for them is recomputed as a whole. */
const ROOTS = ['agents', 'bindings', 'session', 'talk'] as const;

const isRec = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);
const asRec = (v: unknown): Rec => (isRec(v) ? v : {});
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function getPath(o: unknown, path: string): unknown {
  let node = o;
  for (const k of path.split('.')) node = isRec(node) ? node[k] : undefined;
  return node;
}

/** Sets (or with `undefined` deletes) a path, and drops the objects a delete leaves empty. */
function setPath(o: Rec, path: string, value: unknown): void {
  const keys = path.split('.');
  const parents: Rec[] = [o];
  for (const k of keys.slice(0, -1)) {
    const parent = parents[parents.length - 1];
    if (!isRec(parent[k])) {
      if (value === undefined) return;
      parent[k] = {};
    }
    parents.push(parent[k] as Rec);
  }
  const last = keys[keys.length - 1];
  if (value !== undefined) {
    parents[parents.length - 1][last] = value;
    return;
  }
  delete parents[parents.length - 1][last];
  for (let i = parents.length - 1; i > 0 && Object.keys(parents[i]).length === 0; i--)
    delete parents[i - 1][keys[i - 1]];
}

/** RFC 7396: `patch` applied to `target` (null deletes, objects merge, anything else replaces). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRec(patch)) return structuredClone(patch);
  const out: Rec = isRec(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** RFC 7396: the merge patch that turns `from` into `to` (undefined when they are the same). */
export function mergePatchBetween(from: unknown, to: unknown): unknown {
  if (to === undefined) return from === undefined ? undefined : null;
  if (!isRec(from) || !isRec(to)) return same(from, to) ? undefined : to;
  const out: Rec = {};
  for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const d = mergePatchBetween(from[k], to[k]);
    if (d !== undefined) out[k] = d;
  }
  return Object.keys(out).length ? out : undefined;
}

const bindingsOf = (config: Rec): Rec[] => (Array.isArray(config.bindings) ? (config.bindings as Rec[]) : []);
const channelWide = (channel: string) => ({ agentId: MAIN, match: { channel, accountId: '*' } });

/** The config wanted with the variant in it. */
function withVariant(config: Rec, v: VariantAgent, workspaces: { main: string; variant: string }): void {
  if (typeof getPath(config, 'agents.entries.main.workspace') !== 'string')
    setPath(config, 'agents.entries.main.workspace', workspaces.main);
  setPath(config, `agents.entries.${v.agentId}`, { workspace: workspaces.variant });
  setPath(config, 'agents.ownership', 'explicit');
  if (!getPath(config, 'agents.defaults.systemAgent.agentId'))
    setPath(config, 'agents.defaults.systemAgent', { agentId: MAIN });
  setPath(config, 'session.dmScope', 'per-channel-peer');
  const ours = [
    ...v.peers.map((peer) => ({
      agentId: v.agentId,
      match: { channel: peer.channel, accountId: '*', peer: { kind: peer.kind, id: peer.id } },
    })),
    ...v.channels.map(channelWide),
  ];
  // The peers bound before are replaced by the list now; the client's bindings stay.
  const kept = bindingsOf(config).filter((b) => b.agentId !== v.agentId && !ours.some((o) => same(o, b)));
  config.bindings = [...ours, ...kept];
}

/** The config wanted without the variant: what the record says was there, or just its own parts gone. */
function withoutVariant(config: Rec, v: VariantAgent, undo: VariantUndo | undefined): void {
  setPath(config, `agents.entries.${v.agentId}`, undefined);
  const before = undo?.agentId === v.agentId ? undo.before : undefined;
  if (before) for (const path of TOUCHED) setPath(config, path, structuredClone(before[path]));
  const theirs = Array.isArray(before?.bindings) ? (before.bindings as Rec[]) : [];
  const remaining = bindingsOf(config).filter(
    (b) =>
      b.agentId !== v.agentId &&
      // The channel-wide bindings to main were the variant's unless the client had them before.
      !(
        before &&
        b.agentId === MAIN &&
        same(b, channelWide(String(asRec(b.match).channel))) &&
        !theirs.some((t) => same(t, b))
      ),
  );
  if (remaining.length || (before && 'bindings' in before)) config.bindings = remaining;
  else delete config.bindings;
}

/**
 * Adds the variant (or its removal) to a config.patch object. `current` is the gateway's config
 * now; `workspaces` says where the main and the variant agent's persona files live; `undo` is the
 * record kept when the variant was added (for removal).
 */
export function addVariantToPatch(
  patch: Rec,
  v: VariantAgent,
  current: Rec,
  workspaces: { main: string; variant: string },
  undo?: VariantUndo,
): VariantPatch {
  const wanted = asRec(applyMergePatch(current, patch));
  if (v.remove) withoutVariant(wanted, v, undo);
  else withVariant(wanted, v, workspaces);
  for (const root of ROOTS) {
    const d = mergePatchBetween(current[root], wanted[root]);
    if (d === undefined) delete patch[root];
    else patch[root] = d;
  }
  const replacePaths = 'bindings' in patch ? ['bindings'] : [];
  if (v.remove) return { applied: `variant.${v.agentId}.removed`, replacePaths };
  const before: VariantUndo['before'] = {};
  for (const path of [...TOUCHED, 'bindings'] as const) {
    const value = getPath(current, path);
    if (value !== undefined) before[path] = structuredClone(value);
  }
  return { applied: `variant.${v.agentId}`, replacePaths, undo: { agentId: v.agentId, before } };
}
