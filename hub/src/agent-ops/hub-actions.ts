import type { HubActionPreview } from '@deepsignal/protocol';
import { z } from 'zod';
import { HttpError, HUB_ERR } from '../auth/errors.js';
import type { BackupService } from '../backups/service.js';
import type { CommandService, Issuer } from '../commands/service.js';
import type { Db } from '../db/index.js';
import { InstanceLifecycle, LifecycleError } from '../deploy/lifecycle.js';
import { InstanceReplacer, type ReplaceState } from '../deploy/replace.js';
import type { DeploymentService } from '../deploy/service.js';
import type { Fleet } from '../fleet/fleet.js';
import type { HubActionType } from './hub-action-types.js';
import type { PlannedCommand } from './policy.js';
import type { Outcome } from './views.js';

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
  .max(32);
const PARAMS: Record<HubActionType, z.ZodType<Record<string, unknown>>> = {
  'instance.replace': z
    .object({ location: name.optional(), serverType: name.optional(), backupId: z.string().min(1).max(64).optional() })
    .strict(),
  'instance.resize': z.object({ serverType: name }).strict(),
};

/** A hub action's outcome while it runs: the usual fields plus where it is (saved for a restart). */
export type HubActionOutcome = Outcome & { replace?: ReplaceState };

export interface HubActionDeps {
  db: Db;
  fleet: Fleet;
  commands: CommandService;
  deployments: () => DeploymentService | null | undefined;
  backups: () => BackupService | null | undefined;
  /** How often a running action is looked at (tests make it short). */
  pollMs?: number;
}

const asHttp = (e: unknown): never => {
  if (e instanceof LifecycleError)
    throw new HttpError(
      e.status,
      e.status === 404 ? HUB_ERR.NOT_FOUND : e.status === 409 ? HUB_ERR.CONFLICT : HUB_ERR.UNAVAILABLE,
      e.message,
    );
  throw e;
};

export class HubActions {
  constructor(private readonly d: HubActionDeps) {}

  /** Params checked as strictly as a command's. */
  checkParams(c: PlannedCommand): Record<string, unknown> {
    const r = PARAMS[c.type as HubActionType].safeParse(c.params ?? {});
    if (!r.success)
      throw new HttpError(
        400,
        HUB_ERR.BAD_PARAMS,
        `${c.type}: ${r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`,
      );
    return r.data;
  }

  private deploy(): DeploymentService {
    const s = this.d.deployments();
    const why = s ? s.unavailableReason() : 'deployments are not running on this hub';
    if (!s || why) throw new HttpError(503, HUB_ERR.UNAVAILABLE, `hub actions need deployments: ${why}`);
    return s;
  }

  private replacer(): InstanceReplacer {
    const backups = this.d.backups();
    if (!backups) throw new HttpError(503, HUB_ERR.UNAVAILABLE, 'backups are not running on this hub');
    return new InstanceReplacer({ ...this.d, deployments: this.deploy(), backups, pollMs: this.d.pollMs });
  }

  /** What the action will change, worked out now (bad targets are refused here, before anything is stored). */
  async preview(c: PlannedCommand): Promise<HubActionPreview> {
    const s = this.deploy();
    const cat = await s.catalogue();
    const price = (type: string, loc: string) =>
      cat.serverTypes.find((t) => t.name === type)?.monthlyPrice[loc] ?? null;
    const known = (type: string, loc: string) => {
      if (!cat.locations.some((l) => l.name === loc))
        throw new HttpError(400, HUB_ERR.BAD_PARAMS, `${c.type}: unknown location ${loc}`);
      if (!cat.serverTypes.some((t) => t.name === type))
        throw new HttpError(
          400,
          HUB_ERR.BAD_PARAMS,
          `${c.type}: unknown server type ${type}: one of ${cat.serverTypes.map((t) => t.name).join(', ')}`,
        );
    };
    const diff = (from: string, to: string, fromLoc: string, toLoc: string) => {
      const a = price(from, toLoc) ?? price(from, fromLoc);
      const b = price(to, toLoc);
      return {
        fromServerType: from,
        toServerType: to,
        fromLocation: fromLoc,
        toLocation: toLoc,
        monthlyFrom: a,
        monthlyTo: b,
        monthlyDelta: a !== null && b !== null ? Math.round((b - a) * 100) / 100 : null,
        currency: 'EUR' as const,
      };
    };
    if (c.type === 'instance.replace') {
      if (this.d.fleet.get(c.instanceId)?.presence === 'online')
        throw new HttpError(
          409,
          HUB_ERR.CONFLICT,
          'instance.replace: the instance is online; only a dead server is replaced',
        );
      const p = c.params as { location?: string; serverType?: string; backupId?: string };
      const plan = await this.replacer().plan(c.instanceId, p).catch(asHttp);
      known(plan.serverType, plan.location);
      return {
        ...diff(plan.old.serverType, plan.serverType, plan.old.location, plan.location),
        backupId: plan.backupId,
        backupAt: plan.backupAt,
        oldServerId: plan.old.id,
      };
    }
    const h = (
      await this.d.db.query<{ server_type: string; location: string; state: string }>(
        'SELECT server_type, location, state FROM instance_hosts WHERE instance_id = $1',
        [c.instanceId],
      )
    )[0];
    if (!h) throw new HttpError(404, HUB_ERR.NOT_FOUND, 'this instance has no server made by a deployment');
    const to = String(c.params.serverType);
    known(to, h.location);
    if (to === h.server_type) throw new HttpError(409, HUB_ERR.CONFLICT, `the server is already a ${to}`);
    return diff(h.server_type, to, h.location, h.location);
  }

  /** Starts the action; the first outcome says what was started. */
  async start(c: PlannedCommand, key: string, actor: string): Promise<HubActionOutcome> {
    if (c.type === 'instance.replace') {
      const st = await this.replacer().start(c.instanceId, c.params, actor).catch(asHttp);
      return {
        instanceId: c.instanceId,
        type: c.type,
        commandId: st.deploymentId,
        status: 'running',
        error: null,
        deploymentId: st.deploymentId,
        backupId: st.backupId,
        detail: st.detail,
        replace: st,
      };
    }
    await InstanceLifecycle.for(this.d.db, this.deploy())
      .resize(c.instanceId, String(c.params.serverType))
      .catch(asHttp);
    return {
      instanceId: c.instanceId,
      type: c.type,
      commandId: key,
      status: 'running',
      error: null,
      detail: `resizing to ${String(c.params.serverType)}`,
    };
  }

  /**
   * Follows a started action to its end, reporting each change through `update`. A resize left
   * running by a hub that restarted is reported failed: its power-off/change/power-on was cut.
   */
  async follow(
    o: HubActionOutcome,
    issuer: Issuer,
    update: (o: HubActionOutcome) => Promise<void>,
    resumed = false,
  ): Promise<void> {
    if (o.type === 'instance.replace' && o.replace) {
      await this.replacer().follow(o.replace, issuer, async (s) => {
        const final = s.phase === 'done' ? 'succeeded' : s.phase === 'failed' ? 'failed' : 'running';
        await update({
          ...o,
          replace: s,
          status: final,
          detail: s.detail,
          error: final === 'failed' ? { code: 'replace_failed', message: s.detail } : null,
        });
      });
      return;
    }
    const lifecycle = InstanceLifecycle.for(this.d.db, this.deploy());
    // At start: the resize may run on another hub (several hubs); if none runs it, it was cut
    // short by this hub's restart (and the server is put right, deploy/lifecycle.ts).
    if (resumed && !lifecycle.isBusy(o.instanceId) && !(await lifecycle.runningElsewhere(o.instanceId))) {
      await update({
        ...o,
        status: 'failed',
        error: { code: 'interrupted', message: 'the hub restarted during the resize; check the server' },
      });
      return;
    }
    await lifecycle.idleEverywhere(o.instanceId);
    const op = (
      await this.d.db.query<{
        operation: { kind: string; status: string; error: string | null } | null;
        server_type: string;
      }>('SELECT operation, server_type FROM instance_hosts WHERE instance_id = $1', [o.instanceId])
    )[0];
    const ok = op?.operation?.kind === 'resize' && op.operation.status === 'done';
    await update({
      ...o,
      status: ok ? 'succeeded' : 'failed',
      detail: ok ? `now a ${op?.server_type}` : (op?.operation?.error ?? 'the resize did not finish'),
      error: ok ? null : { code: 'resize_failed', message: op?.operation?.error ?? 'the resize did not finish' },
    });
  }
}
