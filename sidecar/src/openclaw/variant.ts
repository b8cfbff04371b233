/**
 * The OpenClaw config for an A/B variant agent (config.apply `variant`), as OpenClaw 2026.9's
 * validator accepts it and its router reads it:
 * - `agents.entries` is the whole roster. An entry for the variant alone would make it the only
 *   agent, and `main` (the agent everyone else talks to) would no longer exist, so `main` gets an
 *   entry pinned to its own workspace (it would otherwise resolve to `workspace-main`).
 * - Two agents are a multi-agent roster, which OpenClaw refuses (`agents.ownership`) unless it is
 *   marked `"explicit"`, and which then has no ambient owner for heartbeats and system turns:
 *   `agents.defaults.systemAgent.agentId` names `main` (unless the client named one).
 * - `bindings` route each listed peer to the variant (peer bindings win over channel-wide ones);
 *   every channel keeps a channel-wide binding to `main`, because an explicit roster refuses a
 *   message no binding matches.
 * - `session.dmScope: "per-channel-peer"`: one session per channel and person, so session keys
 *   (which name the agent that served them) tell the variants apart per person.
 * Removing drops the variant's entry and every binding (JSON merge patch: null deletes); `main`'s
 * entry, the ownership mark and the system agent stay, which is the same single-agent behaviour.
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

const MAIN = 'main';
const asRec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

/**
 * Adds the variant to a config.patch object. `current` is the gateway's config now (to keep what
 * the client set: `main`'s own workspace, a system agent of its own); `workspaces` says where the
 * main and the variant agent's persona files live. Returns the `applied` label.
 */
export function addVariantToPatch(
  patch: Rec,
  v: VariantAgent,
  current: Rec,
  workspaces: { main: string; variant: string },
): string {
  const agents = asRec(patch.agents);
  const entries = asRec(agents.entries);
  patch.agents = agents;
  agents.entries = entries;
  if (v.remove) {
    entries[v.agentId] = null;
    patch.bindings = null;
    return `variant.${v.agentId}.removed`;
  }
  const now = asRec(current.agents);
  // Pinned where config.apply writes main's persona files, unless the client pinned it already.
  if (typeof asRec(asRec(now.entries)[MAIN]).workspace !== 'string')
    entries[MAIN] = { ...asRec(entries[MAIN]), workspace: workspaces.main };
  entries[v.agentId] = { workspace: workspaces.variant };
  agents.ownership = 'explicit';
  if (!asRec(asRec(now.defaults).systemAgent).agentId)
    agents.defaults = { ...asRec(agents.defaults), systemAgent: { agentId: MAIN } };
  patch.bindings = [
    ...v.peers.map((peer) => ({
      agentId: v.agentId,
      match: { channel: peer.channel, accountId: '*', peer: { kind: peer.kind, id: peer.id } },
    })),
    ...v.channels.map((channel) => ({ agentId: MAIN, match: { channel, accountId: '*' } })),
  ];
  patch.session = { ...asRec(patch.session), dmScope: 'per-channel-peer' };
  return `variant.${v.agentId}`;
}
