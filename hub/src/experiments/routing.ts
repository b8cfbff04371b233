/**
 * How an experiment reaches the client's own OpenClaw.
 *
 * OpenClaw picks the agent that answers a message from `bindings` (peer first, then guild, team,
 * account, channel-wide; the first match wins); it has no random or alternating split of its own.
 * What it does have is several agents in one gateway, each with its own workspace (SOUL.md,
 * AGENTS.md), and session keys that name the agent that served them (`agent:<id>:<channel>:
 * <kind>:<peer>` with `session.dmScope: "per-channel-peer"`). So the hub does the alternating:
 * each new person (channel + peer) that writes is assigned A, B, A, B… in the order they first
 * appear; variant A is the `main` agent as it is, variant B is the agent `ab-b` with the variant's
 * persona, and each person assigned B gets a peer binding to it (config.apply `variant`). A
 * person's first message arrives before any binding can exist, so only what they send after
 * their assignment counts, on the agent their variant names.
 */

/** The OpenClaw agent that serves variant B. */
export const VARIANT_AGENT = 'ab-b';

/** A session key's parts: which agent served it and which person it belongs to. */
export interface ParsedSessionKey {
  agentId: string;
  /** `<channel>:<kind>:<id>`, or null for the agent's own main session. */
  peer: string | null;
  channel: string | null;
  kind: 'direct' | 'group' | 'channel' | null;
  id: string | null;
}

const KINDS = new Set(['direct', 'group', 'channel']);

/** Parses `agent:<agentId>:<channel>:<kind>:<id>` (also `agent:<id>:<channel>:<id>`, kind direct). */
export function parseSessionKey(key: string): ParsedSessionKey | null {
  const parts = key.split(':');
  if (parts[0] !== 'agent' || parts.length < 3 || !parts[1]) return null;
  const agentId = parts[1];
  const rest = parts.slice(2);
  if (rest.length < 2) return { agentId, peer: null, channel: null, kind: null, id: null };
  const channel = rest[0];
  const kind = KINDS.has(rest[1]) && rest.length >= 3 ? (rest[1] as 'direct' | 'group' | 'channel') : 'direct';
  const id = rest.slice(KINDS.has(rest[1]) && rest.length >= 3 ? 2 : 1).join(':');
  if (!channel || !id) return { agentId, peer: null, channel: null, kind: null, id: null };
  return { agentId, peer: `${channel}:${kind}:${id}`, channel, kind, id };
}

/**
 * The config.apply `variant` for the current assignments. `channelsSeen` (every channel the
 * instance's conversations came from) keep a channel-wide binding to `main`: with two agents,
 * OpenClaw refuses a message that no binding matches.
 */
export function variantParams(
  files: Record<string, string>,
  peersB: readonly string[],
  channelsSeen: readonly string[] = [],
): {
  agentId: string;
  files: Record<string, string>;
  channels: string[];
  peers: { channel: string; kind: string; id: string }[];
} {
  const peers = peersB.map((p) => {
    const [channel, kind, ...id] = p.split(':');
    return { channel, kind, id: id.join(':') };
  });
  const channels = [...new Set([...channelsSeen, ...peers.map((p) => p.channel)])].sort();
  return { agentId: VARIANT_AGENT, files, channels, peers };
}
