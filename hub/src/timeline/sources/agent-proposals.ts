import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** What ops agents proposed for the instance, with the decision and outcome (operators only). */
export const agentProposalsSource: TimelineSource = {
  kind: 'agent_proposal',
  clientVisible: false,
  async fetch(query) {
    const args: unknown[] = [JSON.stringify([{ instanceId: query.instanceId }])];
    const rows = await query.q.query(
      `SELECT id, created_at, agent, title, status, risk, reasoning, decided_by, refusal, outcomes FROM agent_proposals
       WHERE commands @> $1::jsonb AND ${windowSql('created_at', query, args)}
       ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => ({
      id: `agent_proposal:${r.id}`,
      t: iso(r.created_at),
      kind: 'agent_proposal',
      title: String(r.title),
      actor: `agent:${r.agent}`,
      status: String(r.status),
      detail: {
        risk: r.risk,
        reasoning: r.reasoning,
        decidedBy: r.decided_by ?? null,
        refusal: r.refusal ?? null,
        outcomes: r.outcomes ?? [],
      },
      link: `/api/v1/agent-proposals/${r.id}`,
    }));
  },
};
