import type { OnboardingHelpMessageView } from '@deepsignal/protocol';
import { HubClient } from '../hub-client.js';

/** A channel as the client's instances report it (`reportedChannels` of `GET /onboarding`). */
export interface ReportedChannel {
  connected: boolean;
  error: string | null;
}

/** The parts of `GET /onboarding?clientId=` the onboarding agent reasons over. */
export interface OnboardingState {
  clientId: string;
  clientName: string;
  clientStatus: string;
  steps: string[];
  completed: string[];
  desired: {
    provider?: 'anthropic' | 'openrouter';
    providerDetail?: Record<string, unknown>;
    model?: string;
    testMode?: boolean;
    channels?: Partial<Record<'telegram' | 'slack' | 'whatsapp', { enabled: boolean }>>;
    personality?: { name: string };
  };
  secrets: Record<'anthropic' | 'openrouter' | 'telegram' | 'slack', boolean>;
  instances: {
    id: string;
    hostname: string;
    status: string;
    openclawUp: boolean | null;
    drift: string;
    applied: { status: string; error: { code: string; message: string } | null } | null;
  }[];
  reportedChannels: Record<string, ReportedChannel>;
  whatsappPairing: { status: string; message: string | null; at: string } | null;
}

/** A deployment of the client's server, as `GET /clients/:id/deployments` lists it. */
export interface DeploymentSummary {
  id: string;
  status: string;
  steps: { name: string; status: string; error: string | null }[];
  error: { step: string; code: string; message: string } | null;
}

/** What `POST /onboarding/checks/:check` says about a stored key or token. */
export interface CheckOutcome {
  check: 'provider' | 'telegram' | 'slack';
  ok: boolean;
  reason: 'ok' | 'bad_key' | 'no_credit' | 'no_network' | 'provider_error' | 'missing';
  message: string;
  provider: string | null;
  checkedAt: string;
}

/** A client's welcome sequence (`GET /onboarding/welcome/clients`). */
export interface WelcomeClient {
  clientId: string;
  clientName: string;
  startedAt: string | null;
  optedOut: boolean;
  hasOwner: boolean;
  sent: { day: number; sentAt: string }[];
}

const enc = encodeURIComponent;

/** The hub API calls of the onboarding agent (token scopes `read` and `onboarding:help`). */
export class OnboardingHub extends HubClient {
  /** Pending questions; held up to `waitSec` by the hub while there are none (a long poll). */
  pendingQuestions(waitSec: number): Promise<{ questions: OnboardingHelpMessageView[] }> {
    return this.call('GET', '/onboarding/help/pending', { query: { waitSec } });
  }

  helpThread(clientId: string): Promise<{ messages: OnboardingHelpMessageView[] }> {
    return this.call('GET', '/onboarding/help', { query: { clientId } });
  }

  answerQuestion(id: string, text: string, facts: Record<string, unknown>): Promise<OnboardingHelpMessageView> {
    return this.call('POST', `/onboarding/help/${enc(id)}/answer`, { body: { text, facts } });
  }

  onboardingState(clientId: string): Promise<OnboardingState> {
    return this.call('GET', '/onboarding', { query: { clientId } });
  }

  deployments(clientId: string): Promise<DeploymentSummary[]> {
    return this.call('GET', `/clients/${enc(clientId)}/deployments`);
  }

  runCheck(clientId: string, check: CheckOutcome['check']): Promise<CheckOutcome> {
    return this.call('POST', `/onboarding/checks/${check}`, { query: { clientId } });
  }

  welcomeClients(): Promise<{ clients: WelcomeClient[] }> {
    return this.call('GET', '/onboarding/welcome/clients');
  }

  /** 201 sent / 200 sent before; opted out or no owner are `HubError`s (409). */
  sendWelcome(clientId: string, day: number, mail: { subject: string; text: string }): Promise<{ state: string }> {
    return this.call('POST', `/onboarding/welcome/${day}`, { query: { clientId }, body: mail });
  }
}
