import type { Logger } from 'pino';
import { LEASE_RENEW_MS, Lease } from '../cluster/lease.js';
import type { Db } from '../db/index.js';

/** Why a deployment's job stopped here without cleaning up: another hub (or this one, later) goes on. */
export const HANDOVER = Symbol('deployment handed over');

interface Job {
  ctl: AbortController;
  done: Promise<void>;
}

/**
 * Which hub runs a deployment: the holder of its lease (`deployment:<id>` in `hub_leases`), taken
 * before the first step and renewed while the steps run, given up when the job ends or the hub
 * stops. With several hubs on one database a deployment therefore runs on exactly one of them; when
 * that hub dies, its lease expires and the hub sweeping for orphans (the fleet-wide jobs' holder)
 * takes the deployment over where it was, as the steps are each safe to run again. A cancel made
 * through another hub is seen by the runner within a renewal interval.
 */
export class DeploymentClaims {
  private readonly jobs = new Map<string, Job>();
  private stopped = false;

  constructor(
    private readonly d: {
      db: Db;
      holder: string;
      log: Logger;
      /** The deployment's steps; `signal` aborts with HANDOVER or a cancel's reason. */
      run: (id: string, signal: AbortSignal) => Promise<void>;
      /** The reason a cancel seen in the row aborts the job with. */
      canceled: () => unknown;
    },
  ) {}

  /** Whether this hub runs (or is taking) the deployment. */
  has(id: string): boolean {
    return this.jobs.has(id);
  }

  /** Aborts the job if it runs here; false when it does not. */
  abort(id: string, reason: unknown): boolean {
    const j = this.jobs.get(id);
    j?.ctl.abort(reason);
    return !!j;
  }

  /** Takes the deployment's lease and runs it, unless it runs here already or another hub runs it. */
  start(id: string): void {
    if (this.stopped || this.jobs.has(id)) return;
    const ctl = new AbortController();
    const done = this.claimAndRun(id, ctl)
      .catch((e) => this.d.log.error({ err: e, id }, 'deployment job failed'))
      .finally(() => this.jobs.delete(id));
    this.jobs.set(id, { ctl, done });
  }

  /** Waits until a deployment's job settles here (tests). */
  async settled(id: string): Promise<void> {
    await this.jobs.get(id)?.done;
  }

  /** Stops every job here without cleanup and gives the leases up, so another hub resumes them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.jobs.values()];
    for (const j of all) j.ctl.abort(HANDOVER);
    await Promise.all(all.map((j) => j.done));
  }

  private async claimAndRun(id: string, ctl: AbortController): Promise<void> {
    const lease = new Lease({
      db: this.d.db,
      name: `deployment:${id}`,
      holder: this.d.holder,
      log: this.d.log,
      onAcquire: () => {},
      // Not renewed in time (the database was away) or taken: another hub may be running it now.
      onLose: () => ctl.abort(HANDOVER),
    });
    await lease.attempt();
    if (!lease.held) return; // another hub runs it
    if (this.stopped) return void (await lease.stop());
    await lease.start();
    const watch = setInterval(() => void this.watchCancel(id, ctl), LEASE_RENEW_MS);
    watch.unref();
    try {
      await this.d.run(id, ctl.signal);
    } finally {
      clearInterval(watch);
      await lease.stop();
    }
  }

  private async watchCancel(id: string, ctl: AbortController): Promise<void> {
    try {
      const r = await this.d.db.query<{ cancel_requested: boolean }>(
        'SELECT cancel_requested FROM deployments WHERE id = $1',
        [id],
      );
      if (r[0]?.cancel_requested && !ctl.signal.aborted) ctl.abort(this.d.canceled());
    } catch {
      // the next renewal tries again; the lease decides whether this hub still runs it
    }
  }
}
