import type { HubClient } from '../hub-client.js';
import { HubError } from '../hub-client.js';
import { type Llm, maybeWrite } from '../llm.js';
import { type SupportTicket, supportApi } from './api.js';
import { lastAgentState } from './watch.js';

/** A draft article the agent proposed from a resolved ticket (an editor publishes it in the KB). */
export interface ProposedArticle {
  ticketId: string;
  articleId: string | null;
  title: string;
  error?: string;
}

const SYSTEM =
  'You write a short knowledge-base article for clients of a managed AI-assistant hosting service, ' +
  'from a resolved support ticket: the symptom, the cause, and the steps that fixed it. Markdown, ' +
  'no names, no company or personal details, under 200 words. Use only the facts given.';

/** Whether the agent's triage of the ticket found no article that applied, and none was drafted since. */
export function lacksArticle(t: SupportTicket): boolean {
  const triaged = t.thread.filter((e) => e.kind === 'note' && e.author === 'agent' && !!e.meta);
  if (!triaged.length) return false;
  const anyArticle = triaged.some((e) => ((e.meta as { articles?: string[] }).articles ?? []).length > 0);
  const drafted = t.thread.some((e) => e.kind === 'note' && !!(e.meta as { articleId?: string } | null)?.articleId);
  return !anyArticle && !drafted;
}

/** The article's text from the thread alone: the question, the measured cause, the answers that fixed it. */
export function articleFrom(t: SupportTicket): string {
  const question = t.thread.find((e) => e.kind === 'message' && e.author === 'client')?.body ?? '';
  const answers = t.thread.filter((e) => e.kind === 'message' && e.author !== 'client').map((e) => e.body);
  const cause = t.thread
    .filter((e) => e.kind === 'note' && e.author === 'agent')
    .flatMap((e) => e.body.split('\n').filter((l) => l.startsWith('- ')))
    .slice(0, 5);
  return [
    '## The symptom',
    '',
    question,
    '',
    '## The cause',
    '',
    ...(cause.length ? cause : ['_Describe the cause._']),
    '',
    '## What fixed it',
    '',
    answers.join('\n\n') || '_Write the answer here._',
  ].join('\n');
}

/**
 * For each resolved ticket that the agent triaged without an article that applied, proposes a
 * draft article (`POST /tickets/:id/article`, scope `kb:propose`): the hub keeps it as a draft
 * linked to the ticket until an editor publishes it, and refuses a second one for the ticket.
 */
export async function proposeArticles(
  hub: HubClient,
  o: { llm?: Llm | null; dryRun: boolean; limit?: number },
): Promise<ProposedArticle[]> {
  const resolved = await hub.tickets({ state: 'resolved' });
  const out: ProposedArticle[] = [];
  for (const listed of resolved.slice(0, o.limit ?? 50)) {
    const t = await supportApi.ticket(hub, listed.id);
    if (!lacksArticle(t)) continue;
    const facts = articleFrom(t);
    const w = await maybeWrite(o.llm ?? null, SYSTEM, JSON.stringify({ subject: t.subject, thread: facts }));
    const title = t.subject.slice(0, 200);
    const category = lastAgentState(t.thread)?.category ?? t.category;
    if (o.dryRun) {
      out.push({ ticketId: t.id, articleId: null, title });
      continue;
    }
    try {
      const a = await supportApi.proposeArticle(hub, t.id, { title, body: w.text ?? facts, tags: [category] });
      out.push({ ticketId: t.id, articleId: a.id, title });
    } catch (e) {
      // 409: the ticket already has an article (an operator made one meanwhile).
      if (e instanceof HubError && e.status === 409) continue;
      out.push({ ticketId: t.id, articleId: null, title, error: (e as Error).message });
    }
  }
  return out;
}
