import { type HubClient, HubError } from '../hub-client.js';
import type { FindingView } from '../hub-types.js';
import { type Llm, maybeWrite } from '../llm.js';
import { billingApi, type InvoicePreview } from './api.js';
import {
  type Conversation,
  type CostPolicy,
  conversationsOf,
  DEFAULT_COST_POLICY,
  type ModelSaving,
  modelSavings,
} from './costs.js';
import { DEFAULT_REVIEW_POLICY, type InvoiceAnomaly, invoiceAnomalies, type ReviewPolicy } from './review.js';
import { oversized, percentile, type ServerSaving } from './servers.js';

/** The billing agent's settings. */
export interface BillingPolicy {
  review: ReviewPolicy;
  cost: CostPolicy;
  /** Days of conversations and metrics the cost suggestions look at. */
  lookbackDays: number;
  /** Run the month's invoices after the review (the hub's own run waits DS_BILLING_REVIEW_HOURS). */
  runInvoices: boolean;
  /** Send the payment reminders that are due. */
  reminders: boolean;
}

export const DEFAULT_BILLING_POLICY: BillingPolicy = {
  review: DEFAULT_REVIEW_POLICY,
  cost: DEFAULT_COST_POLICY,
  lookbackDays: 30,
  runInvoices: true,
  reminders: true,
};

/** What one billing pass did. */
export interface BillingReport {
  at: string;
  hub: string;
  dryRun: boolean;
  period: string;
  reviewed: number;
  /** Invoices held before issue (this pass or earlier), with what looked wrong. */
  held: { clientId: string; clientName: string; anomalies: InvoiceAnomaly[]; new: boolean }[];
  invoiceRun: { issued: number; skipped: number; held: number; failed: number } | null;
  reminders: { sent: number; paused: number } | null;
  savings: (ModelSaving & { proposal?: { id: string; status: string } | { error: string } })[];
  servers: ServerSaving[];
  findings: number;
  errors: string[];
  /** Checks left out and why (e.g. no provider configured for server prices). */
  skipped: string[];
  llmSummary?: string | null;
  llmError?: string | null;
}

export interface BillingDeps {
  hub: HubClient;
  llm?: Llm | null;
  dryRun: boolean;
  policy: BillingPolicy;
  /** YYYY-MM to review; default the hub's last complete month. */
  period?: string;
  now?: () => Date;
}

const SYSTEM =
  'You summarise for the operator of a managed AI-assistant hosting service what the billing review ' +
  'found: held invoices and cost savings, with their numbers. 2-4 sentences, only the facts given.';

/**
 * One billing pass: reviews the period's invoices before they go out (holds the ones that look
 * wrong, with a finding carrying the numbers), runs the invoices and the due reminders, and
 * posts cost suggestions (a cheaper model where satisfaction holds, as an approval-only model.set
 * proposal; an oversized server, as a finding). Each finding is posted once: its key is in the
 * evidence and the agent skips keys already among its findings on the hub.
 */
export async function runBilling(d: BillingDeps): Promise<BillingReport> {
  const now = d.now?.() ?? new Date();
  const errors: string[] = [];
  const skipped: string[] = [];
  const known = new Set(
    (await d.hub.listFindings({ agent: 'billing', limit: 500 }).catch(() => [] as FindingView[]))
      .map((f) => (f.evidence as { key?: string } | null)?.key)
      .filter(Boolean),
  );
  let findings = 0;
  const post = async (key: string, f: Parameters<HubClient['postFinding']>[0]) => {
    if (known.has(key) || d.dryRun) return null;
    known.add(key);
    findings++;
    return d.hub.postFinding({ ...f, evidence: { key, ...f.evidence } });
  };

  const preview = await billingApi.preview(d.hub, d.period);
  const held: BillingReport['held'] = [];
  for (const p of preview.invoices) {
    if (p.invoiceId) continue;
    const anomalies = invoiceAnomalies(p, d.policy.review);
    if (p.hold?.active) {
      held.push({ clientId: p.clientId, clientName: p.clientName, anomalies, new: false });
      continue;
    }
    if (!anomalies.length || p.hold) continue; // a cleared hold was an operator's decision
    held.push({ clientId: p.clientId, clientName: p.clientName, anomalies, new: true });
    if (d.dryRun) continue;
    await holdOne(d.hub, p, anomalies);
    await post(`invoice:${p.clientId}:${p.period}`, {
      kind: 'invoice_held',
      severity: 'warning',
      what: `Invoice of ${p.clientName} for ${p.period} held before issue: ${anomalies.map((a) => a.what).join('; ')}`,
      evidence: { clientId: p.clientId, period: p.period, subtotal: p.subtotal, currency: p.currency, anomalies },
    });
  }

  let invoiceRun: BillingReport['invoiceRun'] = null;
  let reminders: BillingReport['reminders'] = null;
  // Only a period the hub has not run yet: a hub that started billing mid-month starts with the
  // next period (it never metered this one whole), and a run once done is not repeated.
  const due = preview.lastRun !== null && preview.lastRun < preview.period;
  if (!d.dryRun && d.policy.runInvoices && due)
    invoiceRun = await billingApi.runInvoices(d.hub, preview.period).catch((e) => {
      errors.push(`invoice run: ${(e as Error).message}`);
      return null;
    });
  if (!d.dryRun && d.policy.reminders)
    reminders = await billingApi.runReminders(d.hub).catch((e) => {
      errors.push(`reminders: ${(e as Error).message}`);
      return null;
    });

  const savings: BillingReport['savings'] = [];
  const servers: ServerSaving[] = [];
  const instances = await d.hub.listInstances();
  const from = new Date(now.getTime() - d.policy.lookbackDays * 86_400_000).toISOString();
  try {
    const all: Conversation[] = [];
    for (const i of instances)
      all.push(...conversationsOf(i.clientId, i.id, await d.hub.conversations(i.id, { from, limit: 2000 })));
    const models = new Map<string, string[]>();
    for (const c of new Set(all.map((x) => x.clientId)))
      models.set(c, (await billingApi.clientBilling(d.hub, c)).allowance.models);
    const allowed = (c: string, m: string) => {
      const list = models.get(c) ?? [];
      return list.length === 0 || list.includes(m);
    };
    for (const s of modelSavings(all, allowed, d.policy.cost)) {
      const key = `cheaper_model:${s.clientId}:${s.model}>${s.cheaper}:${preview.period}`;
      const item: BillingReport['savings'][number] = { ...s };
      savings.push(item);
      const f = await post(key, {
        kind: 'cheaper_model',
        severity: 'info',
        what: `${s.cheaper} instead of ${s.model} would have cost ${s.savingUsd} USD (${Math.round(s.savingShare * 100)} %) less on ${s.conversations} conversations, with sentiment ${s.sentiment.cheaper} on ${s.sentiment.comparable} comparable ones against ${s.sentiment.current}`,
        evidence: { ...s },
      });
      if (!f) continue;
      item.proposal = await d.hub
        .propose({
          findingId: f.id,
          title: `Move ${s.clientId} to ${s.cheaper}`,
          commands: s.instances.map((instanceId) => ({ instanceId, type: 'model.set', params: { model: s.cheaper } })),
          expectedEffect: `about ${s.savingUsd} USD less per ${d.policy.lookbackDays} days at the measured cost per token`,
          risk: 'medium',
          reasoning: `cost ${s.costUsd} USD on ${s.model} vs ${s.projectedUsd} USD projected on ${s.cheaper}; mean sentiment ${s.sentiment.current} now vs ${s.sentiment.cheaper} on ${s.sentiment.comparable} comparable conversations (${s.band[0]}-${s.band[1]} tokens)`,
          idempotencyKey: key,
        })
        .then((p) => ({ id: p.id, status: p.status }))
        .catch((e) => ({ error: (e as Error).message }));
    }
  } catch (e) {
    errors.push(`cost suggestions: ${(e as Error).message}`);
  }

  try {
    const { serverTypes } = await billingApi.catalogue(d.hub);
    for (const i of instances) {
      const srv = await billingApi.server(d.hub, i.id).catch((e) => {
        if (e instanceof HubError && e.status === 404) return null; // not a server the hub deployed
        throw e;
      });
      if (!srv?.serverType || !srv.location) continue;
      const [cpu, mem] = await Promise.all([
        d.hub.metrics(i.id, { name: 'cpu', from }),
        d.hub.metrics(i.id, { name: 'memory', from }),
      ]);
      const s = oversized(
        {
          instanceId: i.id,
          clientId: i.clientId,
          serverType: srv.serverType,
          location: srv.location,
          cpuP95: percentile(
            cpu.points.map((p) => p[1]),
            95,
          ),
          memoryMax: Math.max(0, ...mem.points.map((p) => p[1])),
          samples: Math.min(cpu.points.length, mem.points.length),
        },
        serverTypes,
      );
      if (!s) continue;
      servers.push(s);
      await post(`oversized:${i.id}:${s.current.type}:${preview.period}`, {
        instanceId: i.id,
        kind: 'server_oversized',
        severity: 'info',
        what: `${i.hostname} on ${s.current.type} (${s.current.monthly}/month) uses CPU p95 ${s.load.cpuP95} %, memory max ${s.load.memoryMax} %: ${s.suggested.type} (${s.suggested.monthly}/month) carries it with 2x headroom`,
        evidence: { ...s },
      });
    }
  } catch (e) {
    // 503: the hub deploys no servers (no provider configured), so there are no prices to compare.
    if (e instanceof HubError && e.status === 503) skipped.push(`servers: ${e.message}`);
    else errors.push(`servers: ${(e as Error).message}`);
  }

  const report: BillingReport = {
    at: now.toISOString(),
    hub: d.hub.baseUrl,
    dryRun: d.dryRun,
    period: preview.period,
    reviewed: preview.invoices.length,
    held,
    invoiceRun,
    reminders,
    savings,
    servers,
    findings,
    errors,
    skipped,
  };
  if (d.llm && (held.length || savings.length || servers.length)) {
    const w = await maybeWrite(
      d.llm,
      SYSTEM,
      JSON.stringify({ held, savings: savings.map(({ proposal: _p, ...s }) => s), servers }),
    );
    report.llmSummary = w.text;
    report.llmError = w.error;
  }
  return report;
}

async function holdOne(hub: HubClient, p: InvoicePreview, anomalies: InvoiceAnomaly[]) {
  await billingApi.hold(hub, {
    clientId: p.clientId,
    period: p.period,
    reason: anomalies
      .map((a) => a.what)
      .join('; ')
      .slice(0, 2000),
    evidence: { subtotal: p.subtotal, currency: p.currency, anomalies },
  });
}

/** The report as text. */
export function formatBilling(r: BillingReport): string {
  const lines = [
    `Billing ${r.at}${r.dryRun ? ' (dry run: nothing written to the hub)' : ''}: ${r.period}, ${r.reviewed} invoice(s) reviewed, ${r.held.length} held, ${r.findings} finding(s) posted`,
  ];
  for (const h of r.held)
    lines.push(
      `  held${h.new ? '' : ' (earlier)'}: ${h.clientName} — ${h.anomalies.map((a) => a.what).join('; ') || 'by an operator'}`,
    );
  if (r.invoiceRun)
    lines.push(
      `  invoice run: ${r.invoiceRun.issued} issued, ${r.invoiceRun.held} held, ${r.invoiceRun.skipped} already issued, ${r.invoiceRun.failed} failed`,
    );
  if (r.reminders) lines.push(`  reminders: ${r.reminders.sent} sent, ${r.reminders.paused} paused`);
  for (const s of r.savings)
    lines.push(
      `  cheaper model for ${s.clientId}: ${s.model} → ${s.cheaper}, saves ${s.savingUsd} USD (${Math.round(s.savingShare * 100)} %)`,
    );
  for (const s of r.servers)
    lines.push(`  oversized: ${s.instanceId} ${s.current.type} → ${s.suggested.type}, saves ${s.savingMonthly}/month`);
  for (const e of r.errors) lines.push(`  error: ${e}`);
  for (const e of r.skipped) lines.push(`  skipped: ${e}`);
  if (r.llmSummary) lines.push('', r.llmSummary);
  return lines.join('\n');
}
