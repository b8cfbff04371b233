import Anthropic from '@anthropic-ai/sdk';

/** Settings of the optional language model; without `apiKey` the agents run on rules alone. */
export interface LlmSettings {
  apiKey?: string;
  /** `DS_ANTHROPIC_BASE_URL`: another endpoint speaking the Messages API (a proxy, a test server). */
  baseUrl?: string;
  model: string;
  maxTokens?: number;
  timeoutMs?: number;
}

/** Tokens and their cost in USD, summed over a client's calls (an agent run reports the difference). */
export interface LlmUsage {
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** USD per million input / output tokens; models not listed are priced as Sonnet. */
const PRICES: Record<string, [number, number]> = {
  'claude-sonnet-4-5': [3, 15],
  'claude-opus-4-1': [15, 75],
  'claude-haiku-4-5': [1, 5],
};

/** What the agents ask of a model: short prose about facts the rules already established. */
export interface Llm {
  readonly model: string;
  /** Running totals of what the model was sent and wrote. */
  readonly usage: LlmUsage;
  /** Returns the model's text, or throws; callers fall back to the rules' own text. */
  write(system: string, prompt: string): Promise<string>;
}

export const DEFAULT_MODEL = 'claude-sonnet-4-5';

/** A model client when an API key is configured, else null (rules only). */
export function createLlm(s: LlmSettings): Llm | null {
  if (!s.apiKey) return null;
  const client = new Anthropic({
    apiKey: s.apiKey,
    baseURL: s.baseUrl || undefined,
    // The Messages API's documented header is `x-api-key` (this SDK version would send a bearer
    // header, which some gateways do not accept): send the key there and nowhere else.
    defaultHeaders: { 'x-api-key': s.apiKey, authorization: null },
    maxRetries: 1,
    timeout: s.timeoutMs ?? 60_000,
  });
  const usage: LlmUsage = { tokensIn: 0, tokensOut: 0, costUsd: 0 };
  const [pin, pout] = PRICES[s.model] ?? PRICES['claude-sonnet-4-5'];
  return {
    model: s.model,
    usage,
    async write(system, prompt) {
      const msg = await client.messages.create({
        model: s.model,
        max_tokens: s.maxTokens ?? 400,
        system,
        messages: [{ role: 'user', content: prompt }],
      });
      usage.tokensIn += msg.usage?.input_tokens ?? 0;
      usage.tokensOut += msg.usage?.output_tokens ?? 0;
      usage.costUsd = (usage.tokensIn * pin + usage.tokensOut * pout) / 1e6;
      const text = msg.content
        .map((b) => (b.type === 'text' ? b.text : ''))
        .join('')
        .trim();
      if (!text) throw new Error('the model returned no text');
      return text;
    },
  };
}

/**
 * Runs `llm.write` when a model is configured; a failure never stops an agent, it is reported
 * in `error` and the rules' output stands on its own.
 */
export async function maybeWrite(
  llm: Llm | null,
  system: string,
  prompt: string,
): Promise<{ text: string | null; error: string | null }> {
  if (!llm) return { text: null, error: null };
  try {
    return { text: await llm.write(system, prompt), error: null };
  } catch (e) {
    return { text: null, error: `model ${llm.model}: ${(e as Error).message}`.slice(0, 300) };
  }
}
