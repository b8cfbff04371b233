import * as z from 'zod';
import { changeReport } from './change.js';
import { defineCommand, OPERATOR } from './define.js';

/**
 * The sidecar downloads the bundle, checks its sha256 (it refuses one without), snapshots, installs
 * it in its state dir and restarts on it "on trial". Online at the hub, the new sidecar reports the
 * command `succeeded`; one that does not get there goes back to the previous bundle, which reports
 * it `failed` with `error.code` `rolled_back` and the reason. Without `url` the hub fills `url`
 * and `sha256` with the bundle it serves itself.
 */

export const sidecarUpdate = defineCommand({
  type: 'sidecar.update',
  description: 'Update the sidecar itself to a version, then restart it.',
  params: z
    .object({
      version: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9._-]+$/),
      url: z.string().url().max(2048).optional(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    })
    .strict(),
  result: z.object({ from: z.string(), to: z.string(), change: changeReport.optional() }),
  defaultTimeoutSec: 600,
  roles: OPERATOR,
  progress: true,
});

/**
 * The version a sidecar bundle names in its first line, `// deepsignal-sidecar <version>` (after
 * the `#!` line; written by sidecar/scripts/build.mjs), from the file's first bytes as text; null
 * when it is not a sidecar bundle. The hub and the sidecar read it without running the file.
 */
export function sidecarBundleVersion(head: string): string | null {
  return /^(?:#![^\n]{0,100}\n)?\/\/ deepsignal-sidecar ([A-Za-z0-9._-]{1,64})\n/.exec(head.slice(0, 256))?.[1] ?? null;
}
