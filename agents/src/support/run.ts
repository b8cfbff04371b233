import { type HubClient, HubError } from '../hub-client.js';
import type { ArticleSuggestion, LogLineView, TicketEntry, TicketView, TicketWithThread } from '../hub-types.js';
import { type Llm, maybeWrite } from '../llm.js';
import { draftReply, PRIORITY, triageNote } from './reply.js';
import { type InstanceContext, type Triage, triage } from './triage.js';

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
}

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
  const open = await d.hub.tickets({ state: 'open' });
  const auto = await d.hub
    .supportSettings()
    .then((s) => new Set(s.categories.filter((c) => c.autoReply).map((c) => c.category)))
    .catch(() => new Set<string>());
  const out: TriagedTicket[] = [];
  const skipped: string[] = [];
  for (const listed of open) {
    const ticket = await d.hub.ticket(listed.id);
    if (alreadyTriaged(ticket.thread)) {
      skipped.push(ticket.id);
      continue;
    }
    out.push(await one(d, ticket, auto));
  }
  return { at: new Date().toISOString(), hub: d.hub.baseUrl, dryRun: d.dryRun, tickets: out, skipped };
}

async function one(d: SupportDeps, ticket: TicketWithThread, auto: Set<string>): Promise<TriagedTicket> {
  const fromClient = ticket.thread.filter((e) => e.kind === 'message' && e.author === 'client');
  const words = (fromClient.length ? fromClient : ticket.thread.filter((e) => e.kind === 'message').slice(0, 1))
    .map((e) => e.body)
    .join('\n');
  const ctx = ticket.instanceId ? await context(d, ticket.instanceId) : null;
  const t = triage({ subject: ticket.subject, body: words, createdAt: ticket.createdAt }, ctx);
  const articles = await d.hub.kbSuggest(`${ticket.subject} ${words}`).catch(() => []);
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
  if (d.dryRun) return item;
  // Outages need a person; an automatic answer is only for what the category setting allows.
  const mayAuto = auto.has(t.category) && !['instance_offline', 'openclaw_down', 'resources'].includes(t.category);
  try {
    const r = await d.hub.triageTicket(ticket.id, {
      note: item.note,
      category: t.category,
      priority: PRIORITY[t.category],
      draftReply: mayAuto ? undefined : item.draft,
      proposeResolution: t.proposeResolve ? (t.evidence.at(-1) ?? 'the cause is gone') : undefined,
      autoReply: mayAuto ? item.draft : undefined,
      meta: { triage: true, category: t.category, articles: articles.map((a) => a.id) },
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
    const [instance, errorLines, commands] = await Promise.all([
      d.hub.getInstance(instanceId),
      d.hub.logs(instanceId, { level: 'warn', limit: d.logLines }),
      d.hub.listCommands(instanceId, { limit: 20 }),
    ]);
    return { instance, errorLines, commands };
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
    if (x.posted) lines.push(`  hub: ${x.posted.ok ? x.posted.detail : `refused: ${x.posted.detail}`}`);
  }
  return lines.join('\n');
}
