import type { ArticleSuggestion } from '../hub-types.js';
import type { CheckOutcome, DeploymentSummary, OnboardingState } from './hub-api.js';

/** What a question is about; a question can touch several. */
export type Topic = 'whatsapp' | 'telegram' | 'slack' | 'channels' | 'key' | 'server' | 'general';
export type ChannelId = 'whatsapp' | 'telegram' | 'slack';
export const CHANNELS: readonly ChannelId[] = ['whatsapp', 'telegram', 'slack'];
const LABEL: Record<ChannelId, string> = { whatsapp: 'WhatsApp', telegram: 'Telegram', slack: 'Slack' };

const PATTERNS: [Topic, RegExp][] = [
  ['whatsapp', /whats\s?app|\bwa\b|qr/i],
  ['telegram', /telegram|botfather|\btg\b/i],
  ['slack', /slack/i],
  ['channels', /channel|connect|link|pair|messag/i],
  ['key', /\bkey\b|api[\s-]?key|anthropic|openrouter|credit|provider|billing|quota|401|invalid/i],
  ['server', /server|deploy|online|offline|live|running|setup|set up|install|ready|down/i],
];

/** The topics of a question by its words; `general` when none matched. */
export function topicsOf(question: string): Topic[] {
  const found = PATTERNS.filter(([, re]) => re.test(question)).map(([t]) => t);
  // A named channel is more precise than "channels"; "connected" alone means every channel.
  const named = found.filter((t) => (CHANNELS as readonly string[]).includes(t));
  const topics = named.length ? found.filter((t) => t !== 'channels') : found;
  return topics.length ? topics : ['general'];
}

/** Everything an answer is made from; all of it read through the hub's API. */
export interface HelpFacts {
  question: string;
  topics: Topic[];
  state: OnboardingState;
  deployment: DeploymentSummary | null;
  /** Key and token checks the hub ran again for this question. */
  checks: CheckOutcome[];
  articles: ArticleSuggestion[];
}

/** The channels a question concerns: the named ones, or every one the client turned on. */
export function channelsFor(topics: Topic[], state: OnboardingState): ChannelId[] {
  const named = CHANNELS.filter((c) => topics.includes(c));
  if (named.length) return named;
  if (!topics.includes('channels')) return [];
  const on = CHANNELS.filter((c) => state.desired.channels?.[c]?.enabled);
  return on.length ? on : [...CHANNELS];
}

const quote = (s: string) => `“${s.trim().replace(/\s+/g, ' ').slice(0, 300)}”`;
const ago = (iso: string) => iso.replace('T', ' ').slice(0, 16) + ' UTC';

/** Where the client's server stands, in one sentence, or null when it is running. */
function serverLine(f: HelpFacts): string | null {
  const inst = f.state.instances;
  if (!inst.length) {
    const d = f.deployment;
    if (d?.status === 'failed')
      return `Your agent's server could not be set up (step ${d.error?.step ?? '?'}: ${d.error?.message ?? 'failed'}); our team has been told, and you can ask for help in the Help page.`;
    if (d && d.status !== 'succeeded') {
      const step = d.steps.find((s) => s.status === 'running') ?? d.steps.find((s) => s.status === 'pending');
      return `Your agent's server is being set up (${d.status}${step ? `, step “${step.name}”` : ''}); channels connect once it is running.`;
    }
    return "Your agent's server has not been set up yet: it is made once a working provider key is saved on the key screen.";
  }
  const online = inst.find((i) => i.status === 'online' || i.status === 'paused');
  if (!online)
    return `Your agent's server is ${inst[0].status}, so it cannot connect anything until it is back online.`;
  if (online.openclawUp === false) return "Your agent's server is online but the agent on it is not running yet.";
  return null;
}

/** One channel: its real status as the agent reports it, and exactly what to do about it. */
function channelAnswer(c: ChannelId, f: HelpFacts): string {
  const name = LABEL[c];
  const s = f.state;
  const enabled = s.desired.channels?.[c]?.enabled;
  const reported = s.reportedChannels[c];
  const check = f.checks.find((k) => k.check === c);
  if (!enabled)
    return `${name} is not turned on. Open the Channels screen and ${c === 'whatsapp' ? 'enable WhatsApp, then pair your phone' : `paste your ${name} token`}.`;
  if (reported?.connected) return `${name} is connected: your agent reports it up and receiving messages.`;
  const lines: string[] = [];
  if (reported)
    lines.push(
      `${name} is disconnected: your agent reports ${reported.error ? quote(reported.error) : 'it is not running'}.`,
    );
  else {
    const server = serverLine(f);
    lines.push(
      server
        ? `${name} is not connected yet. ${server}`
        : `${name} is turned on, but your agent has not reported its status yet.`,
    );
  }
  if (c === 'whatsapp') {
    const p = s.whatsappPairing;
    if (p && !['succeeded', 'failed', 'timed_out', 'rejected', 'canceled'].includes(p.status))
      lines.push(`A pairing started at ${ago(p.at)} is still waiting: scan the QR code shown on the Channels screen.`);
    else if (p?.status === 'failed' || p?.status === 'timed_out')
      lines.push(
        `The last pairing (${ago(p.at)}) ended ${p.status.replace('_', ' ')}${p.message ? `: ${quote(p.message)}` : ''}.`,
      );
    if (reported || p)
      lines.push(
        'What to do: open Channels, press “Pair WhatsApp” again, and on the phone go to WhatsApp → Settings → Linked devices → Link a device and scan the new code.',
      );
  } else if (check && !check.ok) {
    lines.push(
      check.reason === 'bad_key'
        ? `We checked the ${name} token again just now and ${name} refused it (${check.message}): it was probably revoked. ${c === 'telegram' ? 'Make a new one in @BotFather (/token)' : 'Reinstall the Slack app to get new tokens'} and paste it on the Channels screen.`
        : `We checked the ${name} token again just now: ${check.message}.`,
    );
  } else if (check?.ok && reported && !reported.connected) {
    lines.push(
      `The ${name} token is still valid (checked just now), so the agent should reconnect on its own; if it does not within a few minutes, turn ${name} off and on again on the Channels screen.`,
    );
  }
  return lines.join(' ');
}

/** The provider key: what the re-run check said, and what to do. */
function keyAnswer(f: HelpFacts): string {
  const s = f.state;
  const check = f.checks.find((k) => k.check === 'provider');
  if (s.desired.testMode && !check?.ok)
    return 'Your agent is in test mode: no provider key is saved, so it is not live. Paste an Anthropic or OpenRouter key on the key screen to go live.';
  if (!check) return 'No provider key check was run.';
  const who = check.provider === 'openrouter' ? 'OpenRouter' : 'Anthropic';
  switch (check.reason) {
    case 'ok':
      return `Your ${who} key works: we checked it again just now${check.message ? ` (${check.message})` : ''}.`;
    case 'bad_key':
      return `Your ${who} key was refused when we checked it again just now (${check.message}). It was probably revoked or mistyped: make a new key in your ${who} console and paste it on the key screen.`;
    case 'no_credit':
      return `Your ${who} key is valid but has no credit left (${check.message}). Add credit in your ${who} billing settings; nothing needs to change here.`;
    case 'no_network':
      return `We could not reach ${who} to check your key just now (${check.message}); try again in a minute.`;
    case 'missing':
      return `No provider key is saved yet. Paste your Anthropic or OpenRouter key on the key screen.`;
    default:
      return `${who} answered the key check with: ${check.message}.`;
  }
}

/** What comes next in onboarding, by the first screen not completed. */
function nextStep(s: OnboardingState): string {
  const next = s.steps.find((x) => !s.completed.includes(x));
  return next ? `Next in your setup: the ${next} screen.` : 'Your setup is complete.';
}

/**
 * The rule-based answer: every sentence comes from the facts (the onboarding state, the checks
 * just run, the knowledge base). A model, when configured, only rewords it.
 */
export function composeAnswer(f: HelpFacts): string {
  const parts: string[] = [];
  for (const c of channelsFor(f.topics, f.state)) parts.push(channelAnswer(c, f));
  if (f.topics.includes('key')) parts.push(keyAnswer(f));
  if (f.topics.includes('server') && !parts.length) {
    const line = serverLine(f);
    parts.push(line ?? "Your agent's server is online and the agent is running.");
  }
  if (!parts.length) parts.push(nextStep(f.state));
  if (f.articles.length)
    parts.push(
      `More in the help articles: ${f.articles
        .slice(0, 3)
        .map((a) => `“${a.title}”`)
        .join(', ')}.`,
    );
  return parts.join('\n\n');
}
