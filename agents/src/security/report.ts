import { formatModelProposals } from '../tools/format.js';
import type { SecurityReport } from './finding.js';

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** The report as lines a person reads in a terminal or the hub's log. */
export function formatSecurity(r: SecurityReport): string {
  const lines = [
    `Security check ${r.at}${r.dryRun ? ' (dry run)' : ''}: ${r.instances} instance(s), ${r.findings.length} problem(s), ${r.newFindings} new`,
  ];
  if (!r.findings.length) lines.push('No findings.');
  const sorted = [...r.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const f of sorted) {
    const state = f.posted?.seen ? ' (already reported)' : f.posted?.error ? ` (not posted: ${f.posted.error})` : '';
    lines.push(`- [${f.severity}] ${f.check}/${f.kind}: ${f.what}${state}`);
    if (f.proposed)
      lines.push(
        `    ${f.proposal?.commands.map((c) => c.type).join(', ')}: ${f.proposed.status}${f.proposed.proposalId ? ` ${f.proposed.proposalId}` : ''}${f.proposed.detail ? ` (${f.proposed.detail})` : ''}`,
      );
  }
  for (const e of r.errors) lines.push(`(check ${e.check} did not run: ${e.error})`);
  lines.push(...formatModelProposals(r.modelProposals));
  if (r.llmSummary) lines.push('', r.llmSummary);
  if (r.llmError) lines.push('', `(no model report: ${r.llmError})`);
  return lines.join('\n');
}
