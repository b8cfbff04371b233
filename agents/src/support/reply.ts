import type { ArticleSuggestion } from '../hub-types.js';
import type { SupportCategory, Triage } from './triage.js';

/** How urgent each finding is: measured outages first. */
export const PRIORITY: Record<SupportCategory, 'low' | 'normal' | 'high' | 'urgent'> = {
  instance_offline: 'urgent',
  openclaw_down: 'high',
  resources: 'high',
  channel: 'normal',
  model: 'normal',
  billing: 'normal',
  access: 'normal',
  general: 'normal',
};

const OPENING: Record<SupportCategory, string> = {
  instance_offline:
    "Thanks for telling us. Your agent's server has stopped reporting to us, so we are looking at it now and will write as soon as it is back.",
  openclaw_down:
    'Thanks for telling us. Your agent is not running right now; we are restarting it and will confirm here once it answers again.',
  resources:
    "Thanks for telling us. Your agent's server is short of disk or memory, which slows it down; we are freeing room now.",
  channel:
    'Thanks for telling us. One of your channels looks disconnected; re-pairing or replacing its token usually fixes it.',
  model: 'Thanks for telling us. We are looking at the recent conversations and the model your agent uses.',
  billing: 'Thanks for your question about billing. We are checking your account and will answer here.',
  access: 'Thanks for telling us. We are checking the account and its sign-in settings.',
  general: 'Thanks for your message. We are looking into it and will answer here.',
};

/** A reply an operator can send as it is or edit: the finding in plain words and the articles that help. */
export function draftReply(t: Triage, articles: ArticleSuggestion[], helpBase: string): string {
  const lines = [OPENING[t.category]];
  if (t.proposeResolve)
    lines[0] = 'Good news: your agent was restarted and is answering again. Could you check on your side?';
  if (articles.length) {
    lines.push('', 'These may help meanwhile:');
    for (const a of articles.slice(0, 3)) lines.push(`- ${a.title}: ${helpBase}${a.slug}`);
  }
  return lines.join('\n');
}

/** The internal triage note: category, priority, suspected cause from the instance's health, articles. */
export function triageNote(t: Triage, articles: ArticleSuggestion[], written?: string | null): string {
  const lines = [
    `Triage (support agent): ${t.category}, priority ${PRIORITY[t.category]}.`,
    t.evidence.length ? 'Suspected cause, from what the hub measures:' : 'No measured problem on the instance.',
    ...t.evidence.map((e) => `- ${e}`),
    `Next: ${t.nextStep}`,
  ];
  if (articles.length) lines.push(`Relevant articles: ${articles.map((a) => a.title).join('; ')}`);
  if (t.proposeResolve) lines.push('Proposal: resolve (the cause is verifiably gone). An operator decides.');
  if (written) lines.push('', written);
  return lines.join('\n');
}
