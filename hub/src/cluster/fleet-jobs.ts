import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { Lease, leaseHolder } from './lease.js';

/** Work that exactly one hub of a deployment does at a time. */
export interface FleetJob {
  name: string;
  start(): Promise<void> | void;
  /** `stopping`: the hub stops (else it only lost the lease and goes on serving). */
  stop(stopping: boolean): Promise<void> | void;
}

/** A job that calls `run` every `everyMs` while this hub holds the lease. */
export function everyJob(name: string, everyMs: number, run: () => Promise<unknown>, log: Logger): FleetJob {
  let timer: NodeJS.Timeout | undefined;
  return {
    name,
    start() {
      timer = setInterval(() => void run().catch((e) => log.warn({ err: e, job: name }, `${name} failed`)), everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * The fleet-wide jobs (alert evaluation and notifications, client webhook deliveries, billing,
 * rollouts, the backup schedule, scheduled changes, ticket and experiment sweeps, weekly reports,
 * rollups and retention) run on one hub only: the holder of the `fleet-jobs` lease. With several
 * hubs on one database the others take over within the lease's lifetime when it dies, and nothing
 * is notified, billed or rolled out twice; a single hub holds it from its start. The holder is
 * named by the machine and the data directory, so a restarted hub takes its own lease back at once.
 */
export function fleetJobsLease(d: { db: Db; dataDir: string; log: Logger; jobs: FleetJob[] }): Lease {
  return new Lease({
    db: d.db,
    name: 'fleet-jobs',
    holder: leaseHolder(d.dataDir),
    log: d.log,
    onAcquire: async () => {
      for (const j of d.jobs) await j.start();
    },
    onLose: async (stopping) => {
      for (const j of [...d.jobs].reverse()) await j.stop(stopping);
    },
  });
}
