import { type HubClient, HubError } from '../hub-client.js';
import { type Llm, maybeWrite } from '../llm.js';
import {
  analyse,
  DEFAULT_LEARNING_POLICY,
  type LearningFinding,
  type LearningPolicy,
  suggestInstructions,
} from './analyse.js';

/** What one pass did, per instance and per decided experiment. */
export interface LearningReport {
  instances: {
    instanceId: string;
    messages: number;
    findings: (LearningFinding & { posted: boolean })[];
    proposal: { id: string; status: string } | { error: string } | null;
  }[];
  winners: { experimentId: string; proposal: { id: string; status: string } | { error: string } }[];
  llmError: string | null;
  errors: string[];
}

/** ISO week of a date, `YYYY-Www`: findings and proposals are posted once per instance and week. */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7));
  const jan1 = Date.UTC(t.getUTCFullYear(), 0, 1);
  return `${t.getUTCFullYear()}-W${String(1 + Math.floor((t.getTime() - jan1) / (7 * 86_400_000))).padStart(2, '0')}`;
}

const excerpt = (f: LearningFinding) =>
  f.examples
    .map((e) => `  - user: "${e.user}"${e.assistant ? ` / assistant: "${e.assistant}"` : ' / no reply'}`)
    .join('\n');

/**
 * One learning pass: each instance's recent conversations are analysed (analyse.ts); each finding
 * is posted once per instance and ISO week (its dedupe key in the evidence); when the persona
 * handles questions badly, the hub is asked to propose the added instructions (it builds the
 * config.apply from the client's persona; an operator or the client owner approves). A model, when
 * configured, only rewords the instructions from the same examples. Decided experiments with a
 * winner and no proposal yet get one.
 */
export async function runLearning(o: {
  hub: HubClient;
  llm: Llm | null;
  dryRun: boolean;
  policy?: LearningPolicy;
  now?: Date;
}): Promise<LearningReport> {
  const p = o.policy ?? DEFAULT_LEARNING_POLICY;
  const now = o.now ?? new Date();
  const week = isoWeek(now);
  const report: LearningReport = { instances: [], winners: [], llmError: null, errors: [] };
  const seen = new Set(
    o.dryRun
      ? []
      : (await o.hub.listFindings({ agent: 'learning', limit: 500 })).map((f) =>
          String((f.evidence as { key?: string })?.key ?? ''),
        ),
  );
  for (const inst of await o.hub.listInstances()) {
    try {
      const messages = await o.hub.conversations(inst.id, {
        from: new Date(now.getTime() - p.days * 86_400_000).toISOString(),
        limit: 2000,
      });
      const findings = analyse(messages, p);
      const entry: LearningReport['instances'][number] = {
        instanceId: inst.id,
        messages: messages.length,
        findings: [],
        proposal: null,
      };
      report.instances.push(entry);
      for (const f of findings) {
        const key = `learning:${inst.id}:${f.kind}:${f.topic ?? ''}:${week}`;
        const post = !o.dryRun && !seen.has(key);
        if (post)
          await o.hub.postFinding({
            instanceId: inst.id,
            kind: f.kind,
            severity: f.severity,
            what: f.what,
            evidence: { key, count: f.count, sessions: f.sessions, examples: f.examples },
          });
        entry.findings.push({ ...f, posted: post });
      }
      let add = suggestInstructions(findings);
      if (!add || o.dryRun) continue;
      const motivating = findings.filter((f) => f.kind !== 'negative_turns');
      const written = await maybeWrite(
        o.llm,
        'You improve the instructions of a customer-service assistant. Reply with at most 6 markdown bullet lines of instructions, nothing else. Do not invent facts, prices or policies.',
        `Conversations the assistant handled badly:\n${motivating.map((f) => `${f.what}\n${excerpt(f)}`).join('\n')}\n\nDraft instructions:\n${add}`,
      );
      if (written.error) report.llmError = written.error;
      if (written.text?.trim().startsWith('-')) add = `## Learned from recent conversations\n\n${written.text.trim()}`;
      const reasoning =
        `From ${messages.length} messages (${findings[0]?.sessions ?? 0} conversations, last ${p.days} days):\n${motivating
          .map((f) => `${f.what}\n${excerpt(f)}`)
          .join('\n')}`.slice(0, 4000);
      try {
        const v = await o.hub.proposePersona({
          instanceId: inst.id,
          addInstructions: add,
          title: `Persona: ${motivating.length} issue(s) seen in conversations`,
          reasoning,
          idempotencyKey: `learning:${inst.id}:${week}`,
        });
        entry.proposal = { id: v.id, status: v.status };
      } catch (e) {
        entry.proposal = { error: e instanceof HubError ? `${e.code}: ${e.message}` : (e as Error).message };
      }
    } catch (e) {
      report.errors.push(`${inst.id}: ${(e as Error).message}`);
    }
  }
  const decided = await o.hub.experiments({ status: 'decided' }).catch((err) => {
    report.errors.push(`experiments: ${(err as Error).message}`);
    return [];
  });
  for (const e of decided) {
    if (!e.winner || e.proposalId || o.dryRun) continue;
    const ev = e.evaluation;
    const reasoning = [
      `Experiment "${e.name}": ${e.stopReason ?? ''}`,
      ev
        ? `A (${e.variantA.label}): ${ev.a.sessions} sessions, resolved ${(ev.a.resolutionRate * 100).toFixed(1)} %, sentiment ${ev.a.sentimentMean?.toFixed(2) ?? 'n/a'}, ${ev.a.replyLengthMean.toFixed(0)} chars/reply, $${ev.a.costMean.toFixed(4)}/session`
        : '',
      ev
        ? `B (${e.variantB.label}): ${ev.b.sessions} sessions, resolved ${(ev.b.resolutionRate * 100).toFixed(1)} %, sentiment ${ev.b.sentimentMean?.toFixed(2) ?? 'n/a'}, ${ev.b.replyLengthMean.toFixed(0)} chars/reply, $${ev.b.costMean.toFixed(4)}/session`
        : '',
    ]
      .filter(Boolean)
      .join('\n');
    try {
      const v = await o.hub.proposeWinner(e.id, reasoning);
      report.winners.push({ experimentId: e.id, proposal: { id: v.id, status: v.status } });
    } catch (err) {
      report.winners.push({
        experimentId: e.id,
        proposal: { error: err instanceof HubError ? `${err.code}: ${err.message}` : (err as Error).message },
      });
    }
  }
  return report;
}

/** A readable report. */
export function formatLearning(r: LearningReport): string {
  const findings = r.instances.reduce((n, i) => n + i.findings.length, 0);
  const lines = [
    `Learning: ${r.instances.length} instance(s) analysed, ${findings} finding(s), ${r.winners.length} A/B winner(s) proposed`,
  ];
  for (const i of r.instances) {
    lines.push(`  ${i.instanceId}: ${i.messages} messages, ${i.findings.length} finding(s)`);
    for (const f of i.findings) lines.push(`    ${f.kind}: ${f.what}${f.posted ? '' : ' (not posted)'}`);
    if (i.proposal)
      lines.push(`    proposal: ${'id' in i.proposal ? `${i.proposal.id} ${i.proposal.status}` : i.proposal.error}`);
  }
  for (const w of r.winners)
    lines.push(
      `  experiment ${w.experimentId}: ${'id' in w.proposal ? `winner proposed (${w.proposal.id} ${w.proposal.status})` : w.proposal.error}`,
    );
  if (r.llmError) lines.push(`  model: ${r.llmError}`);
  for (const e of r.errors) lines.push(`  error: ${e}`);
  return lines.join('\n');
}
