import type { BackupService } from '../backups/service.js';
import type { CommandService, Issuer } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { LifecycleError } from './lifecycle.js';
import type { DeploymentService } from './service.js';

/** What `instance.replace` asks for; everything defaults to the dead server's. */
export interface ReplaceParams {
  location?: string;
  serverType?: string;
  backupId?: string;
}

/** The dead server a replacement takes over from (released once the new one is live). */
export interface OldServer {
  id: number | null;
  name: string;
  tailnetDeviceId: string | null;
  serverType: string;
  location: string;
  ipv4: string | null;
  tailnetIp: string | null;
  tailnetName: string | null;
  monthlyPrice: number | null;
}

/** Where a replacement is; kept on the proposal so a restarted hub picks it up again. */
export interface ReplaceState {
  instanceId: string;
  deploymentId: string;
  backupId: string;
  backupAt: string | null;
  location: string;
  serverType: string;
  old: OldServer;
  phase: 'deploying' | 'restoring' | 'releasing' | 'done' | 'failed';
  restoreCommandId?: string;
  detail: string;
}

const TERMINAL = new Set(['succeeded', 'failed', 'rejected', 'timed_out', 'canceled']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A new server for an instance whose server is gone: like a move (new VPS, restore, switch,
 * release), but from the latest backup that already exists, because a dead server cannot be
 * backed up. The instance keeps its id, so its history and the client's data stay; the new server
 * gets a fresh MQTT secret (the dead one's is revoked, so it cannot come back as a twin) and its
 * own one-time tailnet key, under its own name so its tailnet device is told apart from the dead
 * one's. The dead server and its tailnet device are released only once the new one runs the
 * restored backup.
 */
export class InstanceReplacer {
  constructor(
    private readonly d: {
      db: Db;
      fleet: Fleet;
      commands: CommandService;
      deployments: DeploymentService;
      backups: BackupService;
      pollMs?: number;
    },
  ) {}

  /** Checks a replacement can start and what it would use: the server, location, type and backup. */
  async plan(instanceId: string, p: ReplaceParams) {
    const inst = this.d.fleet.get(instanceId);
    if (!inst) throw new LifecycleError(404, 'instance not found');
    const h = (
      await this.d.db.query<Record<string, unknown>>('SELECT * FROM instance_hosts WHERE instance_id = $1', [
        instanceId,
      ])
    )[0];
    if (!h) throw new LifecycleError(404, 'this instance has no server made by a deployment');
    if (h.state === 'paused') throw new LifecycleError(409, 'the server is paused: resume it instead');
    const backup = (
      await this.d.db.query<{ id: string; instance_id: string; client_id: string | null; completed_at: string | null }>(
        p.backupId
          ? "SELECT id, instance_id, client_id, completed_at FROM backups WHERE id = $1 AND status = 'ready'"
          : "SELECT id, instance_id, client_id, completed_at FROM backups WHERE instance_id = $1 AND status = 'ready' ORDER BY completed_at DESC NULLS LAST LIMIT 1",
        [p.backupId ?? instanceId],
      )
    )[0];
    if (!backup)
      throw new LifecycleError(
        409,
        p.backupId
          ? `backup ${p.backupId} is not a ready backup`
          : 'this instance has no ready backup to restore; a replacement would start empty',
      );
    // Another client's backup is never restored here, whatever the proposal says.
    if (backup.instance_id !== instanceId && backup.client_id !== inst.clientId)
      throw new LifecycleError(404, `backup ${backup.id} not found`);
    const old: OldServer = {
      id: h.server_id === null ? null : Number(h.server_id),
      name: String(h.server_name),
      tailnetDeviceId: (h.tailnet_device_id as string | null) ?? null,
      serverType: String(h.server_type),
      location: String(h.location),
      ipv4: (h.ipv4 as string | null) ?? null,
      tailnetIp: (h.tailnet_ip as string | null) ?? null,
      tailnetName: (h.tailnet_name as string | null) ?? null,
      monthlyPrice: h.monthly_price === null ? null : Number(h.monthly_price),
    };
    return {
      clientId: inst.clientId,
      old,
      location: p.location ?? old.location,
      serverType: p.serverType ?? old.serverType,
      backupId: backup.id,
      backupAt: backup.completed_at ? new Date(backup.completed_at).toISOString() : null,
    };
  }

  /** Starts the replacement deployment; `follow` takes it to the end. */
  async start(instanceId: string, p: ReplaceParams, actor: string): Promise<ReplaceState> {
    if (this.d.fleet.get(instanceId)?.presence === 'online')
      throw new LifecycleError(409, 'the instance is online: only a dead server is replaced');
    const plan = await this.plan(instanceId, p);
    const active = await this.d.db.query<{ id: string }>(
      `SELECT id FROM deployments WHERE instance_id = $1 AND status NOT IN ('live','failed','canceled')`,
      [instanceId],
    );
    if (active[0]) throw new LifecycleError(409, `deployment ${active[0].id} of this instance is still running`);
    const n = Number(
      (
        await this.d.db.query<{ n: string }>(
          "SELECT count(*) AS n FROM deployments WHERE instance_id = $1 AND kind = 'replace'",
          [instanceId],
        )
      )[0]?.n ?? 0,
    );
    const dep = await this.d.deployments.create({
      clientId: plan.clientId,
      location: plan.location,
      serverType: plan.serverType,
      actor,
      replace: { instanceId, serverName: `ds-${instanceId}-r${n + 1}` },
    });
    return {
      instanceId,
      deploymentId: dep.id,
      backupId: plan.backupId,
      backupAt: plan.backupAt,
      location: plan.location,
      serverType: plan.serverType,
      old: plan.old,
      phase: 'deploying',
      detail: `deployment ${dep.id}: a ${plan.serverType} in ${plan.location}`,
    };
  }

  /**
   * Follows a replacement from wherever it is (a restarted hub calls it again with the saved
   * state): deployment live, backup restored, dead server released. `save` records each phase.
   */
  async follow(s: ReplaceState, issuer: Issuer, save: (s: ReplaceState) => Promise<void>): Promise<ReplaceState> {
    const poll = this.d.pollMs ?? 500;
    try {
      if (s.phase === 'deploying') {
        const dep = await this.until(async () => {
          const r = await this.d.deployments.get(s.deploymentId);
          return r && ['live', 'failed', 'canceled'].includes(r.status) ? r : null;
        }, poll);
        if (dep.status !== 'live') {
          await this.putBack(s);
          return await this.done(
            s,
            save,
            'failed',
            `deployment ${dep.id} ${dep.status}${dep.error ? `: ${dep.error.message}` : ''}; the dead server stays on record`,
          );
        }
        s.phase = 'restoring';
        s.detail = `server ${dep.serverId} (${dep.serverName}) live in ${dep.location}; restoring backup ${s.backupId}`;
        await save(s);
      }
      if (s.phase === 'restoring') {
        if (!s.restoreCommandId) {
          s.restoreCommandId = (await this.d.backups.restore(s.backupId, s.instanceId, issuer)).commandId;
          await save(s);
        }
        const cmd = await this.until(async () => {
          const v = await this.d.commands.get(s.restoreCommandId as string);
          return v && TERMINAL.has(v.status) ? v : null;
        }, poll);
        if (cmd.status !== 'succeeded')
          // The new server runs (empty); the dead one stays until an operator decides.
          return await this.done(
            s,
            save,
            'failed',
            `restore ${cmd.id} ${cmd.status}${cmd.error ? `: ${cmd.error.message}` : ''}; the dead server ${s.old.id} was kept`,
          );
        s.phase = 'releasing';
        s.detail = `backup ${s.backupId} restored (${cmd.id}); releasing the dead server`;
        await save(s);
      }
      if (s.phase === 'releasing') {
        const gone = await this.release(s.old);
        return await this.done(s, save, 'done', `live on the new server with backup ${s.backupId}; ${gone}`);
      }
      return s;
    } catch (e) {
      return this.done(s, save, 'failed', (e as Error).message);
    }
  }

  private async done(s: ReplaceState, save: (s: ReplaceState) => Promise<void>, phase: 'done' | 'failed', d: string) {
    s.phase = phase;
    s.detail = d;
    await save(s);
    return s;
  }

  /** A failed deployment leaves the instance on its dead server's record, as it was. */
  private async putBack(s: ReplaceState) {
    const o = s.old;
    await this.d.db.query(
      `UPDATE instance_hosts SET server_id = $2, server_name = $3, tailnet_device_id = $4, server_type = $5, location = $6,
         ipv4 = $7, tailnet_ip = $8, tailnet_name = $9, monthly_price = $10, updated_at = now() WHERE instance_id = $1`,
      [
        s.instanceId,
        o.id,
        o.name,
        o.tailnetDeviceId,
        o.serverType,
        o.location,
        o.ipv4,
        o.tailnetIp,
        o.tailnetName,
        o.monthlyPrice,
      ],
    );
  }

  /** Deletes the dead server at the provider and its device from the tailnet (gone already is fine). */
  private async release(o: OldServer): Promise<string> {
    const out: string[] = [];
    const hz = this.d.deployments.hetzner;
    if (hz && o.id !== null) {
      const a = await hz.deleteServer(o.id);
      if (a) await hz.waitForAction(a).catch(() => {});
      out.push(`server ${o.id} ${a ? 'deleted' : 'was already gone'}`);
    }
    const ts = this.d.deployments.tailscale;
    if (ts) {
      const dev = o.tailnetDeviceId ?? (await ts.deviceByHostname(o.name))?.id ?? null;
      if (dev) await ts.deleteDevice(dev);
      out.push(dev ? `tailnet device ${dev} deleted` : 'no tailnet device left');
    }
    return out.join(', ') || 'nothing to release';
  }

  private async until<T>(probe: () => Promise<T | null>, pollMs: number): Promise<T> {
    for (;;) {
      const v = await probe();
      if (v !== null) return v;
      await sleep(pollMs);
    }
  }
}
