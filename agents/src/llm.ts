import Anthropic from '@anthropic-ai/sdk';
import type { BetaRunnableTool } from '@anthropic-ai/sdk/lib/tools/BetaRunnableTool';

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

/** The token counts of one reply's `usage`. */
interface BilledUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
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
  /**
   * Lets the model call `tools` (the SDK's tool runner) until it answers in text or `maxIterations`
   * calls were made; every call's usage is added to `usage`, also when a later call throws.
   */
  runTools(r: ToolRun): Promise<ToolRunResult>;
}

/** A conversation in which the model may call tools. */
export interface ToolRun {
  system: string;
  prompt: string;
  tools: BetaRunnableTool[];
  /** Messages API calls at most (each model turn is one). */
  maxIterations: number;
  maxTokens?: number;
}

export interface ToolRunResult {
  /** The model's last text (empty when it stopped while still calling tools). */
  text: string;
  stopReason: string | null;
  /** Messages API calls made. */
  calls: number;
  /** The tools the model called, in order. */
  toolCalls: string[];
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
    // 429 and 529 are retried (after `retry-after` when the API sends one), then reported.
    maxRetries: 2,
    timeout: s.timeoutMs ?? 60_000,
  });
  const usage: LlmUsage = { tokensIn: 0, tokensOut: 0, costUsd: 0 };
  const [pin, pout] = PRICES[s.model] ?? PRICES['claude-sonnet-4-5'];
  const count = (u: BilledUsage | undefined) => {
    if (!u) return;
    // Cache writes cost 1.25 times an input token, cache reads a tenth.
    const write = u.cache_creation_input_tokens ?? 0;
    const read = u.cache_read_input_tokens ?? 0;
    usage.tokensIn += u.input_tokens + write + read;
    usage.tokensOut += u.output_tokens;
    usage.costUsd += ((u.input_tokens + write * 1.25 + read * 0.1) * pin + u.output_tokens * pout) / 1e6;
  };
  const textOf = (content: { type: string; text?: string }[]) =>
    content
      .map((b) => (b.type === 'text' ? (b.text ?? '') : ''))
      .join('')
      .trim();
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
      count(msg.usage);
      const text = textOf(msg.content);
      if (!text) throw new Error('the model returned no text');
      return text;
    },
    async runTools(r) {
      const runner = client.beta.messages.toolRunner({
        model: s.model,
        max_tokens: r.maxTokens ?? s.maxTokens ?? 1500,
        system: r.system,
        messages: [{ role: 'user', content: r.prompt }],
        tools: r.tools,
        max_iterations: r.maxIterations,
        // The whole conversation on every call: the plain Messages API, no server-held thread.
        thread: false,
      });
      const out: ToolRunResult = { text: '', stopReason: null, calls: 0, toolCalls: [] };
      for await (const msg of runner) {
        out.calls++;
        count(msg.usage);
        out.stopReason = msg.stop_reason;
        out.text = textOf(msg.content) || out.text;
        for (const b of msg.content) if (b.type === 'tool_use') out.toolCalls.push(b.name);
      }
      return out;
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
