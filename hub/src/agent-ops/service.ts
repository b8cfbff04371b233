import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import { audit } from '../commands/audit.js';
import type { Db } from '../db/index.js';
import { newId } from '../util/ids.js';
import { AGENT_NAMES, AGENTS, type AgentName, isAgentName } from './agents.js';
import type { AgentOpsDeps } from './deps.js';
import { ensureAgents } from './identity.js';
import { type AgentState, assertActive, limitsOf } from './policy.js';
import { Proposals } from './proposals.js';
import { type FindingView, type RunView, toAgentState, toFinding, toRun } from './views.js';

/** An agent as Mission Control shows it. */
export interface AgentView extends AgentState {
  description: string;
  scopes: readonly string[];
  /** running | paused | dry_run | breaker_open */
  state: 'running' | 'paused' | 'dry_run' | 'breaker_open';
  limits: { maxInstancesPerHour: number; failureLimit: number };
  token: { id: string; expiresAt: string | null; lastUsedAt: string | null } | null;
  lastRun: RunView | null;
  pendingProposals: number;
}

/** A new finding. */
export interface NewFinding {
  runId?: string;
  instanceId?: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  what: string;
  evidence: Record<string, unknown>;
}

/** Changes an admin makes to an agent's policy. */
export interface PolicyPatch {
  dryRun?: boolean;
  actions?: Record<string, 'auto' | 'approve' | 'never'>;
  maxInstancesPerHour?: number | null;
  failureLimit?: number | null;
}

/**
 * The ops agents' side of the hub: their state and policy, findings, proposals (proposals.ts)
 * and runs. Everything an agent writes goes through here, and so through the policy.
 */
export class AgentOps {
  readonly proposals: Proposals;

  constructor(private readonly d: AgentOpsDeps) {
    this.proposals = new Proposals(d, (name) => this.agent(name));
  }

  async start(): Promise<void> {
    await ensureAgents(this.d.db);
    this.proposals.follow();
  }

  async agent(name: string): Promise<AgentState> {
    if (!isAgentName(name)) throw notFound('agent');
    const rows = await this.d.db.query('SELECT * FROM ops_agents WHERE name = $1', [name]);
    if (!rows[0]) throw notFound('agent');
    return toAgentState(rows[0]);
  }

  async list(): Promise<AgentView[]> {
    const rows = await this.d.db.query('SELECT * FROM ops_agents');
    const byName = new Map(rows.map((r) => [String(r.name), toAgentState(r)]));
    const tokens = await this.d.db.query<{ user_id: string; id: string; expires_at: string; last_used_at: string }>(
      `SELECT user_id, id, expires_at, last_used_at FROM api_tokens
       WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at`,
    );
    const pending = await this.d.db.query<{ agent: string; n: number }>(
      "SELECT agent, count(*)::int AS n FROM agent_proposals WHERE status IN ('pending','approved') GROUP BY agent",
    );
    const out: AgentView[] = [];
    for (const name of AGENT_NAMES) {
      const a = byName.get(name);
      if (!a) continue;
      const tok = tokens.filter((t) => t.user_id === a.accountId).at(-1);
      const last = await this.d.db.query('SELECT * FROM agent_runs WHERE agent = $1 ORDER BY started_at DESC LIMIT 1', [
        name,
      ]);
      out.push({
        ...a,
        description: AGENTS[name].description,
        scopes: AGENTS[name].scopes,
        state: a.paused ? 'paused' : a.breakerOpenedAt ? 'breaker_open' : a.dryRun ? 'dry_run' : 'running',
        limits: limitsOf(a, this.d.config),
        token: tok
          ? {
              id: tok.id,
              expiresAt: tok.expires_at ? new Date(tok.expires_at).toISOString() : null,
              lastUsedAt: tok.last_used_at ? new Date(tok.last_used_at).toISOString() : null,
            }
          : null,
        lastRun: last[0] ? toRun(last[0]) : null,
        pendingProposals: pending.find((p) => p.agent === name)?.n ?? 0,
      });
    }
    return out;
  }

  /** Pauses or resumes an agent: a paused agent's writes are refused. */
  async setPaused(name: string, paused: boolean, actor: string): Promise<AgentState> {
    await this.agent(name);
    await this.d.db.query('UPDATE ops_agents SET paused = $2, updated_at = now() WHERE name = $1', [name, paused]);
    await audit(this.d.db, actor, paused ? 'agent.pause' : 'agent.resume', name, null, { agent: name });
    return this.agent(name);
  }

  async updatePolicy(name: string, p: PolicyPatch, actor: string): Promise<AgentState> {
    const a = await this.agent(name);
    await this.d.db.query(
      `UPDATE ops_agents SET dry_run = $2, actions = $3, max_instances_per_hour = $4, failure_limit = $5,
         updated_at = now() WHERE name = $1`,
      [
        name,
        p.dryRun ?? a.dryRun,
        JSON.stringify(p.actions ? { ...a.actions, ...p.actions } : a.actions),
        p.maxInstancesPerHour === undefined ? a.maxInstancesPerHour : p.maxInstancesPerHour,
        p.failureLimit === undefined ? a.failureLimit : p.failureLimit,
      ],
    );
    await audit(this.d.db, actor, 'agent.policy.update', name, null, { agent: name, ...p });
    return this.agent(name);
  }

  /** Closes an open circuit breaker (and forgets the failures that opened it). */
  async resetBreaker(name: string, actor: string): Promise<AgentState> {
    const a = await this.agent(name);
    await this.d.db.query(
      'UPDATE ops_agents SET failures = 0, breaker_opened_at = NULL, breaker_reason = NULL, updated_at = now() WHERE name = $1',
      [name],
    );
    await audit(this.d.db, actor, 'agent.breaker.reset', name, null, { agent: name, wasOpen: !!a.breakerOpenedAt });
    return this.agent(name);
  }

  async addFinding(agent: AgentName, actor: string, f: NewFinding): Promise<FindingView> {
    assertActive(await this.agent(agent));
    const inst = f.instanceId ? this.d.fleet.get(f.instanceId) : undefined;
    if (f.instanceId && !inst) throw notFound('instance');
    if (f.runId) await this.ownRun(agent, f.runId);
    const rows = await this.d.db.query(
      `INSERT INTO agent_findings (id, agent, run_id, instance_id, client_id, kind, severity, what, evidence)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
      [
        newId('afd'),
        agent,
        f.runId ?? null,
        f.instanceId ?? null,
        inst?.clientId ?? null,
        f.kind,
        f.severity,
        f.what,
        JSON.stringify(f.evidence),
      ],
    );
    const v = toFinding(rows[0]);
    await audit(this.d.db, actor, 'agent.finding', v.id, v.clientId, { agent, kind: f.kind, severity: f.severity });
    return v;
  }

  async findings(q: { agent?: string; instanceId?: string; limit: number }): Promise<FindingView[]> {
    const rows = await this.d.db.query(
      `SELECT * FROM agent_findings WHERE ($1::text IS NULL OR agent = $1) AND ($2::text IS NULL OR instance_id = $2)
       ORDER BY created_at DESC LIMIT $3`,
      [q.agent ?? null, q.instanceId ?? null, q.limit],
    );
    return rows.map(toFinding);
  }

  async startRun(agent: AgentName): Promise<RunView> {
    assertActive(await this.agent(agent));
    const rows = await this.d.db.query('INSERT INTO agent_runs (id, agent) VALUES ($1,$2) RETURNING *', [
      newId('arun'),
      agent,
    ]);
    return toRun(rows[0]);
  }

  /** Ends a run: its findings and proposals are counted by the hub, cost and tokens come from the agent. */
  async finishRun(
    agent: AgentName,
    id: string,
    r: { costUsd: number; tokensIn: number; tokensOut: number; error?: string },
  ): Promise<RunView> {
    await this.ownRun(agent, id);
    const rows = await this.d.db.query(
      `UPDATE agent_runs SET ended_at = COALESCE(ended_at, now()), cost_usd = $2, tokens_in = $3, tokens_out = $4, error = $5,
         findings = (SELECT count(*) FROM agent_findings WHERE run_id = $1),
         proposals = (SELECT count(*) FROM agent_proposals WHERE run_id = $1)
       WHERE id = $1 RETURNING *`,
      [id, r.costUsd, r.tokensIn, r.tokensOut, r.error ?? null],
    );
    return toRun(rows[0]);
  }

  async runs(q: { agent?: string; limit: number }): Promise<RunView[]> {
    const rows = await this.d.db.query(
      'SELECT * FROM agent_runs WHERE ($1::text IS NULL OR agent = $1) ORDER BY started_at DESC LIMIT $2',
      [q.agent ?? null, q.limit],
    );
    return rows.map(toRun);
  }

  /** A run of this agent, else 404 (an agent never writes into another's run). */
  async ownRun(agent: AgentName, id: string): Promise<void> {
    const rows = await this.d.db.query('SELECT agent FROM agent_runs WHERE id = $1', [id]);
    if (!rows[0] || rows[0].agent !== agent) throw notFound('run');
  }
}

/** The agent behind the caller's service account, or 403 for anyone else. */
export async function callerAgent(db: Db, user: { id: string; role: string }): Promise<AgentName> {
  const rows =
    user.role === 'service'
      ? await db.query<{ name: AgentName }>('SELECT name FROM ops_agents WHERE account_id = $1', [user.id])
      : [];
  if (!rows[0]) throw new HttpError(403, HUB_ERR.NOT_AN_AGENT, 'only an ops agent’s token may post this');
  return rows[0].name;
}
