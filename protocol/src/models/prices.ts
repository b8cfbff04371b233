/**
 * The one price table of the product: models a client can pick at onboarding, with list prices
 * in US dollars per million tokens, a speed and a quality tier. The onboarding model picker, its
 * monthly estimate and the dashboards' cost figures all read this file. Prices are the
 * providers' published list prices when the table was last reviewed (`PRICES_REVIEWED`);
 * update them here only.
 */

/** How a model is reached: directly at Anthropic, or through OpenRouter. */
export type ModelProvider = 'anthropic' | 'openrouter';

/** One row of the price table. */
export interface ModelPrice {
  /** OpenClaw model ref, `provider/model`, as config.apply and model.set take it. */
  id: string;
  label: string;
  provider: ModelProvider;
  /** Who makes the model (shown on the card). */
  vendor: string;
  inputPerMTok: number;
  outputPerMTok: number;
  /** 1 (slowest) .. 3 (fastest) */
  speed: 1 | 2 | 3;
  /** 1 (basic) .. 3 (best) */
  quality: 1 | 2 | 3;
  blurb: string;
}

export const PRICES_REVIEWED = '2026-11';

export const MODEL_PRICES: readonly ModelPrice[] = [
  {
    id: 'anthropic/claude-opus-4-1',
    label: 'Claude Opus 4.1',
    provider: 'anthropic',
    vendor: 'Anthropic',
    inputPerMTok: 15,
    outputPerMTok: 75,
    speed: 1,
    quality: 3,
    blurb: 'Deepest reasoning, for complex expert work.',
  },
  {
    id: 'anthropic/claude-sonnet-4-5',
    label: 'Claude Sonnet 4.5',
    provider: 'anthropic',
    vendor: 'Anthropic',
    inputPerMTok: 3,
    outputPerMTok: 15,
    speed: 2,
    quality: 3,
    blurb: 'Balanced: excellent answers at a moderate price.',
  },
  {
    id: 'anthropic/claude-haiku-4-5',
    label: 'Claude Haiku 4.5',
    provider: 'anthropic',
    vendor: 'Anthropic',
    inputPerMTok: 1,
    outputPerMTok: 5,
    speed: 3,
    quality: 2,
    blurb: 'Fast and affordable for high-volume support.',
  },
  {
    id: 'openrouter/anthropic/claude-sonnet-4.5',
    label: 'Claude Sonnet 4.5 (OpenRouter)',
    provider: 'openrouter',
    vendor: 'Anthropic',
    inputPerMTok: 3,
    outputPerMTok: 15,
    speed: 2,
    quality: 3,
    blurb: 'Sonnet billed through your OpenRouter credits.',
  },
  {
    id: 'openrouter/anthropic/claude-haiku-4.5',
    label: 'Claude Haiku 4.5 (OpenRouter)',
    provider: 'openrouter',
    vendor: 'Anthropic',
    inputPerMTok: 1,
    outputPerMTok: 5,
    speed: 3,
    quality: 2,
    blurb: 'Haiku billed through your OpenRouter credits.',
  },
  {
    id: 'openrouter/openai/gpt-5',
    label: 'GPT-5',
    provider: 'openrouter',
    vendor: 'OpenAI',
    inputPerMTok: 1.25,
    outputPerMTok: 10,
    speed: 1,
    quality: 3,
    blurb: "OpenAI's flagship, strong at reasoning.",
  },
  {
    id: 'openrouter/openai/gpt-5-mini',
    label: 'GPT-5 mini',
    provider: 'openrouter',
    vendor: 'OpenAI',
    inputPerMTok: 0.25,
    outputPerMTok: 2,
    speed: 3,
    quality: 2,
    blurb: 'Low cost, quick replies.',
  },
  {
    id: 'openrouter/google/gemini-2.5-flash',
    label: 'Gemini 2.5 Flash',
    provider: 'openrouter',
    vendor: 'Google',
    inputPerMTok: 0.3,
    outputPerMTok: 2.5,
    speed: 3,
    quality: 2,
    blurb: 'Very fast, large context, low price.',
  },
  {
    id: 'openrouter/deepseek/deepseek-chat-v3.1',
    label: 'DeepSeek V3.1',
    provider: 'openrouter',
    vendor: 'DeepSeek',
    inputPerMTok: 0.27,
    outputPerMTok: 1.1,
    speed: 2,
    quality: 2,
    blurb: 'Open-weights model at the lowest price.',
  },
];

/** Average tokens of one exchange the estimate assumes: prompt (persona, history, message) and reply. */
export const ESTIMATE_TOKENS = { inputPerMessage: 2500, outputPerMessage: 350 } as const;

/** The price row of a model ref, or undefined when the table does not list it. */
export function priceOf(model: string | null | undefined): ModelPrice | undefined {
  if (!model) return undefined;
  return MODEL_PRICES.find((m) => m.id === model) ?? MODEL_PRICES.find((m) => m.id.endsWith(`/${model}`));
}

/** Cost in dollars of a number of tokens on a model; null when the model is not in the table. */
export function costOf(model: string | null | undefined, tokensIn: number, tokensOut: number): number | null {
  const p = priceOf(model);
  if (!p) return null;
  return (tokensIn * p.inputPerMTok + tokensOut * p.outputPerMTok) / 1_000_000;
}

/** Estimated monthly cost (30 days) for a number of agent replies per day, with ESTIMATE_TOKENS. */
export function monthlyEstimate(model: string, messagesPerDay: number): number | null {
  const n = Math.max(0, messagesPerDay) * 30;
  return costOf(model, n * ESTIMATE_TOKENS.inputPerMessage, n * ESTIMATE_TOKENS.outputPerMessage);
}
