import { type HubClient, HubError } from '../hub-client.js';
import type { LogLineView, SupportRequest } from '../hub-types.js';
import { type Llm, maybeWrite } from '../llm.js';
import { type InstanceContext, type Triage, triage } from './triage.js';

/** One triaged request, with what the hub knows about its instance. */
export interface TriagedRequest {
  request: SupportRequest;
  triage: Triage;
  health: {
    status: string;
    openclaw: unknown;
    metrics: Record<string, number>;
    lastSeen: string | null;
  } | null;
  errorLines: LogLineView[];
  /** Written note for the operator when a model is configured. */
  llmNote?: string | null;
  llmError?: string | null;
  /** With --apply: resolved, or why not. */
  resolution?: { resolved: boolean; detail: string };
}

/** The support agent's report. */
export interface SupportReport {
  at: string;
  hub: string;
  apply: boolean;
  requests: TriagedRequest[];
}

/** What the support pass needs. */
export interface SupportDeps {
  hub: HubClient;
  llm?: Llm | null;
  /** Resolve requests the rules find fixed. Never without it. */
  apply: boolean;
  logLines: number;
}

const SYSTEM =
  'You help the operator of a managed AI-assistant hosting service triage a client support request. ' +
  'Given the request, a proposed category, evidence and error log lines, write a 2-4 sentence internal ' +
  'triage note and a one-sentence reply the operator could send. Use only the facts given.';

/** Triages every open request; resolves only with `apply` and only those the rules find fixed. */
export async function runSupport(d: SupportDeps): Promise<SupportReport> {
  const open = await d.hub.supportRequests({ status: 'open' });
  const out: TriagedRequest[] = [];
  for (const request of open) {
    const ctx = request.instanceId ? await context(d, request.instanceId) : null;
    const t = triage(request, ctx);
    const item: TriagedRequest = {
      request,
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
    };
    if (d.llm) {
      const prompt = JSON.stringify({
        subject: request.subject,
        body: request.body,
        category: t.category,
        evidence: t.evidence,
        nextStep: t.nextStep,
        errorLines: item.errorLines.slice(0, 10).map((l) => `${l.t} ${l.level} ${l.subsystem}: ${l.msg}`),
      });
      const w = await maybeWrite(d.llm, SYSTEM, prompt);
      item.llmNote = w.text;
      item.llmError = w.error;
    }
    if (d.apply && t.proposeResolve) {
      try {
        await d.hub.resolveSupportRequest(request.id);
        item.resolution = { resolved: true, detail: 'resolved' };
      } catch (e) {
        item.resolution = { resolved: false, detail: e instanceof HubError ? e.message : (e as Error).message };
      }
    }
    out.push(item);
  }
  return { at: new Date().toISOString(), hub: d.hub.baseUrl, apply: d.apply, requests: out };
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
    `Support triage ${r.at}${r.apply ? '' : ' (proposals only; --apply resolves)'}: ${r.requests.length} open request(s)`,
  ];
  for (const x of r.requests) {
    lines.push(
      '',
      `# ${x.request.id} “${x.request.subject}” (client ${x.request.clientId}${x.request.instanceId ? `, instance ${x.request.instanceId}` : ''})`,
    );
    lines.push(`  category: ${x.triage.category}${x.triage.proposeResolve ? ' — can be resolved' : ''}`);
    for (const e of x.triage.evidence) lines.push(`  - ${e}`);
    for (const l of x.errorLines.slice(0, 5)) lines.push(`  | ${l.t} ${l.level} ${l.subsystem}: ${l.msg}`);
    lines.push(`  next: ${x.triage.nextStep}`);
    if (x.llmNote) lines.push(`  note: ${x.llmNote.replace(/\n+/g, ' ')}`);
    if (x.llmError) lines.push(`  (no note: ${x.llmError})`);
    if (x.resolution) lines.push(`  ${x.resolution.resolved ? 'RESOLVED' : `not resolved: ${x.resolution.detail}`}`);
  }
  return lines.join('\n');
}
