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

/** What the agents ask of a model: short prose about facts the rules already established. */
export interface Llm {
  readonly model: string;
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
  return {
    model: s.model,
    async write(system, prompt) {
      const msg = await client.messages.create({
        model: s.model,
        max_tokens: s.maxTokens ?? 400,
        system,
        messages: [{ role: 'user', content: prompt }],
      });
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
