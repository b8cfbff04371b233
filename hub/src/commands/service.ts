import {
  type CmdResultMessage,
  type CommandState,
  type CommandView,
  canTransition,
  encodeMessage,
  getCommand,
  type HubKeyPair,
  isCommandType,
  paramsSizeError,
  redactParams,
  signCommand,
  TERMINAL_STATES,
  topicFor,
} from '@deepsignal/protocol';
import type { Logger } from 'pino';
import { HttpError, HUB_ERR } from '../auth/errors.js';
import { stageInstanceSecret } from '../broker/credentials.js';
import type { BrokerLink } from '../broker/types.js';
import type { Db, Querier } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { CommandReports } from '../ingest/deps.js';
import { type LiveSink, rooms } from '../live/sink.js';
import type { SecretStore } from '../secrets/store.js';
import type { HubStats } from '../stats.js';
import { newId } from '../util/ids.js';
import { audit } from './audit.js';

export type { CommandView };

/** Filters of a command list. */
export interface CommandFilter {
  status?: string;
  type?: string;
  rolloutId?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** Who asked for a command. */
export interface Issuer {
  userId: string;
  email: string;
}

/** Final states the sidecar reports (a command that went there made a round trip). */
const ANSWERED: ReadonlySet<CommandState> = new Set(['succeeded', 'failed', 'rejected']);

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export function toView(r: Record<string, unknown>): CommandView {
  const type = String(r.type);
  return {
    id: String(r.id),
    instanceId: String(r.instance_id),
    type,
    params: redactParams(type, (r.params ?? {}) as Record<string, unknown>),
    status: r.status as CommandState,
    issuedBy: String(r.issued_by),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    issuedAt: iso(r.issued_at) as string,
    expiresAt: iso(r.expires_at) as string,
    deliveredAt: iso(r.delivered_at),
    updatedAt: iso(r.updated_at) as string,
    progress: (r.progress as CommandView['progress']) ?? null,
    result: r.result ?? null,
    error: (r.error as CommandView['error']) ?? null,
    rolloutId: (r.rollout_id as string | null) ?? null,
  };
}

/**
 * Signed command dispatch. [SPEC 6] Commands are stored `queued`, signed with the hub key and
 * published QoS 1 on the instance's `cmd` topic while it is online; queued ones are re-sent when
 * it (re)connects; a sweeper times out expired ones (an expired command is never sent). Sidecar
 * reports move the state forward only (protocol canTransition) inside the ingest transaction.
 */
export class CommandService implements CommandReports {
  live: LiveSink | null = null;
  /** Seals secret params at rest (protocol secretParams); set by startHub. */
  secrets: Pick<SecretStore, 'sealFor' | 'openFor'> | null = null;
  /** Called after every state change is committed (rollouts, consoles and backups follow their commands). */
  private readonly listeners: ((v: CommandView) => void)[] = [];

  /** Registers a listener for committed command state changes. */
  onChange(fn: (v: CommandView) => void): void {
    this.listeners.push(fn);
  }

  constructor(
    private readonly db: Db,
    private readonly fleet: Fleet,
    private readonly broker: () => BrokerLink | null,
    private readonly key: HubKeyPair,
    private readonly stats: HubStats,
    private readonly log: Logger,
  ) {}

  private emit(v: CommandView): void {
    const type = isCommandType(v.type) ? v.type : 'other';
    this.stats.commands.inc({ type, status: v.status });
    // A round trip is an answer from the sidecar; cancels and expiries are not one.
    if (ANSWERED.has(v.status))
      this.stats.commandRoundTrip.observe(
        { type, status: v.status },
        Math.max(0, Date.now() - Date.parse(v.issuedAt)) / 1000,
      );
    this.live?.emit([rooms.instance(v.instanceId)], 'command', {
      id: v.id,
      instanceId: v.instanceId,
      type: v.type,
      status: v.status,
      progress: v.progress,
      result: v.result,
      error: v.error,
      rolloutId: v.rolloutId,
    });
    for (const fn of this.listeners) {
      try {
        fn(v);
      } catch (e) {
        this.log.warn({ err: (e as Error).message, id: v.id }, 'command listener failed');
      }
    }
  }

  /** Stores a new command (params already validated) or returns the one with the same idempotency key. */
  async create(input: {
    instanceId: string;
    type: string;
    params: Record<string, unknown>;
    expiresInSec?: number;
    idempotencyKey?: string;
    issuer: Issuer;
    rolloutId?: string;
  }): Promise<{ view: CommandView; created: boolean }> {
    const def = getCommand(input.type);
    // Params too large for one signed message would be refused unread by the sidecar and wait
    // here until they expire: refused now, with the reason, whoever built them.
    const tooLarge = paramsSizeError(input.params);
    if (tooLarge) {
      this.stats.commandsRefused.inc({ type: isCommandType(input.type) ? input.type : 'other', reason: 'too_large' });
      throw new HttpError(400, HUB_ERR.BAD_PARAMS, `${input.type}: ${tooLarge}`);
    }
    const now = Date.now();
    const expiresAt = now + 1000 * (input.expiresInSec ?? def?.defaultTimeoutSec ?? 300);
    const id = newId('cmd');
    // Secret params never rest in plaintext: the row keeps them redacted, sealed with the client's key.
    const secretKeys = (def?.secretParams ?? []).filter((k) => k in input.params);
    const clientOf = this.fleet.get(input.instanceId)?.clientId;
    let sealed: string | null = null;
    if (secretKeys.length > 0) {
      if (!this.secrets || !clientOf) throw new Error('secret params need the secret store');
      const secret = Object.fromEntries(secretKeys.map((k) => [k, input.params[k]]));
      sealed = await this.secrets.sealFor(clientOf, JSON.stringify(secret), `cmd:${id}`);
    }
    const rows = await this.db.query(
      `INSERT INTO commands (id, instance_id, type, params, status, issued_by, idempotency_key, issued_at, expires_at, updated_at, sealed_params, rollout_id)
       VALUES ($1,$2,$3,$4,'queued',$5,$6,$7,$8,$7,$9,$10) ON CONFLICT DO NOTHING RETURNING *`,
      [
        id,
        input.instanceId,
        input.type,
        JSON.stringify(redactParams(input.type, input.params)),
        `user:${input.issuer.email}`,
        input.idempotencyKey ?? null,
        new Date(now),
        new Date(expiresAt),
        sealed,
        input.rolloutId ?? null,
      ],
    );
    if (rows.length === 0) {
      const existing = await this.db.query('SELECT * FROM commands WHERE instance_id = $1 AND idempotency_key = $2', [
        input.instanceId,
        input.idempotencyKey ?? null,
      ]);
      return { view: toView(existing[0]), created: false };
    }
    const view = toView(rows[0]);
    const clientId = this.fleet.get(input.instanceId)?.clientId ?? null;
    if (input.type === 'credentials.rotate' && typeof input.params.secret === 'string')
      await stageInstanceSecret(this.db, input.instanceId, input.params.secret);
    await audit(this.db, `user:${input.issuer.userId}`, 'command.create', id, clientId, {
      instanceId: input.instanceId,
      type: input.type,
      params: view.params,
      ...(input.rolloutId ? { rolloutId: input.rolloutId } : {}),
    });
    this.emit(view);
    if (this.fleet.get(input.instanceId)?.status !== 'offline') await this.send(rows[0]);
    return { view, created: true };
  }

  async get(id: string): Promise<CommandView | null> {
    const rows = await this.db.query('SELECT * FROM commands WHERE id = $1', [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async list(instanceId: string, f: CommandFilter): Promise<CommandView[]> {
    const rows = await this.db.query(
      `SELECT * FROM commands WHERE instance_id = $1 AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR type = $3) AND ($5::text IS NULL OR rollout_id = $5)
       AND ($6::timestamptz IS NULL OR issued_at >= $6) AND ($7::timestamptz IS NULL OR issued_at < $7)
       ORDER BY issued_at DESC LIMIT $4`,
      [instanceId, f.status ?? null, f.type ?? null, f.limit ?? 100, f.rolloutId ?? null, f.from ?? null, f.to ?? null],
    );
    return rows.map(toView);
  }

  /** Signs and publishes one queued, unexpired command. [SPEC 6.3] */
  private async send(r: Record<string, unknown>): Promise<void> {
    const expiresAt = new Date(r.expires_at as string).getTime();
    const broker = this.broker();
    if (!broker || expiresAt <= Date.now() || r.status !== 'queued') return;
    let params = r.params as Record<string, unknown>;
    if (r.sealed_params) {
      const clientId = this.fleet.get(String(r.instance_id))?.clientId;
      if (!this.secrets || !clientId) return;
      const opened = await this.secrets.openFor(clientId, String(r.sealed_params), `cmd:${r.id}`);
      params = { ...params, ...(JSON.parse(opened) as Record<string, unknown>) };
    }
    const signed = signCommand(
      {
        v: 1,
        id: String(r.id),
        instanceId: String(r.instance_id),
        type: String(r.type),
        params,
        issuedAt: new Date(r.issued_at as string).getTime(),
        expiresAt,
        issuer: String(r.issued_by),
      },
      this.key.privateKeyPem,
    );
    await broker.publish(topicFor(signed.instanceId, 'cmd'), encodeMessage(signed), { qos: 1 }).catch((e) => {
      this.log.warn({ err: (e as Error).message, id: r.id }, 'command publish failed; stays queued');
    });
  }

  /** Re-sends every queued, unexpired command of an instance that (re)connected. [SPEC 8] */
  async redeliver(instanceId: string): Promise<void> {
    const rows = await this.db.query(
      "SELECT * FROM commands WHERE instance_id = $1 AND status = 'queued' AND expires_at > now() ORDER BY issued_at",
      [instanceId],
    );
    for (const r of rows) await this.send(r);
  }

  /** Cancels a queued command; null when it is not queued any more. [SPEC 6.4] */
  async cancel(id: string, actor: Issuer): Promise<CommandView | null> {
    const rows = await this.db.query(
      "UPDATE commands SET status = 'canceled', updated_at = now(), sealed_params = NULL WHERE id = $1 AND status = 'queued' RETURNING *",
      [id],
    );
    if (!rows[0]) return null;
    const v = toView(rows[0]);
    await audit(this.db, `user:${actor.userId}`, 'command.cancel', id, this.fleet.get(v.instanceId)?.clientId ?? null);
    this.emit(v);
    return v;
  }

  /** Marks expired unfinished commands `timed_out`. [SPEC 6.4] */
  async sweep(): Promise<number> {
    const rows = await this.db.query(
      `UPDATE commands SET status = 'timed_out', updated_at = now(), sealed_params = NULL,
         error = '{"code":"timed_out","message":"the command expired before it finished"}'::jsonb
       WHERE status IN ('queued','delivered','running') AND expires_at <= now() RETURNING *`,
    );
    for (const r of rows) {
      const v = toView(r);
      await audit(this.db, 'system', 'command.timed_out', v.id, this.fleet.get(v.instanceId)?.clientId ?? null);
      this.emit(v);
    }
    return rows.length;
  }

  /** Applies sidecar reports inside the ingest transaction; late or repeated ones are ignored. */
  async apply(q: Querier, instanceId: string, reports: CmdResultMessage[]): Promise<(() => void) | undefined> {
    const changed: CommandView[] = [];
    for (const rep of reports) {
      const cur = await q.query<{ status: CommandState }>(
        'SELECT status FROM commands WHERE id = $1 AND instance_id = $2 FOR UPDATE',
        [rep.commandId, instanceId],
      );
      if (!cur[0]) continue;
      await q.query(
        'INSERT INTO command_results (command_id, t, state, progress, result, error) VALUES ($1,$2,$3,$4,$5,$6)',
        [
          rep.commandId,
          new Date(rep.ts),
          rep.state,
          rep.progress ? JSON.stringify(rep.progress) : null,
          rep.result === undefined ? null : JSON.stringify(rep.result),
          rep.error ? JSON.stringify(rep.error) : null,
        ],
      );
      // A re-sent command the sidecar already holds comes back `rejected: replayed`: not a new state.
      if (rep.state === 'rejected' && rep.error?.code === 'replayed') continue;
      // A cancel can race a command already sent: the hub cannot recall a published message, so
      // when the sidecar reports that it took the command anyway, what really happened wins.
      // (A sidecar never reports `queued` or `canceled`: every report is one of these.)
      const tookCanceled = cur[0].status === 'canceled';
      if (!tookCanceled && !canTransition(cur[0].status, rep.state)) continue;
      const rows = await q.query(
        `UPDATE commands SET status = $2, updated_at = now(), progress = COALESCE($3, progress),
           result = COALESCE($4, result), error = COALESCE($5, error),
           delivered_at = COALESCE(delivered_at, now()),
           sealed_params = CASE WHEN $2 IN ('succeeded','failed','timed_out','rejected','canceled') THEN NULL ELSE sealed_params END
         WHERE id = $1 RETURNING *`,
        [
          rep.commandId,
          rep.state,
          rep.progress ? JSON.stringify(rep.progress) : null,
          rep.result === undefined ? null : JSON.stringify(rep.result),
          rep.error ? JSON.stringify(rep.error) : null,
        ],
      );
      const v = toView(rows[0]);
      if (TERMINAL_STATES.has(v.status) || cur[0].status !== v.status) {
        await audit(
          q,
          `instance:${instanceId}`,
          `command.${v.status}`,
          v.id,
          this.fleet.get(instanceId)?.clientId ?? null,
        );
      }
      changed.push(v);
    }
    if (changed.length === 0) return undefined;
    return () => {
      for (const v of changed) this.emit(v);
    };
  }
}
