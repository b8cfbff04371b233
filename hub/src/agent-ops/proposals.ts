import { mayIssue, TERMINAL_STATES, validateParams } from '@deepsignal/protocol';
import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import { assertModelsInPlan } from '../billing/model-allowlist.js';
import { withDrainDefault } from '../changes/drain-default.js';
import { audit } from '../commands/audit.js';
import { loadOrCreateNextHubKey } from '../commands/keys.js';
import type { CommandView } from '../commands/service.js';
import { newId, newSecret } from '../util/ids.js';
import { type AgentName, agentEmail } from './agents.js';
import type { AgentOpsDeps } from './deps.js';
import { isHubAction } from './hub-action-types.js';
import { type HubActionOutcome, HubActions } from './hub-actions.js';
import {
  type AgentState,
  assertActive,
  assertMayExecute,
  decide,
  limitsOf,
  type PlannedCommand,
  PolicyError,
  type Risk,
} from './policy.js';
import { type Outcome, type ProposalView, toProposal } from './views.js';
import { scheduleIntoWindow, windowRefusalSchedulable } from './window-schedule.js';

/** Command params an agent leaves out of a proposal: the hub makes them at execution. */
const HUB_MADE_PARAMS: Record<string, { fields: string[]; placeholder: Record<string, unknown> }> = {
  'credentials.rotate': { fields: ['secret'], placeholder: { secret: 'x'.repeat(32) } },
  'hubkey.rotate': {
    fields: ['publicKey', 'retireOldAfter'],
    placeholder: { publicKey: `ed25519:${'A'.repeat(43)}`, retireOldAfter: 0 },
  },
};

/** `retireOldAfter` of an agent's hubkey.rotate: 9999-12-31, i.e. keep trusting the current key. */
const KEEP_BOTH_UNTIL = Date.UTC(9999, 11, 31);

/** A plan an agent posts. */
export interface NewProposal {
  runId?: string;
  findingId?: string;
  title: string;
  commands: PlannedCommand[];
  expectedEffect: string;
  risk: Risk;
  reasoning: string;
  idempotencyKey?: string;
}

type Row = Record<string, unknown>;
const FAILED = new Set(['failed', 'timed_out', 'rejected', 'canceled']);
/** What counts against the circuit breaker: the action failed (a person's cancel does not). */
const AGENT_FAILED = new Set(['failed', 'timed_out', 'rejected']);
const agentIssuer = /^user:agent-([a-z]+)@service\.deepsignal$/;

/**
 * Proposals: recorded, decided by the policy (auto-approve, wait for an admin, or refused),
 * executed through the command path as the agent's own service account, and followed to their
 * outcome. Executions and outcome updates run one at a time on this hub, so two proposals cannot
 * both pass the one-change-per-instance check.
 */
export class Proposals {
  private chain: Promise<unknown> = Promise.resolve();
  readonly hubActions: HubActions;

  constructor(
    private readonly d: AgentOpsDeps,
    private readonly agent: (name: string) => Promise<AgentState>,
  ) {
    this.hubActions = new HubActions({
      db: d.db,
      fleet: d.fleet,
      commands: d.commands,
      deployments: () => d.deployments?.(),
      backups: () => d.backups?.(),
      pollMs: d.hubActionPollMs,
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  /** Follows every command an agent's proposal sent to its final state. */
  follow(): void {
    this.d.commands.onChange((v) => {
      if (!TERMINAL_STATES.has(v.status) || !agentIssuer.test(v.issuedBy)) return;
      void this.serial(() => this.settle(v)).catch(() => {});
    });
  }

  /**
   * Picks up the hub actions a previous hub left running (their deployments resume on their own;
   * this follows them to the end again). Called once deployments run.
   */
  async resumeHubActions(): Promise<void> {
    const rows = await this.d.db.query<Row>("SELECT * FROM agent_proposals WHERE status = 'executing'");
    for (const r of rows)
      for (const [i, o] of ((r.outcomes as HubActionOutcome[] | null) ?? []).entries())
        if (isHubAction(o.type) && o.status === 'running') this.followHubAction(r, i, o, true);
  }

  async get(id: string): Promise<ProposalView> {
    const rows = await this.d.db.query('SELECT * FROM agent_proposals WHERE id = $1', [id]);
    if (!rows[0]) throw notFound('proposal');
    return toProposal(rows[0], this.d.fleet);
  }

  async list(q: { agent?: string; status?: string[]; limit: number }): Promise<ProposalView[]> {
    const rows = await this.d.db.query(
      `SELECT * FROM agent_proposals WHERE ($1::text IS NULL OR agent = $1) AND ($2::text[] IS NULL OR status = ANY($2::text[]))
       ORDER BY created_at DESC LIMIT $3`,
      [q.agent ?? null, q.status?.length ? q.status : null, q.limit],
    );
    return rows.map((r) => toProposal(r, this.d.fleet));
  }

  /**
   * Records a proposal. Refused outright (nothing stored) when the agent is paused, its breaker is
   * open, a command type is `never` for it, or the plan is larger than its blast radius. Dry-run
   * agents' proposals are stored as `dry_run`. Auto-approved ones are executed at once; when the
   * policy then refuses, the proposal ends `refused` and the refusal is the answer.
   */
  async create(name: AgentName, actor: string, p: NewProposal): Promise<{ view: ProposalView; created: boolean }> {
    const a = await this.agent(name);
    const commands = p.commands.map((c) => this.checkCommand(c));
    // What a hub action will change is worked out now, so the approver sees it (and a bad target is a 4xx).
    for (const c of commands) if (isHubAction(c.type)) c.preview = await this.hubActions.preview(c);
    let mode: 'auto' | 'approve';
    try {
      mode = this.admit(a, commands);
      await this.assertInPlans(commands);
    } catch (e) {
      // Refused before anything is stored: still on the record, with what the agent asked and why.
      if (e instanceof PolicyError)
        await audit(this.d.db, actor, 'agent.proposal.refused', null, null, {
          agent: name,
          code: e.code,
          commands: commands.map((c) => ({ instanceId: c.instanceId, type: c.type })),
          reason: p.reasoning,
        });
      throw e;
    }
    if (p.findingId) {
      const f = await this.d.db.query('SELECT agent FROM agent_findings WHERE id = $1', [p.findingId]);
      if (f[0]?.agent !== name) throw notFound('finding');
    }
    const status = a.dryRun ? 'dry_run' : mode === 'auto' ? 'approved' : 'pending';
    const rows = await this.d.db.query(
      `INSERT INTO agent_proposals (id, agent, run_id, finding_id, title, commands, expected_effect, risk, reasoning,
         status, decided_by, decided_at, idempotency_key)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT DO NOTHING RETURNING *`,
      [
        newId('aprop'),
        name,
        p.runId ?? null,
        p.findingId ?? null,
        p.title,
        JSON.stringify(commands),
        p.expectedEffect,
        p.risk,
        p.reasoning,
        status,
        status === 'approved' ? 'auto' : null,
        status === 'approved' ? new Date() : null,
        p.idempotencyKey ?? null,
      ],
    );
    if (!rows[0]) {
      const existing = await this.d.db.query(
        'SELECT * FROM agent_proposals WHERE agent = $1 AND idempotency_key = $2',
        [name, p.idempotencyKey],
      );
      return { view: toProposal(existing[0], this.d.fleet), created: false };
    }
    const id = String(rows[0].id);
    await audit(this.d.db, actor, 'agent.proposal.create', id, null, {
      agent: name,
      status,
      commands: commands.map((c) => ({ instanceId: c.instanceId, type: c.type })),
      risk: p.risk,
      reason: p.reasoning,
    });
    if (status === 'approved') {
      try {
        await this.execute(id, 'auto');
      } catch (e) {
        if (!(e instanceof PolicyError)) throw e;
        await this.markRefused(id, e);
        throw new PolicyError(e.statusCode, e.code, `${e.message} (proposal ${id} refused)`);
      }
    }
    return { view: await this.get(id), created: true };
  }

  /**
   * The client's plan model allow-list holds for agents as for people: a command that would put an
   * agent on a model outside its client's plan refuses the proposal (403 HUB_ERR_MODEL_NOT_IN_PLAN).
   */
  private async assertInPlans(commands: readonly PlannedCommand[]): Promise<void> {
    for (const c of commands) {
      const clientId = this.d.fleet.get(c.instanceId)?.clientId;
      if (!clientId) continue;
      try {
        await assertModelsInPlan(this.d.db, clientId, c.type, c.params);
      } catch (e) {
        if (e instanceof HttpError && !(e instanceof PolicyError))
          throw new PolicyError(e.statusCode, e.code, e.message);
        throw e;
      }
    }
  }

  /** The checks before a proposal is stored: active agent, no `never` type, plan within the blast radius. */
  private admit(a: AgentState, commands: PlannedCommand[]): 'auto' | 'approve' {
    assertActive(a);
    const mode = decide(a, commands);
    const instances = new Set(commands.map((c) => c.instanceId)).size;
    const { maxInstancesPerHour } = limitsOf(a, this.d.config);
    if (instances > maxInstancesPerHour)
      throw new PolicyError(
        429,
        HUB_ERR.POLICY_BLAST_RADIUS,
        `the plan touches ${instances} instances; agent ${a.name} may act on at most ${maxInstancesPerHour} per hour`,
      );
    return mode;
  }

  /** Params checked with the protocol's schema and the service role, as the command route does. [SPEC 6.2] */
  private checkCommand(c: PlannedCommand): PlannedCommand {
    if (isHubAction(c.type)) {
      if (!this.d.fleet.get(c.instanceId)) throw notFound('instance');
      return { instanceId: c.instanceId, type: c.type, params: this.hubActions.checkParams(c) };
    }
    // A proposal is readable by operators and agents, so it never holds key material: the hub makes
    // the new MQTT secret (credentials.rotate) or names its next signing key (hubkey.rotate) when it
    // executes the proposal (`params: {}`), and the command path seals the secret.
    const made = HUB_MADE_PARAMS[c.type];
    if (made && Object.keys(c.params).some((k) => made.fields.includes(k)))
      throw new HttpError(
        400,
        HUB_ERR.BAD_PARAMS,
        `${c.type}: leave out ${made.fields.join(', ')}, the hub makes them`,
      );
    const check = validateParams(c.type, made ? { ...c.params, ...made.placeholder } : c.params);
    if (!check.ok)
      throw new HttpError(
        400,
        check.code === 'unknown_type' ? HUB_ERR.UNKNOWN_COMMAND : HUB_ERR.BAD_PARAMS,
        `${c.type}: ${check.message}`,
      );
    if (!mayIssue('service', c.type)) throw new HttpError(403, HUB_ERR.FORBIDDEN, `agents may not issue ${c.type}`);
    if (!this.d.fleet.get(c.instanceId)) throw notFound('instance');
    return { instanceId: c.instanceId, type: c.type, params: made ? {} : check.params };
  }

  /** A command's params as executed: what the hub makes filled in, drain defaults applied. */
  private paramsToExecute(c: PlannedCommand): Record<string, unknown> {
    if (c.type === 'credentials.rotate') return { secret: newSecret(32) };
    if (c.type === 'hubkey.rotate')
      // The hub keeps signing with its current key: sidecars trust both until a later rotation
      // names a retirement time, so nothing stops working before the hub switches keys.
      return { publicKey: loadOrCreateNextHubKey(this.d.config.dataDir).publicKey, retireOldAfter: KEEP_BOTH_UNTIL };
    return withDrainDefault(c.type, c.params, 'service', this.d.config.agentDrain);
  }

  private async markRefused(id: string, e: PolicyError): Promise<void> {
    await this.d.db.query(
      "UPDATE agent_proposals SET status = 'refused', refusal = $2, finished_at = now() WHERE id = $1",
      [id, JSON.stringify({ code: e.code, message: e.message })],
    );
    await audit(this.d.db, 'system', 'agent.proposal.refused', id, null, { code: e.code, message: e.message });
  }

  /** An admin's decision on a pending proposal; approving also executes it unless `execute` is false. */
  async approve(id: string, admin: { id: string }, o: { note?: string; execute?: boolean }): Promise<ProposalView> {
    const rows = await this.d.db.query(
      `UPDATE agent_proposals SET status = 'approved', decided_by = $2, decided_at = now(), decision_note = $3
       WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, admin.id, o.note ?? null],
    );
    if (!rows[0]) throw await this.wrongState(id, 'pending');
    await audit(this.d.db, `user:${admin.id}`, 'agent.proposal.approve', id, null, {
      agent: rows[0].agent,
      note: o.note ?? null,
    });
    if (o.execute !== false) await this.execute(id, `user:${admin.id}`);
    return this.get(id);
  }

  async reject(id: string, admin: { id: string }, note?: string): Promise<ProposalView> {
    const rows = await this.d.db.query(
      `UPDATE agent_proposals SET status = 'rejected', decided_by = $2, decided_at = now(), decision_note = $3,
         finished_at = now() WHERE id = $1 AND status IN ('pending','approved') RETURNING *`,
      [id, admin.id, note ?? null],
    );
    if (!rows[0]) throw await this.wrongState(id, 'pending or approved');
    await audit(this.d.db, `user:${admin.id}`, 'agent.proposal.reject', id, null, {
      agent: rows[0].agent,
      note: note ?? null,
    });
    return this.get(id);
  }

  private async wrongState(id: string, want: string): Promise<HttpError> {
    const cur = await this.get(id);
    return new HttpError(409, HUB_ERR.CONFLICT, `proposal ${id} is ${cur.status}; it must be ${want}`);
  }

  /**
   * Executes an approved proposal: the policy checks, then each command through the command path,
   * issued by the agent's service account with an idempotency key per proposal and command.
   */
  execute(id: string, by: string): Promise<ProposalView> {
    return this.serial(async () => {
      const p = await this.get(id);
      if (p.status !== 'approved') throw await this.wrongState(id, 'approved');
      const a = await this.agent(p.agent);
      try {
        // The plan may have changed since the proposal was made: checked again before it runs.
        await this.assertInPlans(p.commands);
        await assertMayExecute(this.d, a, p);
      } catch (e) {
        // Changes that may wait for the client's window wait there instead of being refused.
        const sc = this.d.scheduled?.();
        if (sc && windowRefusalSchedulable(e, p.commands)) {
          const held = await scheduleIntoWindow({ db: this.d.db, scheduled: sc }, p, a, by, (c) =>
            withDrainDefault(c.type, c.params, 'service', this.d.config.agentDrain),
          );
          if (held) return this.get(id);
        }
        // An approved proposal stays approved (it can be executed later); the refusal is shown on it.
        if (e instanceof PolicyError)
          await this.d.db.query('UPDATE agent_proposals SET refusal = $2 WHERE id = $1', [
            id,
            JSON.stringify({ code: e.code, message: e.message }),
          ]);
        throw e;
      }
      const email = agentEmail(a.name);
      const outcomes: HubActionOutcome[] = [];
      await this.d.db.query(
        "UPDATE agent_proposals SET status = 'executing', executed_at = now(), refusal = NULL WHERE id = $1",
        [id],
      );
      for (const [i, c] of p.commands.entries()) {
        if (isHubAction(c.type)) {
          try {
            outcomes.push(await this.hubActions.start(c, `${id}:${i}`, `agent:${a.name}:${id}`));
          } catch (e) {
            const err = e as HttpError;
            outcomes.push({
              instanceId: c.instanceId,
              type: c.type,
              commandId: `${id}:${i}`,
              status: 'failed',
              error: { code: err.code ?? 'internal', message: err.message },
            });
          }
          continue;
        }
        const { view } = await this.d.commands.create({
          instanceId: c.instanceId,
          type: c.type,
          params: this.paramsToExecute(c),
          idempotencyKey: `${id}:${i}`,
          issuer: { userId: a.accountId ?? `agent-${a.name}`, email },
        });
        outcomes.push({ instanceId: c.instanceId, type: c.type, commandId: view.id, status: view.status, error: null });
      }
      await this.d.db.query('UPDATE agent_proposals SET outcomes = $2 WHERE id = $1', [id, JSON.stringify(outcomes)]);
      await audit(this.d.db, by, 'agent.proposal.execute', id, null, {
        agent: a.name,
        reason: p.reasoning,
        commands: outcomes.map((o) => ({ instanceId: o.instanceId, type: o.type, commandId: o.commandId })),
      });
      const row = (await this.d.db.query<Row>('SELECT * FROM agent_proposals WHERE id = $1', [id]))[0];
      for (const [i, o] of outcomes.entries())
        if (isHubAction(o.type)) {
          if (o.status === 'running') this.followHubAction(row, i, o, false);
          else await this.settleOutcome(id, i, o);
        }
      // A command that already finished (e.g. an idempotent repeat) settles now.
      for (const o of outcomes) {
        if (isHubAction(o.type)) continue;
        const v = await this.d.commands.get(o.commandId);
        if (v && TERMINAL_STATES.has(v.status)) await this.settle(v);
      }
      return this.get(id);
    });
  }

  /** Records a command's final state on its proposal; the last one ends the proposal and feeds the breaker. */
  private async settle(v: CommandView): Promise<void> {
    let rows = await this.d.db.query<Row>(
      "SELECT * FROM agent_proposals WHERE status = 'executing' AND outcomes @> $1::jsonb",
      [JSON.stringify([{ commandId: v.id }])],
    );
    // A change held for the maintenance window is known by its scheduled change until it is issued.
    const sch = rows[0]
      ? null
      : (await this.d.db.query<{ id: string }>('SELECT id FROM scheduled_changes WHERE command_id = $1', [v.id]))[0]
          ?.id;
    if (sch)
      rows = await this.d.db.query<Row>(
        "SELECT * FROM agent_proposals WHERE status = 'executing' AND outcomes @> $1::jsonb",
        [JSON.stringify([{ scheduledChangeId: sch }])],
      );
    const r = rows[0];
    if (!r) return;
    const outcomes = (r.outcomes as Outcome[]).map((o) =>
      o.commandId === v.id || (sch && o.scheduledChangeId === sch)
        ? { ...o, commandId: v.id, status: v.status, error: v.error ?? null }
        : o,
    );
    await this.finishOutcomes(r, outcomes, v);
  }

  /** Follows a hub action in the background; each change lands on the proposal in order. */
  private followHubAction(r: Row, i: number, o: HubActionOutcome, resumed: boolean): void {
    const a = String(r.agent);
    const issuer = { userId: `agent-${a}`, email: agentEmail(a as AgentName) };
    void this.agent(a)
      .then((st) =>
        this.hubActions.follow(
          o,
          { ...issuer, userId: st.accountId ?? issuer.userId },
          (next) => this.serial(() => this.settleOutcome(String(r.id), i, next)),
          resumed,
        ),
      )
      .catch(() => {});
  }

  /** Records a hub action's new state on its proposal (the last one ends the proposal, as a command's does). */
  private async settleOutcome(id: string, i: number, o: HubActionOutcome): Promise<void> {
    const r = (
      await this.d.db.query<Row>("SELECT * FROM agent_proposals WHERE id = $1 AND status = 'executing'", [id])
    )[0];
    if (!r) return;
    const outcomes = [...(r.outcomes as HubActionOutcome[])];
    outcomes[i] = o;
    if (!TERMINAL_STATES.has(o.status as CommandView['status'])) {
      await this.d.db.query('UPDATE agent_proposals SET outcomes = $2 WHERE id = $1', [id, JSON.stringify(outcomes)]);
      return;
    }
    await this.finishOutcomes(r, outcomes, { id: o.commandId, type: o.type, status: o.status, error: o.error });
  }

  private async finishOutcomes(
    r: Row,
    outcomes: Outcome[],
    v: { id: string; type: string; status: string; error?: { code: string; message: string } | null },
  ): Promise<void> {
    const done = outcomes.every((o) => TERMINAL_STATES.has(o.status as CommandView['status']));
    const failed = outcomes.some((o) => FAILED.has(o.status));
    await this.d.db.query(
      'UPDATE agent_proposals SET outcomes = $2, status = $3, finished_at = CASE WHEN $4 THEN now() END WHERE id = $1',
      [r.id, JSON.stringify(outcomes), done ? (failed ? 'failed' : 'succeeded') : 'executing', done],
    );
    await this.countOutcome(String(r.agent), v);
    if (done)
      await audit(this.d.db, 'system', `agent.proposal.${failed ? 'failed' : 'succeeded'}`, String(r.id), null, {
        agent: r.agent,
        outcomes: outcomes.map((o) => ({ commandId: o.commandId, status: o.status, error: o.error?.code ?? null })),
      });
  }

  /** Circuit breaker: a failed action counts, a success resets; at the limit the agent is stopped. */
  private async countOutcome(
    name: string,
    v: { id: string; type: string; status: string; error?: { code: string } | null },
  ): Promise<void> {
    const a = await this.agent(name);
    if (v.status === 'canceled') return;
    if (!AGENT_FAILED.has(v.status)) {
      if (a.failures > 0 && !a.breakerOpenedAt)
        await this.d.db.query('UPDATE ops_agents SET failures = 0 WHERE name = $1', [name]);
      return;
    }
    const failures = a.failures + 1;
    const { failureLimit } = limitsOf(a, this.d.config);
    const open = !a.breakerOpenedAt && failures >= failureLimit;
    const reason = `${failures} failed actions in a row, the last ${v.type} ${v.id} ${v.status}${v.error ? ` (${v.error.code})` : ''}`;
    await this.d.db.query(
      `UPDATE ops_agents SET failures = $2, breaker_opened_at = CASE WHEN $3 THEN now() ELSE breaker_opened_at END,
         breaker_reason = CASE WHEN $3 THEN $4 ELSE breaker_reason END, updated_at = now() WHERE name = $1`,
      [name, failures, open, reason],
    );
    if (open) await audit(this.d.db, 'system', 'agent.breaker.open', name, null, { agent: name, reason });
  }
}
