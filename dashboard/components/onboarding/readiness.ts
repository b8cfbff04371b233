import type { OnboardingState } from './types';

/** One thing that still keeps the agent from being live, in the words the client reads. */
export interface Missing {
  id: 'test-mode' | 'provider-key' | 'server' | 'connection' | 'openclaw' | 'settings';
  text: string;
}

const DRIFT_MISSING: Record<string, string> = {
  applying: 'Your settings are being applied to the agent right now.',
  pending: 'Your settings have not reached the agent yet; they are applied in a moment.',
  failed: 'Applying your settings to the agent failed',
  offline: 'Your agent’s server is not connected, so your settings are not applied yet.',
  model_differs: 'The agent reports a different model than the one you chose.',
};

/**
 * What is still missing before the agent really answers customers: a real provider key (not test
 * mode), a provisioned server whose sidecar is connected, OpenClaw running on it, and the chosen
 * settings applied. Empty means live. `product` is the host's product name (a partner's, or Deep Signal).
 */
export function missingForLive(s: OnboardingState, product: string): Missing[] {
  const out: Missing[] = [];
  const provider = s.desired.provider;
  if (s.desired.testMode)
    out.push({
      id: 'test-mode',
      text: 'Test mode: there is no real AI provider key yet. Add one on the “API key” step.',
    });
  else if (!provider || !s.secrets[provider])
    out.push({ id: 'provider-key', text: 'No AI provider key is stored yet. Add one on the “API key” step.' });
  const inst = s.instances.find((i) => i.status === 'online') ?? s.instances[0];
  if (!inst) {
    out.push({
      id: 'server',
      text: `Your agent’s server has not been provisioned yet: ${product} sets it up, and it shows here once it connects.`,
    });
    return out;
  }
  if (inst.status !== 'online')
    out.push({ id: 'connection', text: `Your server ${inst.hostname} is not connected (${inst.status}).` });
  else if (inst.openclawUp === false)
    out.push({ id: 'openclaw', text: `OpenClaw is not running on ${inst.hostname} yet.` });
  if (inst.drift !== 'in_sync' && !(inst.drift === 'offline' && inst.status !== 'online'))
    out.push({
      id: 'settings',
      text:
        (DRIFT_MISSING[inst.drift] ?? `Your settings are ${inst.drift}.`) +
        (inst.drift === 'failed' && inst.applied?.error ? `: ${inst.applied.error.message}` : ''),
    });
  return out;
}
