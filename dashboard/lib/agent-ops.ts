import type { AgentFindingView, AgentProposalView, AgentRunView } from '@protocol/api';

/** Agent Ops as the hub's API shows it (`/ops-agents`, `/agent-findings`, `/agent-proposals`). */

export type AgentState = 'running' | 'paused' | 'dry_run' | 'breaker_open';

export type AgentRun = AgentRunView;
export type AgentFinding = AgentFindingView;
export type AgentProposal = AgentProposalView;

/** One ops agent with its policy and state. */
export interface OpsAgent {
  name: string;
  description: string;
  state: AgentState;
  paused: boolean;
  dryRun: boolean;
  failures: number;
  breakerOpenedAt: string | null;
  breakerReason: string | null;
  actions: Record<string, string>;
  limits: { maxInstancesPerHour: number; failureLimit: number };
  token: { id: string; expiresAt: string | null; lastUsedAt: string | null } | null;
  lastRun: AgentRun | null;
  pendingProposals: number;
}

/** Proposals waiting for an admin (approved ones the policy held back stay here too). */
export const QUEUE_STATUSES = ['pending', 'approved'] as const;
export const isQueued = (p: AgentProposal) => (QUEUE_STATUSES as readonly string[]).includes(p.status);

/** Badge tone and words of an agent's state. */
export const AGENT_STATE: Record<AgentState, { label: string; tone: 'success' | 'warning' | 'danger' | 'accent' }> = {
  running: { label: 'running', tone: 'success' },
  paused: { label: 'paused', tone: 'warning' },
  dry_run: { label: 'dry-run', tone: 'accent' },
  breaker_open: { label: 'breaker open', tone: 'danger' },
};

/** Badge tone of a proposal's status. */
export function proposalTone(s: AgentProposal['status']): 'success' | 'warning' | 'danger' | 'accent' | 'outline' {
  if (s === 'succeeded') return 'success';
  if (s === 'failed' || s === 'refused') return 'danger';
  if (s === 'pending' || s === 'approved') return 'warning';
  if (s === 'executing') return 'accent';
  return 'outline';
}

/** One line of a proposal's diff: `-` how it is now, `+` what the plan changes, ` ` context. */
export interface DiffLine {
  sign: '-' | '+' | ' ';
  text: string;
  /** Unique within its block (a plan may repeat a command). */
  key: string;
}

const openclawNow = (o: AgentProposal['targets'][number]['openclaw']) =>
  !o
    ? 'OpenClaw: no state reported'
    : `OpenClaw: ${o.up ? (o.ready === false ? 'up, not ready' : 'up') : 'down'}${o.error ? ` (${o.error})` : ''}`;

/**
 * What a proposal will change, per instance, as a diff: the instance's state now (`-`), each
 * command with its params (`+`), and the effect the agent expects (`+`).
 */
export function proposalDiff(p: AgentProposal): { instanceId: string; title: string; lines: DiffLine[] }[] {
  return p.targets.map((t) => {
    const raw: Omit<DiffLine, 'key'>[] = [
      { sign: ' ', text: `status: ${t.status ?? 'unknown'}` },
      { sign: '-', text: openclawNow(t.openclaw) },
    ];
    for (const c of p.commands.filter((x) => x.instanceId === t.instanceId)) {
      if (c.preview) {
        raw.push(...hubActionLines(c.type, c.preview));
        continue;
      }
      const params = Object.keys(c.params).length ? ` ${JSON.stringify(c.params)}` : '';
      raw.push({ sign: '+', text: `run ${c.type}${params}` });
    }
    raw.push({ sign: '+', text: `expected: ${p.expectedEffect}` });
    const lines = raw.map((l, n) => ({ ...l, key: `${n}` }));
    return { instanceId: t.instanceId, title: t.hostname ? `${t.hostname} (${t.instanceId})` : t.instanceId, lines };
  });
}

type Preview = NonNullable<AgentProposal['commands'][number]['preview']>;
const eur = (v: number | null) => (v === null ? 'price not listed' : `${v.toFixed(2)} EUR/month`);
/** "+3.58 EUR/month" / "−11.54 EUR/month" / "same price" */
export const priceDelta = (d: number | null) =>
  d === null
    ? 'price difference unknown'
    : d === 0
      ? 'same price'
      : `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(2)} EUR/month`;

/** A hub action (run by the hub itself) as what it changes: the server now, and after. */
function hubActionLines(type: string, v: Preview): Omit<DiffLine, 'key'>[] {
  const now = `server: ${v.fromServerType} in ${v.fromLocation} (${eur(v.monthlyFrom)})`;
  if (type === 'instance.replace')
    return [
      { sign: '-', text: `${now}${v.oldServerId ? `, #${v.oldServerId}` : ''}: dead` },
      {
        sign: '+',
        text: `new server: ${v.toServerType} in ${v.toLocation} (${eur(v.monthlyTo)}, ${priceDelta(v.monthlyDelta)})`,
      },
      {
        sign: '+',
        text: `restore backup ${v.backupId ?? '(latest)'}${v.backupAt ? ` of ${fmtWhen(v.backupAt)}` : ''}`,
      },
      { sign: '+', text: `then release the dead server${v.oldServerId ? ` #${v.oldServerId}` : ''}` },
    ];
  return [
    { sign: '-', text: now },
    {
      sign: '+',
      text: `server: ${v.toServerType} in ${v.toLocation} (${eur(v.monthlyTo)}, ${priceDelta(v.monthlyDelta)})`,
    },
  ];
}

const fmtWhen = (iso: string) => iso.replace('T', ' ').slice(0, 16) + ' UTC';

/** An outcome in words: its state, and for a change held for the maintenance window, when it runs. */
export function outcomeText(o: AgentProposal['outcomes'][number]): string {
  if (o.status === 'scheduled')
    return `waits for the maintenance window${o.runAfter ? ` from ${fmtWhen(o.runAfter)}` : ''}`;
  return o.detail ?? o.commandId;
}

/** USD with enough digits for model costs of a cent or less. */
export const fmtUsd = (v: number) => `$${v < 1 ? v.toFixed(4) : v.toFixed(2)}`;
