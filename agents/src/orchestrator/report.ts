import { formatModelProposals } from '../tools/format.js';
import type { OrchestratorReport } from './policy.js';

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** The report as lines a person reads in a terminal or a chat message. */
export function formatReport(r: OrchestratorReport): string {
  const counts = Object.entries(r.counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const lines = [
    `Fleet check ${r.at}${r.dryRun ? ' (dry run)' : ''}: ${r.instances} instance(s)${counts ? ` — ${counts}` : ''}`,
  ];
  if (!r.findings.length) lines.push('No findings.');
  const sorted = [...r.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const f of sorted) {
    lines.push(`- [${f.severity}] ${f.hostname} (${f.instanceId}): ${f.message}`);
    if (f.action) {
      const a = f.action;
      const id = `${a.proposalId ? ` ${a.proposalId}` : ''}${a.commandId ? ` ${a.commandId}` : ''}`;
      const fin = a.finalStatus ? ` -> ${a.finalStatus}` : '';
      lines.push(`    ${a.type}: ${a.decision}${id}${fin} (${a.detail})`);
    }
  }
  const unposted = r.findings.filter((f) => f.reportError);
  if (unposted.length) lines.push(`(${unposted.length} finding(s) not posted: ${unposted[0].reportError})`);
  if (r.runError) lines.push(`(run not recorded: ${r.runError})`);
  lines.push(...formatModelProposals(r.modelProposals));
  if (r.llmSummary) lines.push('', r.llmSummary);
  if (r.llmError) lines.push('', `(no summary: ${r.llmError})`);
  return lines.join('\n');
}
