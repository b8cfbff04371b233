import type { ConversationView } from '../hub-types.js';

/** One conversation (an instance's session) summed up from its stored messages. */
export interface Conversation {
  clientId: string;
  instanceId: string;
  sessionKey: string;
  /** `provider/model` of most of its replies (as model.set and the plans name models). */
  model: string;
  tokens: number;
  costUsd: number;
  /** Mean sentiment of the user's messages the hub could score; null when none could be. */
  sentiment: number | null;
}

/** Thresholds of the cost suggestions. */
export interface CostPolicy {
  /** Conversations needed on each side (the client's, and the comparable ones on the cheaper model). */
  minConversations: number;
  /** The cheaper model's mean sentiment may be at most this much lower. */
  sentimentTolerance: number;
  minSavingUsd: number;
  /** Saving as a share of what the client's conversations cost. */
  minSavingShare: number;
}

export const DEFAULT_COST_POLICY: CostPolicy = {
  minConversations: 5,
  sentimentTolerance: 0.1,
  minSavingUsd: 1,
  minSavingShare: 0.2,
};

/** A cheaper model for a client, with the numbers behind it. */
export interface ModelSaving {
  clientId: string;
  model: string;
  cheaper: string;
  instances: string[];
  conversations: number;
  costUsd: number;
  projectedUsd: number;
  savingUsd: number;
  savingShare: number;
  /** USD per 1,000 tokens, as measured on the fleet's conversations. */
  ratePer1k: { current: number; cheaper: number };
  sentiment: { current: number; cheaper: number; comparable: number };
  /** Size band of the comparable conversations (tokens). */
  band: [number, number];
}

const ref = (m: ConversationView) =>
  m.model ? (m.model.includes('/') || !m.provider ? m.model : `${m.provider}/${m.model}`) : null;
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;

/** Groups an instance's stored messages into conversations (by session key). */
export function conversationsOf(clientId: string, instanceId: string, msgs: ConversationView[]): Conversation[] {
  const by = new Map<string, ConversationView[]>();
  for (const m of msgs) by.set(m.sessionKey, [...(by.get(m.sessionKey) ?? []), m]);
  const out: Conversation[] = [];
  for (const [sessionKey, ms] of by) {
    const models = new Map<string, number>();
    for (const m of ms) {
      const r = ref(m);
      if (r && m.role === 'assistant') models.set(r, (models.get(r) ?? 0) + 1);
    }
    const model = [...models].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!model) continue;
    const scored = ms.filter((m) => m.role === 'user' && m.sentiment !== null).map((m) => m.sentiment as number);
    out.push({
      clientId,
      instanceId,
      sessionKey,
      model,
      tokens: ms.reduce((s, m) => s + m.tokensIn + m.tokensOut, 0),
      costUsd: ms.reduce((s, m) => s + m.cost, 0),
      sentiment: scored.length ? mean(scored) : null,
    });
  }
  return out;
}

/**
 * For each client, the cheaper model (allowed by its plan: `allowed(clientId, model)`) that would
 * have cost the least on its conversations of the last period, priced at the cost per token the
 * fleet measured on that model, and only where satisfaction holds: the mean sentiment of
 * comparable conversations on the cheaper model (0.5-2x the client's median size) is at most
 * `sentimentTolerance` below the client's own on its current model.
 */
export function modelSavings(
  all: Conversation[],
  allowed: (clientId: string, model: string) => boolean,
  policy: CostPolicy = DEFAULT_COST_POLICY,
): ModelSaving[] {
  const rate = new Map<string, number>();
  for (const m of new Set(all.map((c) => c.model))) {
    const on = all.filter((c) => c.model === m);
    const tokens = on.reduce((s, c) => s + c.tokens, 0);
    if (tokens > 0) rate.set(m, on.reduce((s, c) => s + c.costUsd, 0) / tokens);
  }
  const out: ModelSaving[] = [];
  for (const clientId of new Set(all.map((c) => c.clientId))) {
    const mine = all.filter((c) => c.clientId === clientId);
    const byCost = [...new Set(mine.map((c) => c.model))]
      .map((m) => ({ m, cost: mine.filter((c) => c.model === m).reduce((s, c) => s + c.costUsd, 0) }))
      .sort((a, b) => b.cost - a.cost);
    const current = byCost[0]?.m;
    if (!current || !rate.has(current)) continue;
    const onCurrent = mine.filter((c) => c.model === current);
    const scoredCurrent = onCurrent.filter((c) => c.sentiment !== null);
    if (scoredCurrent.length < policy.minConversations) continue;
    const sizes = onCurrent.map((c) => c.tokens).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)];
    const band: [number, number] = [Math.floor(median / 2), Math.ceil(median * 2)];
    const tokens = sizes.reduce((s, n) => s + n, 0);
    const costUsd = onCurrent.reduce((s, c) => s + c.costUsd, 0);
    const sentCurrent = mean(scoredCurrent.map((c) => c.sentiment as number));
    let best: ModelSaving | null = null;
    for (const [cheaper, r] of rate) {
      if (cheaper === current || r >= (rate.get(current) as number) || !allowed(clientId, cheaper)) continue;
      const comparable = all.filter(
        (c) => c.model === cheaper && c.sentiment !== null && c.tokens >= band[0] && c.tokens <= band[1],
      );
      if (comparable.length < policy.minConversations) continue;
      const sentCheaper = mean(comparable.map((c) => c.sentiment as number));
      if (sentCheaper < sentCurrent - policy.sentimentTolerance) continue;
      const projectedUsd = tokens * r;
      const savingUsd = costUsd - projectedUsd;
      const share = costUsd > 0 ? savingUsd / costUsd : 0;
      if (savingUsd < policy.minSavingUsd || share < policy.minSavingShare) continue;
      if (best && best.savingUsd >= savingUsd) continue;
      best = {
        clientId,
        model: current,
        cheaper,
        instances: [...new Set(onCurrent.map((c) => c.instanceId))],
        conversations: onCurrent.length,
        costUsd: round(costUsd),
        projectedUsd: round(projectedUsd),
        savingUsd: round(savingUsd, 2),
        savingShare: round(share, 3),
        ratePer1k: { current: round((rate.get(current) as number) * 1000, 6), cheaper: round(r * 1000, 6) },
        sentiment: { current: round(sentCurrent, 3), cheaper: round(sentCheaper, 3), comparable: comparable.length },
        band,
      };
    }
    if (best) out.push(best);
  }
  return out;
}
