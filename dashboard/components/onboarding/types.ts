/** The onboarding state as GET /api/v1/onboarding returns it (no secrets: only which are stored). */
export interface OnboardingState {
  clientId: string;
  clientName: string;
  clientStatus: string;
  /** Where the client's servers run (chosen on the company screen); null until chosen. */
  location?: { name: string; city: string | null; country: string | null } | null;
  steps: string[];
  completed: string[];
  revision: number;
  desired: {
    company?: { name: string; industry: string; useCase: string };
    provider?: 'anthropic' | 'openrouter';
    providerDetail?: Record<string, unknown>;
    model?: string;
    messagesPerDay?: number;
    channels?: {
      telegram?: { enabled: boolean; username?: string | null };
      slack?: { enabled: boolean; team?: string | null };
      whatsapp?: { enabled: boolean };
    };
    personality?: Personality;
    /** Set up without a provider key ("test mode"): every screen works, the agent is not live. */
    testMode?: boolean;
  };
  secrets: { anthropic: boolean; openrouter: boolean; telegram: boolean; slack: boolean };
  instances: {
    id: string;
    hostname: string;
    status: string;
    openclawUp: boolean | null;
    reportedModel: string | null;
    drift: 'in_sync' | 'applying' | 'pending' | 'failed' | 'offline' | 'model_differs';
    applied: {
      revision: number;
      status: string;
      confirmedRevision: number | null;
      error: { message: string } | null;
    } | null;
  }[];
  /** Channels as the client's agents report them (connected on any instance, or the reason why not). */
  reportedChannels?: Record<string, { connected: boolean; error: string | null }>;
  /** The last WhatsApp pairing (command channel.login) on the client's instances. */
  whatsappPairing: {
    commandId: string;
    instanceId: string;
    status: string;
    message: string | null;
    at: string;
  } | null;
  estimate: number | null;
  completedAt: string | null;
}

/** The agent personality form (step 6). */
export interface Personality {
  name: string;
  tone: 'friendly' | 'professional' | 'playful' | 'concise';
  emoji: string;
  avatar: string;
  instructions: string;
}

/** What every step component gets: the state, a setter after a save, and navigation. */
export interface StepProps {
  state: OnboardingState;
  onSaved: (s: OnboardingState) => void;
  next: () => void;
  back: () => void;
  /** Query for operator calls (`?clientId=`), empty for the client's own owner. */
  query: Record<string, string>;
}

/** The screens in order, with the names the hub uses. */
export const SCREENS = [
  { id: 'welcome', title: 'Welcome' },
  { id: 'company', title: 'Company' },
  { id: 'provider', title: 'API key' },
  { id: 'model', title: 'Model' },
  { id: 'channels', title: 'Channels' },
  { id: 'personality', title: 'Personality' },
  { id: 'test', title: 'Test drive' },
  { id: 'success', title: 'Done' },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];
