import * as z from 'zod';
import { defineCommand, OPERATOR } from './define.js';

/**
 * Guarded changes. [SPEC 6.8] Before `openclaw.update`, `config.apply` and `model.set` the sidecar
 * snapshots what the change touches; after it, a bounded health check (gateway readiness, a real
 * chat turn through the gateway, every configured channel); any failing check restores the
 * snapshot, checks again, and the command ends `failed` with `error.code` `rolled_back` and a
 * result whose `change.outcome` is `rolled_back` naming the failing check.
 */

/** Names of the health checks, in the order they run. */
export const CHANGE_CHECKS = ['apply', 'readyz', 'canary', 'channels'] as const;
/** How a guarded change ended. */
export const CHANGE_OUTCOMES = ['applied', 'rolled_back', 'rollback_failed', 'unguarded'] as const;
/** The `error.code` of a command whose change was rolled back (its state is `failed`). */
export const ROLLED_BACK = 'rolled_back';

export const changeCheck = z.object({
  name: z.string().max(32),
  ok: z.boolean(),
  ms: z.number().nonnegative(),
  detail: z.string().max(500).optional(),
});
export type ChangeCheck = z.infer<typeof changeCheck>;

/** What a snapshot holds (the files themselves stay on the instance, under the sidecar's state dir). */
export const snapshotInfo = z.object({
  id: z.string().max(80),
  t: z.number().int(),
  /** The command type that took it, or `manual`. */
  reason: z.string().max(64),
  openclawVersion: z.string().max(64).nullable(),
  sidecarVersion: z.string().max(64),
  configSha256: z.string().max(64).nullable(),
  model: z.string().max(200).nullable(),
  files: z.array(z.string().max(64)).max(16),
});
export type SnapshotInfo = z.infer<typeof snapshotInfo>;

/** How long the drain waited, and for what. */
export const drainReport = z.object({
  waitedMs: z.number().nonnegative(),
  turns: z.number().int().nonnegative(),
  /** Turns still in flight when the bound was reached (the change went ahead anyway). */
  timedOut: z.boolean(),
});

/** The `change` part of a guarded command's result. */
export const changeReport = z.object({
  snapshot: snapshotInfo,
  outcome: z.enum(CHANGE_OUTCOMES),
  failedCheck: z.string().max(32).nullable(),
  /** Checks after the change. */
  checks: z.array(changeCheck).max(16),
  /** Checks after the rollback (when there was one). */
  rollbackChecks: z.array(changeCheck).max(16).optional(),
  drain: drainReport.optional(),
});
export type ChangeReport = z.infer<typeof changeReport>;

/** Params every guarded change takes. */
export const guardParams = {
  /** Snapshot, health check and automatic rollback (default on). */
  guard: z.boolean().optional(),
  /** Wait until no conversation turn is in flight before changing (default on). */
  drain: z.boolean().optional(),
  /** Upper bound of that wait. */
  drainSec: z.number().int().min(0).max(900).optional(),
  /**
   * Bound of each step of the health check (gateway ready, canary turn answered, channels up);
   * default 60, 45 and 30 s.
   */
  checkSec: z.number().int().min(5).max(600).optional(),
};

/** Params of the drain alone (restarts). */
export const drainParams = { drain: guardParams.drain, drainSec: guardParams.drainSec };

export const changeRollback = defineCommand({
  type: 'change.rollback',
  description:
    'Restore the last good snapshot (or a named one): OpenClaw version, its config, persona files; then check health.',
  params: z
    .object({
      snapshotId: z
        .string()
        .max(80)
        .regex(/^[A-Za-z0-9._-]+$/)
        .optional(),
      drain: guardParams.drain,
      drainSec: guardParams.drainSec,
      checkSec: guardParams.checkSec,
    })
    .strict(),
  result: z.object({
    snapshot: snapshotInfo,
    restored: z.array(z.string()),
    checks: z.array(changeCheck),
    healthy: z.boolean(),
    drain: drainReport.optional(),
  }),
  defaultTimeoutSec: 900,
  roles: OPERATOR,
  progress: true,
});
