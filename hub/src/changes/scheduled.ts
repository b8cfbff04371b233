import { getCommand } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { CommandService, Issuer } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Maintenance } from '../maintenance/index.js';
import { newId } from '../util/ids.js';

/** Changes that may wait for a maintenance window: the ones that restart or change what the agent runs. */
export const SCHEDULABLE_TYPES = ['openclaw.update', 'sidecar.update', 'config.apply', 'model.set', 'openclaw.restart'];

/** A window must have at least this long left for a change to start in it. */
const MIN_WINDOW_LEFT_SEC = 60;

export type ScheduledStatus = 'scheduled' | 'dispatching' | 'dispatched' | 'failed' | 'canceled' | 'missed';

export interface ScheduledChangeView {
  id: string;
  instanceId: string;
  /** The instance's hostname while it exists. */
  hostname: string | null;
  clientId: string;
  type: string;
  params: Record<string, unknown>;
  status: ScheduledStatus;
  /** The window occurrence it was planned into when it was made. */
  runAfter: string;
  /** While it waits: when it will run (now if a window is open), or null if the client has no window ahead. */
  nextRunAt: string | null;
  windowId: string | null;
  commandId: string | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Why a change cannot be scheduled (the route turns it into a 400 or 409). */
export class ScheduleRefused extends Error {
  constructor(
    readonly status: 400 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/**
 * Changes held for the client's maintenance window (per client, in its time zone). Each waits as a
 * row until one of the client's windows is open, then becomes an ordinary signed command with the
 * idempotency key `scheduled:<id>`, so a hub that dies between claiming and issuing issues it once
 * when it ticks again, and two hubs never issue it twice.
 */
export class ScheduledChanges {
  /** The clock windows are judged by (tests set a fake one). */
  now: () => number = Date.now;

  constructor(
    private readonly d: { db: Db; fleet: Fleet; maintenance: Maintenance; commands: CommandService; log: Logger },
  ) {}

  private view(r: Row): ScheduledChangeView {
    const status = r.status as ScheduledStatus;
    let nextRunAt: string | null = null;
    if (status === 'scheduled' || status === 'dispatching') {
      const at = new Date(this.now());
      if (this.d.maintenance.activeWindow(String(r.client_id), at)) nextRunAt = at.toISOString();
      else nextRunAt = this.d.maintenance.nextWindowStart(String(r.client_id), at)?.start.toISOString() ?? null;
    }
    return {
      id: String(r.id),
      instanceId: String(r.instance_id),
      hostname: this.d.fleet.get(String(r.instance_id))?.hostname ?? null,
      clientId: String(r.client_id),
      type: String(r.type),
      params: (r.params as Record<string, unknown>) ?? {},
      status,
      runAfter: iso(r.run_after) as string,
      nextRunAt,
      windowId: (r.window_id as string | null) ?? null,
      commandId: (r.command_id as string | null) ?? null,
      error: (r.error as string | null) ?? null,
      createdBy: String(r.created_by),
      createdAt: iso(r.created_at) as string,
      updatedAt: iso(r.updated_at) as string,
    };
  }

  /** Holds a validated change for the instance's client's next window (or the one open now). */
  async schedule(input: {
    instanceId: string;
    type: string;
    params: Record<string, unknown>;
    issuer: Issuer;
  }): Promise<ScheduledChangeView> {
    const inst = this.d.fleet.get(input.instanceId);
    if (!inst) throw new ScheduleRefused(409, 'HUB_ERR_NOT_FOUND', 'instance not found');
    if (!SCHEDULABLE_TYPES.includes(input.type))
      throw new ScheduleRefused(
        400,
        'HUB_ERR_NOT_SCHEDULABLE',
        `${input.type} cannot wait for a maintenance window; schedulable: ${SCHEDULABLE_TYPES.join(', ')}`,
      );
    // Secret params are sealed per command; a waiting row would keep them in clear, so they are refused.
    const secrets = (getCommand(input.type)?.secretParams ?? []).filter((k) => k in input.params);
    if (secrets.length)
      throw new ScheduleRefused(
        400,
        'HUB_ERR_NOT_SCHEDULABLE',
        `a change carrying ${secrets.join(' or ')} cannot be scheduled; apply it now`,
      );
    const at = new Date(this.now());
    const open = this.d.maintenance.activeWindow(inst.clientId, at);
    const next = open ? { window: open.window, start: at } : this.d.maintenance.nextWindowStart(inst.clientId, at);
    if (!next)
      throw new ScheduleRefused(
        409,
        'HUB_ERR_NO_MAINTENANCE_WINDOW',
        'this client has no maintenance window ahead; add one under Alerts → Maintenance, or apply the change now',
      );
    const rows = await this.d.db.query<Row>(
      `INSERT INTO scheduled_changes (id, instance_id, client_id, type, params, status, run_after, window_id, created_by, issuer_id)
       VALUES ($1,$2,$3,$4,$5::jsonb,'scheduled',$6,$7,$8,$9) RETURNING *`,
      [
        newId('sch'),
        inst.id,
        inst.clientId,
        input.type,
        JSON.stringify(input.params),
        next.start,
        next.window.id,
        input.issuer.email,
        input.issuer.userId,
      ],
    );
    this.d.log.info(
      { id: rows[0].id, instanceId: inst.id, type: input.type, runAfter: next.start.toISOString() },
      'change scheduled for the maintenance window',
    );
    if (open) await this.tick();
    const again = await this.d.db.query<Row>('SELECT * FROM scheduled_changes WHERE id = $1', [rows[0].id]);
    return this.view(again[0]);
  }

  async get(id: string): Promise<ScheduledChangeView | null> {
    const rows = await this.d.db.query<Row>('SELECT * FROM scheduled_changes WHERE id = $1', [id]);
    return rows[0] ? this.view(rows[0]) : null;
  }

  async list(f: {
    /** The clients to list (auth/scope.ts clientFilter); null or absent: every client. */
    clients?: readonly string[] | null;
    instanceId?: string;
    status?: string;
    limit?: number;
  }): Promise<ScheduledChangeView[]> {
    const rows = await this.d.db.query<Row>(
      `SELECT * FROM scheduled_changes
       WHERE ($1::text[] IS NULL OR client_id = ANY($1::text[])) AND ($2::text IS NULL OR instance_id = $2)
         AND ($3::text IS NULL OR status = $3)
       ORDER BY (status IN ('scheduled','dispatching')) DESC, run_after DESC, id DESC LIMIT $4`,
      [f.clients ?? null, f.instanceId ?? null, f.status ?? null, f.limit ?? 200],
    );
    return rows.map((r) => this.view(r));
  }

  /** Cancels a change that is still waiting; null when it has already left. */
  async cancel(id: string): Promise<ScheduledChangeView | null> {
    const rows = await this.d.db.query<Row>(
      `UPDATE scheduled_changes SET status = 'canceled', updated_at = now() WHERE id = $1 AND status = 'scheduled' RETURNING *`,
      [id],
    );
    return rows[0] ? this.view(rows[0]) : null;
  }

  /** Issues every waiting change whose client has a window open now. */
  async tick(): Promise<number> {
    const waiting = await this.d.db.query<Row>(
      `SELECT * FROM scheduled_changes WHERE status IN ('scheduled','dispatching') ORDER BY run_after, id LIMIT 500`,
    );
    let issued = 0;
    const at = new Date(this.now());
    for (const r of waiting) {
      const open = this.d.maintenance.activeWindow(String(r.client_id), at);
      if (!open) continue;
      const leftSec = Math.floor((open.end.getTime() - at.getTime()) / 1000);
      if (leftSec < MIN_WINDOW_LEFT_SEC) continue;
      // Claim it (or take back our own claim after a crash): only one hub gets the row.
      const claimed = await this.d.db.query<Row>(
        `UPDATE scheduled_changes SET status = 'dispatching', updated_at = now()
         WHERE id = $1 AND status IN ('scheduled','dispatching') RETURNING *`,
        [r.id],
      );
      if (!claimed[0]) continue;
      if (await this.issue(claimed[0], open.window.id, leftSec)) issued++;
    }
    return issued;
  }

  private async issue(r: Row, windowId: string, leftSec: number): Promise<boolean> {
    const id = String(r.id);
    if (!this.d.fleet.get(String(r.instance_id))) {
      await this.finish(id, 'missed', null, 'the instance no longer exists');
      return false;
    }
    const type = String(r.type);
    const def = getCommand(type);
    // It must be delivered while the window is open: its expiry never reaches past the window's end.
    const expiresInSec = Math.max(MIN_WINDOW_LEFT_SEC, Math.min(def?.defaultTimeoutSec ?? 300, leftSec));
    try {
      const { view } = await this.d.commands.create({
        instanceId: String(r.instance_id),
        type,
        params: (r.params as Record<string, unknown>) ?? {},
        expiresInSec,
        idempotencyKey: `scheduled:${id}`,
        issuer: { userId: String(r.issuer_id), email: String(r.created_by) },
      });
      await this.d.db.query(
        `UPDATE scheduled_changes SET status = 'dispatched', command_id = $2, window_id = $3, updated_at = now() WHERE id = $1`,
        [id, view.id, windowId],
      );
      this.d.log.info({ id, commandId: view.id, type, windowId }, 'scheduled change issued in its maintenance window');
      return true;
    } catch (e) {
      this.d.log.warn({ err: e, id }, 'scheduled change could not be issued');
      await this.finish(id, 'failed', null, (e as Error).message);
      return false;
    }
  }

  private async finish(id: string, status: ScheduledStatus, commandId: string | null, error: string | null) {
    await this.d.db.query(
      `UPDATE scheduled_changes SET status = $2, command_id = $3, error = $4, updated_at = now() WHERE id = $1`,
      [id, status, commandId, error],
    );
  }
}
