import pino, { type Logger } from 'pino';
import type { HetznerClient } from '../cloud/hetzner/client.js';
import { monthlyPrice } from '../cloud/hetzner/client.js';
import { HetznerError } from '../cloud/hetzner/errors.js';
import { Lease } from '../cluster/lease.js';
import type { Db } from '../db/index.js';
import type { ServerChangeNotices } from './change-notice.js';
import type { DeploymentRow, DeploymentService } from './service.js';
import { LABEL } from './service.js';

/** An instance's server as instance_hosts has it. */
export interface HostRow {
  instanceId: string;
  clientId: string;
  serverId: number | null;
  serverName: string;
  serverType: string;
  location: string;
  state: string;
  snapshotId: number | null;
  tailnetDeviceId: string | null;
}

export class LifecycleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function host(db: Db, instanceId: string): Promise<HostRow | null> {
  const r = (
    await db.query<Record<string, unknown>>(
      `SELECT h.*, i.client_id FROM instance_hosts h JOIN instances i ON i.id = h.instance_id WHERE h.instance_id = $1`,
      [instanceId],
    )
  )[0];
  if (!r) return null;
  return {
    instanceId,
    clientId: String(r.client_id),
    serverId: r.server_id === null ? null : Number(r.server_id),
    serverName: String(r.server_name),
    serverType: String(r.server_type),
    location: String(r.location),
    state: String(r.state),
    snapshotId: r.snapshot_id === null ? null : Number(r.snapshot_id),
    tailnetDeviceId: (r.tailnet_device_id as string) ?? null,
  };
}

const setOp = (db: Db, id: string, kind: string, status: string, error: string | null, state?: string) =>
  db.query(
    `UPDATE instance_hosts SET operation = $2, state = COALESCE($3, state), updated_at = now() WHERE instance_id = $1`,
    [id, JSON.stringify({ kind, status, error, at: new Date().toISOString() }), state ?? null],
  );

const words = (e: unknown) => (e instanceof HetznerError ? e.describe() : (e as Error).message);

/**
 * What happens to an instance's server after its deployment: pause (snapshot, then delete the
 * server so nobody pays for an idle VPS), resume (a new server from the snapshot, as a
 * deployment of kind `resume`), resize (Hetzner change_type: off, change, on) and move (pause,
 * then resume in another location). Each runs in the background; instance_hosts.operation
 * says where it is and, on failure, why in Hetzner's words.
 */
export class InstanceLifecycle {
  /** Changes running on this hub, with the lease each holds. */
  private readonly busy = new Map<string, Lease>();
  private static readonly shared = new WeakMap<DeploymentService, InstanceLifecycle>();

  /** The one lifecycle of a hub's deployments (its busy set guards each instance across callers). */
  static for(db: Db, deployments: DeploymentService, notices?: ServerChangeNotices, log?: Logger): InstanceLifecycle {
    let l = InstanceLifecycle.shared.get(deployments);
    if (!l) {
      l = new InstanceLifecycle(db, deployments, notices, log);
      InstanceLifecycle.shared.set(deployments, l);
    }
    return l;
  }

  constructor(
    private readonly db: Db,
    private readonly deployments: DeploymentService,
    /** Tells the client before a resize or a move takes its agent offline. */
    private readonly notices?: ServerChangeNotices,
    private readonly log: Logger = pino({ level: 'silent' }),
  ) {}

  private hz(): HetznerClient {
    const h = this.deployments.hetzner;
    if (!h) throw new LifecycleError(503, this.deployments.unavailableReason() ?? 'Hetzner is not configured');
    return h;
  }

  /**
   * Takes the server for one change: its state moves from one of `wanted` to `to.state` in one
   * statement (compare and set), so two changes asked through two hubs at once cannot both start.
   * `check` refuses before anything changes (e.g. a paused server without a snapshot).
   */
  private async claim(
    instanceId: string,
    wanted: string[],
    to: { kind: string; state: string },
    check?: (h: HostRow) => void,
  ): Promise<HostRow> {
    const h = await host(this.db, instanceId);
    if (!h) throw new LifecycleError(404, 'this instance has no server made by a deployment');
    if (this.busy.has(instanceId)) throw new LifecycleError(409, 'another change to this server is running');
    if (!wanted.includes(h.state)) throw new LifecycleError(409, `the server is ${h.state}`);
    check?.(h);
    // The lease first: from the moment the state says a change runs, a lease says who runs it.
    // Reserved here at once, so a second change asked of this hub meanwhile is refused above
    // (and cannot give up the lease this one takes).
    const lease = new Lease({
      db: this.db,
      name: `server-change:${instanceId}`,
      holder: this.deployments.holder,
      log: this.log,
      onAcquire: () => {},
      onLose: () => {},
    });
    this.busy.set(instanceId, lease);
    try {
      await this.takeServer(instanceId, h.state, to, lease);
    } catch (e) {
      this.busy.delete(instanceId);
      throw e;
    }
    return h;
  }

  /** The lease, then the compare-and-set of the server's state; the lease renewed from then on. */
  private async takeServer(instanceId: string, from: string, to: { kind: string; state: string }, lease: Lease) {
    await lease.attempt();
    if (!lease.held) throw new LifecycleError(409, 'another change to this server is running on another hub');
    const taken = await this.db.query(
      `UPDATE instance_hosts SET operation = $3, state = $4, updated_at = now()
       WHERE instance_id = $1 AND state = $2 RETURNING instance_id`,
      [
        instanceId,
        from,
        JSON.stringify({ kind: to.kind, status: 'running', error: null, at: new Date().toISOString() }),
        to.state,
      ],
    );
    if (!taken.length) {
      await lease.stop();
      throw new LifecycleError(409, 'another change to this server started just now');
    }
    await lease.start(); // renewed while the change runs
  }

  /**
   * Runs the change here, under the lease `server-change:<instance>` its claim took, so that when
   * this hub dies in the middle another hub (or this one restarted) sees the change is run by
   * nobody and puts the server back where it stands ({@link reconcileInterrupted}).
   */
  private background(instanceId: string, kind: string, fn: () => Promise<void>) {
    void fn()
      .then(() => setOp(this.db, instanceId, kind, 'done', null))
      .catch((e) => setOp(this.db, instanceId, kind, 'failed', words(e), 'running').catch(() => {}))
      .finally(() => void this.release(instanceId));
  }

  /** The change of this server ends here: its lease is given up. */
  private async release(instanceId: string): Promise<void> {
    const lease = this.busy.get(instanceId);
    this.busy.delete(instanceId);
    await lease?.stop();
  }

  /**
   * Changes that no hub runs any more (the hub doing them died or was restarted in the middle):
   * each is marked failed with what happened, and the server is put back as Hetzner has it:
   * powered on and `running` (with the type it has now) when it still exists, `paused` when only
   * its snapshot is left. Run at start and by the orphan sweep of the fleet-wide jobs' holder.
   */
  async reconcileInterrupted(): Promise<void> {
    const hz = this.deployments.hetzner;
    if (!hz) return;
    const rows = await this.db.query<{ instance_id: string; operation: { kind: string } }>(
      `SELECT h.instance_id, h.operation FROM instance_hosts h
         LEFT JOIN hub_leases l ON l.name = 'server-change:' || h.instance_id AND l.expires_at > now()
       WHERE h.state IN ('pausing', 'resizing', 'moving') AND (l.name IS NULL OR l.holder = $1)`,
      [this.deployments.holder],
    );
    for (const r of rows) {
      if (this.busy.has(r.instance_id)) continue;
      const h = await host(this.db, r.instance_id);
      if (!h) continue;
      const kind = r.operation?.kind ?? h.state;
      try {
        const s = h.serverId === null ? null : await hz.getServer(h.serverId);
        let now: string;
        if (s) {
          if (s.status === 'off') await hz.waitForAction((await hz.serverAction(s.id, 'poweron')).action);
          await this.db.query(
            `UPDATE instance_hosts SET state = 'running', server_type = $2, monthly_price = $3, updated_at = now()
             WHERE instance_id = $1`,
            [h.instanceId, s.server_type.name, monthlyPrice(s.server_type, h.location)],
          );
          now = `the server is running as ${s.server_type.name}`;
        } else if (h.snapshotId !== null) {
          await this.db.query(
            `UPDATE instance_hosts SET state = 'paused', server_id = NULL, ipv4 = NULL, tailnet_ip = NULL,
               tailnet_device_id = NULL, monthly_price = NULL, updated_at = now() WHERE instance_id = $1`,
            [h.instanceId],
          );
          now = 'the server is paused (its snapshot is kept): resume it';
        } else continue; // neither server nor snapshot: left for an operator, as it is
        const why = `interrupted: the hub doing it stopped; ${now}. Ask again if it is still wanted.`;
        await setOp(this.db, h.instanceId, kind, 'failed', why);
        this.log.warn({ instanceId: h.instanceId, kind }, `server change ${why}`);
      } catch (e) {
        this.log.warn(
          { err: words(e), instanceId: h.instanceId },
          'an interrupted server change could not be put right yet',
        );
      }
    }
  }

  /** Snapshot, then delete the server (and its tailnet device). */
  async pause(instanceId: string): Promise<void> {
    const h = await this.claim(instanceId, ['running'], { kind: 'pause', state: 'pausing' });
    this.background(instanceId, 'pause', async () => {
      await this.doPause(h);
    });
  }

  /** Whether a background change of the instance runs on this hub now. */
  isBusy(instanceId: string): boolean {
    return this.busy.has(instanceId);
  }

  /** Whether another hub runs a change of this server now (it holds the change's lease). */
  async runningElsewhere(instanceId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM hub_leases WHERE name = $1 AND expires_at > now() AND holder <> $2', [
      `server-change:${instanceId}`,
      this.deployments.holder,
    ]);
    return r.length > 0;
  }

  /** Waits until no hub runs a change of this server (this one or another). */
  async idleEverywhere(instanceId: string, ms = 3_600_000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end && (this.busy.has(instanceId) || (await this.runningElsewhere(instanceId))))
      await new Promise((r) => setTimeout(r, 1000));
  }

  /** Waits until a background change of the instance ends (tests, move). */
  async idle(instanceId: string, ms = 600_000): Promise<void> {
    const end = Date.now() + ms;
    while (this.busy.has(instanceId) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  }

  private async doPause(h: HostRow): Promise<number> {
    const hz = this.hz();
    if (h.serverId === null) throw new Error('no server to pause');
    // A clean snapshot needs the disk at rest.
    await hz.waitForAction((await hz.serverAction(h.serverId, 'poweroff')).action);
    const snap = await hz.createSnapshot(h.serverId, `deepsignal ${h.instanceId} paused`, {
      [LABEL.instance]: h.instanceId,
      [LABEL.client]: h.clientId,
    });
    await hz.waitForAction(snap.action, { timeoutMs: 60 * 60_000 });
    await this.db.query('UPDATE instance_hosts SET snapshot_id = $2 WHERE instance_id = $1', [
      h.instanceId,
      snap.image.id,
    ]);
    const del = await hz.deleteServer(h.serverId);
    if (del) await hz.waitForAction(del);
    const ts = this.deployments.tailscale;
    if (ts) {
      const dev = h.tailnetDeviceId ?? (await ts.deviceByHostname(h.serverName))?.id;
      if (dev) await ts.deleteDevice(dev);
    }
    await this.db.query(
      `UPDATE instance_hosts SET state = 'paused', server_id = NULL, ipv4 = NULL, tailnet_ip = NULL, tailnet_device_id = NULL,
         monthly_price = NULL, updated_at = now() WHERE instance_id = $1`,
      [h.instanceId],
    );
    return snap.image.id;
  }

  /** A new server from the snapshot (in `location`, default where it was), as a resume deployment. */
  async resume(instanceId: string, actor: string, location?: string): Promise<DeploymentRow> {
    const h = await this.claim(instanceId, ['paused'], { kind: 'resume', state: 'resuming' }, (x) => {
      if (x.snapshotId === null) throw new LifecycleError(409, 'the paused server has no snapshot');
    });
    try {
      return await this.deployments.create({
        clientId: h.clientId,
        location: location ?? h.location,
        serverType: h.serverType,
        actor,
        resume: { instanceId, image: String(h.snapshotId) },
      });
    } finally {
      // The resume deployment holds its own lease from here.
      await this.release(instanceId);
    }
  }

  /** Hetzner change_type: power off, change, power on (a few minutes of downtime). */
  async resize(instanceId: string, serverType: string, actor = 'system'): Promise<void> {
    const h = await this.claim(instanceId, ['running'], { kind: 'resize', state: 'resizing' });
    await this.notices?.announce({ kind: 'resize', instanceId, clientId: h.clientId, to: serverType, actor });
    this.background(instanceId, 'resize', async () => {
      const hz = this.hz();
      if (h.serverId === null) throw new Error('no server to resize');
      await hz.waitForAction((await hz.serverAction(h.serverId, 'poweroff')).action);
      try {
        await hz.waitForAction((await hz.changeType(h.serverId, serverType, false)).action, { timeoutMs: 30 * 60_000 });
      } finally {
        // Back on, changed or not.
        await hz.waitForAction((await hz.serverAction(h.serverId, 'poweron')).action);
      }
      const s = await hz.getServer(h.serverId);
      await this.db.query(
        `UPDATE instance_hosts SET server_type = $2, monthly_price = $3, state = 'running', updated_at = now() WHERE instance_id = $1`,
        [h.instanceId, serverType, s ? monthlyPrice(s.server_type, h.location) : null],
      );
    });
  }

  /** Pause here, resume in `location` (Hetzner snapshots are usable in every location). */
  async move(
    instanceId: string,
    location: string,
    actor: string,
    place?: { city: string; country: string } | null,
  ): Promise<void> {
    const h = await this.claim(instanceId, ['running'], { kind: 'move', state: 'moving' });
    await this.notices?.announce({ kind: 'move', instanceId, clientId: h.clientId, to: location, place, actor });
    this.background(instanceId, 'move', async () => {
      await this.doPause(h);
      await this.release(instanceId);
      await this.resume(instanceId, actor, location);
    });
  }
}
