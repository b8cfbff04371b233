import type { ModelProposal } from './propose-tools.js';

/** The model's proposals as report lines: plan, what the hub did, and its ids or refusal. */
export function formatModelProposals(list: ModelProposal[] | undefined): string[] {
  if (!list?.length) return [];
  return [
    'Proposed by the model:',
    ...list.map((p) => {
      const cmds = p.commands.map((c) => `${c.type} on ${c.instanceId}`).join(', ');
      const id = p.proposalId ? ` ${p.proposalId}` : '';
      const why = p.code ? ` (${p.code}: ${p.message})` : p.message ? ` (${p.message})` : '';
      return `- ${p.title} [${cmds}]: ${p.decision}${id}${why}`;
    }),
  ];
}
