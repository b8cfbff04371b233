import { type HubClient, HubError } from '../hub-client.js';
import type { ArticleSuggestion, LogLineView, TicketEntry, TicketView } from '../hub-types.js';
import { type Llm, maybeWrite } from '../llm.js';
import { type SupportTicket, supportApi } from './api.js';
import { type ProposedArticle, proposeArticles } from './articles.js';
import { escalationReason } from './escalation.js';
import { draftReply, PRIORITY, triageNote } from './reply.js';
import { type InstanceContext, type Triage, triage } from './triage.js';
import { type NoteMeta, type WatchOutcome, watchTicket } from './watch.js';

/** One triaged ticket, with what the hub knows about its instance. */
export interface TriagedTicket {
  ticket: TicketView;
  triage: Triage;
  health: {
    status: string;
    openclaw: unknown;
    metrics: Record<string, number>;
    lastSeen: string | null;
  } | null;
  errorLines: LogLineView[];
  articles: ArticleSuggestion[];
  /** Why the ticket goes to a person, when it does. */
  escalation: string | null;
  note: string;
  draft: string;
  /** Written note from a model, when one is configured. */
  llmNote?: string | null;
  llmError?: string | null;
  /** What the hub said to the write-back (not set with dryRun). */
  posted?: { ok: boolean; autoReplied: boolean; detail: string };
}

/** The support agent's report. */
export interface SupportReport {
  at: string;
  hub: string;
  dryRun: boolean;
  tickets: TriagedTicket[];
  /** Tickets already triaged since their last client message. */
  skipped: string[];
  /** Follow-ups of triaged tickets whose measured cause the agent watches. */
  followUps: WatchOutcome[];
  /** Draft articles proposed from resolved tickets that had none. */
  articles: ProposedArticle[];
}

/** What the support pass needs. */
export interface SupportDeps {
  hub: HubClient;
  llm?: Llm | null;
  /** Write nothing back; print only. */
  dryRun: boolean;
  logLines: number;
  /** Where articles are linked in drafted replies (the client help page). */
  helpBase?: string;
  /** Seconds the cause must stay gone before a ticket is resolved (or proposed for it). */
  healthyWindowSec?: number;
}

/**
 * The hub's search also returns articles sharing a single common word with the ticket (ranked a
 * tenth of a real match); below this rank an article is not one that applies.
 */
export const MIN_ARTICLE_RANK = 0.01;

/** Default stay-healthy window before an automatic resolution. */
export const DEFAULT_HEALTHY_WINDOW_SEC = 600;

const SYSTEM =
  'You help the operator of a managed AI-assistant hosting service triage a client support ticket. ' +
  'Given the ticket, a proposed category, evidence and error log lines, write a 2-4 sentence internal ' +
  'triage note. Use only the facts given.';

/** Whether the agent already wrote its triage after the client's last message. */
function alreadyTriaged(thread: TicketEntry[]): boolean {
  const lastClient = thread.filter((e) => e.kind === 'message' && e.author === 'client').at(-1);
  const lastTriage = thread.filter((e) => e.kind === 'note' && e.author === 'agent').at(-1);
  return !!lastTriage && (!lastClient || lastTriage.createdAt >= lastClient.createdAt);
}

/**
 * Triages every open ticket not triaged since its client last wrote: a note, priority and
 * category, a drafted reply for the operator, and a resolution proposal only when the hub's data
 * shows the cause gone. An automatic reply goes out only where the hub's category setting allows
 * it (the hub checks again and adds the automatic notice).
 */
export async function runSupport(d: SupportDeps): Promise<SupportReport> {
  const listed = [
    ...(await d.hub.tickets({ state: 'open' })),
    ...(await d.hub.tickets({ state: 'waiting_on_client' })),
  ];
  const auto = await d.hub
    .supportSettings()
    .then((s) => new Set(s.categories.filter((c) => c.autoReply).map((c) => c.category)))
    .catch(() => new Set<string>());
  const out: TriagedTicket[] = [];
  const skipped: string[] = [];
  const followUps: WatchOutcome[] = [];
  for (const l of listed) {
    const ticket = await supportApi.ticket(d.hub, l.id);
    if (alreadyTriaged(ticket.thread)) {
      skipped.push(ticket.id);
      const w = await watchTicket(d.hub, ticket, {
        windowSec: d.healthyWindowSec ?? DEFAULT_HEALTHY_WINDOW_SEC,
        autoCategories: auto,
        dryRun: d.dryRun,
      }).catch((e) => ({ ticketId: ticket.id, action: 'refused' as const, detail: (e as Error).message }));
      if (w) followUps.push(w);
      continue;
    }
    out.push(await one(d, ticket, auto));
  }
  const articles = await proposeArticles(d.hub, { llm: d.llm, dryRun: d.dryRun }).catch(() => []);
  return {
    at: new Date().toISOString(),
    hub: d.hub.baseUrl,
    dryRun: d.dryRun,
    tickets: out,
    skipped,
    followUps,
    articles,
  };
}

async function one(d: SupportDeps, ticket: SupportTicket, auto: Set<string>): Promise<TriagedTicket> {
  const fromClient = ticket.thread.filter((e) => e.kind === 'message' && e.author === 'client');
  const words = (fromClient.length ? fromClient : ticket.thread.filter((e) => e.kind === 'message').slice(0, 1))
    .map((e) => e.body)
    .join('\n');
  const ctx = ticket.instanceId ? await context(d, ticket.instanceId) : null;
  const t = triage({ subject: ticket.subject, body: words, createdAt: ticket.createdAt }, ctx);
  // The broken channels' names find their articles even when the client does not name them.
  const channelWords = (ctx?.instance?.openclaw?.channels ?? [])
    .filter((c) => c.error || c.connected === false)
    .map((c) => c.id)
    .join(' ');
  const articles = (
    await d.hub.kbSuggest(`${ticket.subject} ${words} ${channelWords}`.slice(0, 500)).catch(() => [])
  ).filter((a) => a.rank >= MIN_ARTICLE_RANK);
  const escalation = ticket.escalatedAt
    ? null
    : escalationReason(fromClient.at(-1)?.body ?? '', words, t.measured || articles.length > 0);
  const item: TriagedTicket = {
    ticket,
    triage: t,
    health: ctx?.instance
      ? {
          status: ctx.instance.status,
          openclaw: ctx.instance.openclaw,
          metrics: ctx.instance.metrics as Record<string, number>,
          lastSeen: ctx.instance.lastSeen,
        }
      : null,
    errorLines: ctx?.errorLines ?? [],
    articles,
    escalation,
    note: '',
    draft: draftReply(t, articles, d.helpBase ?? '/client/help/?article='),
  };
  if (d.llm) {
    const prompt = JSON.stringify({
      subject: ticket.subject,
      body: words,
      category: t.category,
      evidence: t.evidence,
      nextStep: t.nextStep,
      errorLines: item.errorLines.slice(0, 10).map((l) => `${l.t} ${l.level} ${l.subsystem}: ${l.msg}`),
    });
    const w = await maybeWrite(d.llm, SYSTEM, prompt);
    item.llmNote = w.text;
    item.llmError = w.error;
  }
  item.note = triageNote(t, articles, item.llmNote);
  if (escalation) item.note += `\nEscalated to a person: ${escalation}.`;
  if (d.dryRun) return item;
  // Outages and escalations need a person; an automatic answer is only for what the category allows.
  const mayAuto =
    !escalation && auto.has(t.category) && !['instance_offline', 'openclaw_down', 'resources'].includes(t.category);
  const meta: NoteMeta = {
    triage: true,
    category: t.category,
    measured: t.measured,
    escalated: escalation ?? ticket.escalationReason ?? null,
    articles: articles.map((a) => a.id),
    healthySince: null,
  };
  try {
    const r = await supportApi.write(d.hub, ticket.id, {
      note: item.note,
      category: t.category,
      priority: PRIORITY[t.category],
      draftReply: mayAuto ? undefined : item.draft,
      proposeResolution: t.proposeResolve ? (t.evidence.at(-1) ?? 'the cause is gone') : undefined,
      autoReply: mayAuto ? item.draft : undefined,
      escalate: escalation ?? undefined,
      meta: meta as Record<string, unknown>,
    });
    item.posted = {
      ok: true,
      autoReplied: r.autoReplied,
      detail: r.autoReplied ? 'note and automatic reply' : 'note and draft',
    };
  } catch (e) {
    item.posted = { ok: false, autoReplied: false, detail: e instanceof HubError ? e.message : (e as Error).message };
  }
  return item;
}

async function context(d: SupportDeps, instanceId: string): Promise<InstanceContext> {
  try {
    const [instance, errorLines, commands, changes] = await Promise.all([
      d.hub.getInstance(instanceId),
      d.hub.logs(instanceId, { level: 'warn', limit: d.logLines }),
      d.hub.listCommands(instanceId, { limit: 20 }),
      supportApi.timeline(d.hub, instanceId).catch(() => []),
    ]);
    return { instance, errorLines, commands, changes };
  } catch (e) {
    return { instance: null, errorLines: [], commands: [], error: (e as Error).message };
  }
}

/** The report as text. */
export function formatSupport(r: SupportReport): string {
  const lines = [
    `Support triage ${r.at}${r.dryRun ? ' (dry run: nothing written to the hub)' : ''}: ${r.tickets.length} ticket(s) triaged, ${r.skipped.length} already triaged`,
  ];
  for (const x of r.tickets) {
    lines.push(
      '',
      `# ${x.ticket.id} “${x.ticket.subject}” (client ${x.ticket.clientId}${x.ticket.instanceId ? `, instance ${x.ticket.instanceId}` : ''})`,
    );
    lines.push(`  category: ${x.triage.category}${x.triage.proposeResolve ? ' — proposed for resolution' : ''}`);
    for (const e of x.triage.evidence) lines.push(`  - ${e}`);
    for (const l of x.errorLines.slice(0, 5)) lines.push(`  | ${l.t} ${l.level} ${l.subsystem}: ${l.msg}`);
    lines.push(`  next: ${x.triage.nextStep}`);
    if (x.articles.length) lines.push(`  articles: ${x.articles.map((a) => a.title).join('; ')}`);
    if (x.llmError) lines.push(`  (no written note: ${x.llmError})`);
    if (x.escalation) lines.push(`  escalated: ${x.escalation}`);
    if (x.posted) lines.push(`  hub: ${x.posted.ok ? x.posted.detail : `refused: ${x.posted.detail}`}`);
  }
  for (const f of r.followUps) lines.push(`follow-up ${f.ticketId}: ${f.action} (${f.detail})`);
  for (const a of r.articles)
    lines.push(
      `article draft from ${a.ticketId}: ${a.articleId ?? (a.error ? `failed: ${a.error}` : 'would propose')} “${a.title}”`,
    );
  return lines.join('\n');
}
