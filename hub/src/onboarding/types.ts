import type { ModelProvider } from '@deepsignal/protocol';

/** The onboarding screens in order; a screen is `completed` once its answer was saved. */
export const STEPS = ['welcome', 'company', 'provider', 'model', 'channels', 'personality', 'test', 'success'] as const;
export type Step = (typeof STEPS)[number];

/** Agent personality as the client sets it (step 6). */
export interface Personality {
  name: string;
  tone: 'friendly' | 'professional' | 'playful' | 'concise';
  emoji: string;
  /** An image URL or empty (the emoji is the avatar then). */
  avatar: string;
  instructions: string;
}

/**
 * The desired state of a client's agent, without secrets (those are sealed in client_secrets
 * under the names of {@link SECRET}).
 */
export interface Desired {
  company?: { name: string; industry: string; useCase: string };
  provider?: ModelProvider;
  /** What the provider check said (label, credit…), for the summary. */
  providerDetail?: Record<string, unknown>;
  model?: string;
  messagesPerDay?: number;
  channels?: {
    telegram?: { enabled: boolean; username?: string | null };
    slack?: { enabled: boolean; team?: string | null };
    whatsapp?: { enabled: boolean };
  };
  personality?: Personality;
  /** Chosen "test mode" on the key screen: no provider key, the agent is not live. */
  testMode?: boolean;
}

/** Names of the client secrets onboarding writes. */
export const SECRET = {
  provider: (p: ModelProvider) => `provider.${p}`,
  telegramBot: 'channel.telegram.botToken',
  slackBot: 'channel.slack.botToken',
  slackApp: 'channel.slack.appToken',
} as const;

/** The state of the latest config.apply of one instance. */
export interface AppliedState {
  /** Revision the latest command carries. */
  revision: number;
  commandId: string;
  status: string;
  /** The newest revision the instance confirmed (config.apply result echo). */
  confirmedRevision: number | null;
  error: { code: string; message: string } | null;
  at: string;
}
