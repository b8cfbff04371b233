import { assertPublicUrl, type GuardOptions, guardedAgent, PublicAddressError } from '../security/public-address.js';
import type { DeliveryResult } from './index.js';

type GuardedAgent = ReturnType<typeof guardedAgent>;

// One agent per guard setting: its connection pool is reused across deliveries.
const agents = new WeakMap<GuardOptions, GuardedAgent>();
const agentFor = (g: GuardOptions) => {
  let a = agents.get(g);
  if (!a) {
    a = guardedAgent(g);
    agents.set(g, a);
  }
  return a;
};

/**
 * Posts to a URL a user gave only after checking it again (it was checked when saved, but names
 * move); the connection then goes through the guarded agent, to an address checked at connect.
 * Used by alert channels (webhook, Slack) and client event webhooks.
 */
export async function toPublicUrl(
  targets: GuardOptions,
  url: string,
  send: (dispatcher: GuardedAgent) => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  try {
    await assertPublicUrl(url, targets);
  } catch (e) {
    const transient = !(e instanceof PublicAddressError) || e.transient;
    return { ok: false, status: 0, body: '', error: `refused: ${(e as Error).message}`, retryable: transient };
  }
  return send(agentFor(targets));
}
