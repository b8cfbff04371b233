import { COMMANDS, type SessionOutcome, sessionOutcomes, TERMINAL_STATES } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import { audit } from '../commands/audit.js';
import type { CommandService } from '../commands/service.js';
import type { Db } from '../db/index.js';
import { personaFiles } from '../onboarding/persona.js';
import type { OnboardingService } from '../onboarding/service.js';
import { newId } from '../util/ids.js';
import { DEFAULT_RULE, type DecisionRule, type Evaluation, evaluate } from './evaluate.js';
import { parseSessionKey, VARIANT_AGENT, variantParams } from './routing.js';

/** A persona variant: a label and the custom instructions it adds to the client's persona. */
export interface Variant {
  label: string;
  instructions: string;
}

/** An experiment as the API shows it. */
export interface ExperimentView {
  id: string;
  clientId: string;
  instanceId: string;
  name: string;
  status: 'running' | 'decided' | 'stopped';
  variantA: Variant;
  variantB: Variant;
  rule: DecisionRule;
  winner: 'A' | 'B' | null;
  stopReason: string | null;
  evaluation: Evaluation | null;
  proposalId: string | null;
  createdBy: string;
  startedAt: string;
  stoppedAt: string | null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const toView = (r: Row): ExperimentView => ({
  id: String(r.id),
  clientId: String(r.client_id),
  instanceId: String(r.instance_id),
  name: String(r.name),
  status: r.status as ExperimentView['status'],
  variantA: r.variant_a as Variant,
  variantB: r.variant_b as Variant,
  rule: r.rule as DecisionRule,
  winner: (r.winner as 'A' | 'B' | null) ?? null,
  stopReason: (r.stop_reason as string | null) ?? null,
  evaluation: (r.evaluation as Evaluation | null) ?? null,
  proposalId: (r.proposal_id as string | null) ?? null,
  createdBy: String(r.created_by),
  startedAt: iso(r.started_at) as string,
  stoppedAt: iso(r.stopped_at),
});

const SYSTEM = { userId: 'system', email: 'experiments' };
const configApply = COMMANDS['config.apply'];

/**
 * A/B experiments of persona variants on a client's own instance (routing.ts says how they reach
 * OpenClaw). `tick` (every 60 s, and on each read of a result) assigns new people, pushes the
 * variant's bindings, evaluates (evaluate.ts) and applies the stop rule; a decided experiment
 * removes the variant agent. Applying the winner is a proposal (the learning agent's), approved
 * by an operator or, with DS_LEARNING_APPROVER=owner, the client's owner.
 */
export class Experiments {
  constructor(
    private readonly db: Db,
    private readonly commands: CommandService,
    private readonly onboarding: () => OnboardingService | undefined,
    private readonly log: Logger,
  ) {}

  async get(id: string): Promise<ExperimentView> {
    const rows = await this.db.query('SELECT * FROM experiments WHERE id = $1', [id]);
    if (!rows[0]) throw notFound('experiment');
    return toView(rows[0]);
  }

  /** Experiments newest first; `clientId` narrows to one client (a client user's own). */
  /** Experiments of the given clients (null: all, auth/scope.ts clientFilter). */
  async list(q: {
    clients: readonly string[] | null;
    instanceId?: string;
    status?: string;
  }): Promise<ExperimentView[]> {
    const rows = await this.db.query(
      `SELECT * FROM experiments WHERE ($1::text[] IS NULL OR client_id = ANY($1::text[]))
         AND ($2::text IS NULL OR instance_id = $2)
         AND ($3::text IS NULL OR status = $3) ORDER BY started_at DESC LIMIT 200`,
      [q.clients, q.instanceId ?? null, q.status ?? null],
    );
    return rows.map(toView);
  }

  /** The persona files of a variant: the client's persona with the variant's instructions. */
  async filesFor(
    clientId: string,
    v: Variant,
  ): Promise<{ 'SOUL.md': string; 'AGENTS.md': string; 'IDENTITY.md': string }> {
    const row = await this.onboarding()?.get(clientId);
    const p = row?.desired.personality;
    if (!p) throw new HttpError(409, HUB_ERR.CONFLICT, 'the client has no persona yet (onboarding, personality step)');
    return personaFiles({ ...p, instructions: v.instructions }, row?.desired.company);
  }

  async create(
    input: {
      clientId: string;
      instanceId: string;
      name: string;
      variantA?: Variant;
      variantB: Variant;
      rule?: Partial<DecisionRule>;
    },
    actor: string,
  ): Promise<ExperimentView> {
    const persona = (await this.onboarding()?.get(input.clientId))?.desired.personality;
    if (!persona)
      throw new HttpError(409, HUB_ERR.CONFLICT, 'the client has no persona yet (onboarding, personality step)');
    const variantA = input.variantA ?? { label: 'current', instructions: persona.instructions };
    if (variantA.instructions.trim() === input.variantB.instructions.trim())
      throw new HttpError(400, HUB_ERR.VALIDATION, 'variants A and B have the same instructions');
    const rule = { ...DEFAULT_RULE, ...input.rule };
    if (rule.maxPerVariant < rule.minPerVariant)
      throw new HttpError(400, HUB_ERR.VALIDATION, 'maxPerVariant must be at least minPerVariant');
    const id = newId('exp');
    await this.db.tx(async (q) => {
      const running = await q.query(
        `SELECT id FROM experiments WHERE instance_id = $1 AND status = 'running' FOR UPDATE`,
        [input.instanceId],
      );
      if (running[0])
        throw new HttpError(409, HUB_ERR.CONFLICT, `experiment ${running[0].id} already runs on this instance`);
      await q.query(
        `INSERT INTO experiments (id, client_id, instance_id, name, variant_a, variant_b, rule, created_by)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
        [
          id,
          input.clientId,
          input.instanceId,
          input.name,
          JSON.stringify(variantA),
          JSON.stringify(input.variantB),
          JSON.stringify(rule),
          actor,
        ],
      );
    });
    await audit(this.db, actor, 'experiment.create', id, input.clientId, {
      name: input.name,
      instanceId: input.instanceId,
    });
    return this.get(id);
  }

  /** Stops a running experiment by hand (no winner) and removes the variant agent. */
  async stop(id: string, actor: string, reason = 'stopped by hand'): Promise<ExperimentView> {
    const rows = await this.db.query(
      `UPDATE experiments SET status = 'stopped', stop_reason = $2, stopped_at = now() WHERE id = $1 AND status = 'running' RETURNING *`,
      [id, reason],
    );
    if (!rows[0]) throw new HttpError(409, HUB_ERR.CONFLICT, `experiment ${id} is not running`);
    await audit(this.db, actor, 'experiment.stop', id, String(rows[0].client_id), { reason });
    await this.removeVariant(toView(rows[0]));
    return toView(rows[0]);
  }

  /** Records the proposal that applies the winner (once; a second one is a 409). */
  async linkProposal(id: string, proposalId: string): Promise<void> {
    const rows = await this.db.query(
      `UPDATE experiments SET proposal_id = $2 WHERE id = $1 AND status = 'decided' AND (proposal_id IS NULL OR proposal_id = $2) RETURNING id`,
      [id, proposalId],
    );
    if (!rows[0])
      throw new HttpError(409, HUB_ERR.CONFLICT, `experiment ${id} is not decided or has a proposal already`);
  }

  /** Each running experiment: assign, route, evaluate, stop. */
  async tick(now = new Date()): Promise<void> {
    for (const e of await this.list({ clients: null, status: 'running' })) {
      await this.step(e, now).catch((err) =>
        this.log.warn({ err: (err as Error).message, experiment: e.id }, 'experiment step failed'),
      );
    }
  }

  /** One experiment's step; returns it as it is afterwards. */
  async step(e: ExperimentView, now = new Date()): Promise<ExperimentView> {
    if (e.status !== 'running') return e;
    const messages = await this.db.query<Row>(
      `SELECT session_key, t, role, text, cost, sentiment, error, channel FROM conversation_messages
        WHERE instance_id = $1 AND t >= $2 ORDER BY t`,
      [e.instanceId, e.startedAt],
    );
    const assigned = await this.assign(e, messages);
    await this.route(e, assigned, [...new Set(messages.map((m) => String(m.channel)).filter((c) => c !== 'unknown'))]);
    const { a, b } = this.outcomes(messages, assigned);
    const elapsedDays = (now.getTime() - new Date(e.startedAt).getTime()) / 86_400_000;
    const ev = evaluate(a, b, e.rule, elapsedDays);
    const finished = ev.decision !== 'continue';
    const rows = await this.db.query(
      `UPDATE experiments SET evaluation = $2, status = $3, winner = $4, stop_reason = $5,
         stopped_at = CASE WHEN $3 = 'running' THEN NULL ELSE now() END
       WHERE id = $1 AND status = 'running' RETURNING *`,
      [
        e.id,
        JSON.stringify(ev),
        finished ? (ev.winner ? 'decided' : 'stopped') : 'running',
        ev.winner,
        finished ? ev.reason : null,
      ],
    );
    if (!rows[0]) return this.get(e.id);
    const view = toView(rows[0]);
    if (finished) {
      await audit(this.db, 'system', 'experiment.decided', e.id, e.clientId, { winner: ev.winner, reason: ev.reason });
      await this.removeVariant(view);
    }
    return view;
  }

  /** Assigns each person not yet assigned, alternating in the order they first wrote. */
  private async assign(e: ExperimentView, messages: Row[]): Promise<Map<string, { variant: 'A' | 'B'; at: number }>> {
    const rows = await this.db.query<Row>(
      'SELECT peer, variant, assigned_at FROM experiment_peers WHERE experiment_id = $1 ORDER BY assigned_at, peer',
      [e.id],
    );
    const map = new Map(
      rows.map((r) => [
        String(r.peer),
        { variant: r.variant as 'A' | 'B', at: new Date(r.assigned_at as string).getTime() },
      ]),
    );
    let count = map.size;
    for (const m of messages) {
      const k = parseSessionKey(String(m.session_key));
      if (!k?.peer || map.has(k.peer) || m.role !== 'user') continue;
      const variant = count % 2 === 0 ? 'A' : 'B';
      count++;
      // Assigned as of this message, so its own turn (served before any binding) does not count.
      const at = new Date(m.t as string).getTime() + 1;
      map.set(k.peer, { variant, at });
      await this.db.query(
        'INSERT INTO experiment_peers (experiment_id, peer, variant, assigned_at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING',
        [e.id, k.peer, variant, new Date(at)],
      );
    }
    return map;
  }

  /** Per variant, each person's conversation after their assignment on the agent their variant names. */
  private outcomes(messages: Row[], assigned: Map<string, { variant: 'A' | 'B'; at: number }>) {
    const byVariant = { A: [] as Row[], B: [] as Row[] };
    for (const m of messages) {
      const k = parseSessionKey(String(m.session_key));
      const a = k?.peer ? assigned.get(k.peer) : undefined;
      if (!k || !a || new Date(m.t as string).getTime() < a.at) continue;
      if (k.agentId !== (a.variant === 'B' ? VARIANT_AGENT : 'main')) continue;
      byVariant[a.variant].push(m);
    }
    const measure = (rows: Row[]): SessionOutcome[] =>
      sessionOutcomes(
        rows.map((m) => ({
          sessionKey: String(m.session_key),
          t: m.t as string,
          role: String(m.role),
          text: String(m.text),
          cost: Number(m.cost ?? 0),
          sentiment: m.sentiment === null ? null : Number(m.sentiment),
          error: (m.error as string | null) ?? null,
        })),
      );
    return { a: measure(byVariant.A), b: measure(byVariant.B) };
  }

  /** Pushes the B bindings when the set changed and no earlier push is still on its way. */
  private async route(
    e: ExperimentView,
    assigned: Map<string, { variant: 'A' | 'B' }>,
    channels: string[],
  ): Promise<void> {
    const peersB = [...assigned]
      .filter(([, v]) => v.variant === 'B')
      .map(([p]) => p)
      .sort();
    const row = (await this.db.query<Row>('SELECT routing_command_id FROM experiments WHERE id = $1', [e.id]))[0];
    const last = row?.routing_command_id
      ? await this.commands.get(String(row.routing_command_id)).catch(() => null)
      : null;
    if (last && !TERMINAL_STATES.has(last.status as never)) return;
    const sent = (last?.params as { variant?: { peers?: unknown[]; channels?: string[] } } | undefined)?.variant;
    const same =
      last?.status === 'succeeded' &&
      sent?.peers?.length === peersB.length &&
      (sent?.channels ?? []).join() === channels.join();
    if (same || (!last && peersB.length === 0 && channels.length === 0)) return;
    const files = await this.filesFor(e.clientId, e.variantB);
    const params = configApply.params.parse({ variant: variantParams(files, peersB, channels) });
    const { view } = await this.commands.create({
      instanceId: e.instanceId,
      type: configApply.type,
      params: params as Record<string, unknown>,
      expiresInSec: 3600,
      issuer: SYSTEM,
    });
    await this.db.query('UPDATE experiments SET routing_command_id = $2 WHERE id = $1', [e.id, view.id]);
  }

  private async removeVariant(e: ExperimentView): Promise<void> {
    const params = configApply.params.parse({
      variant: { agentId: VARIANT_AGENT, files: {}, channels: [], peers: [], remove: true },
    });
    await this.commands
      .create({
        instanceId: e.instanceId,
        type: configApply.type,
        params: params as Record<string, unknown>,
        expiresInSec: 3600,
        issuer: SYSTEM,
      })
      .catch((err) =>
        this.log.warn({ err: (err as Error).message, experiment: e.id }, 'could not remove the variant agent'),
      );
  }
}
