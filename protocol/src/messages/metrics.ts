import * as z from 'zod';
import { envelopeShape, nonNeg, timeMs } from '../envelope.js';
import { LIMITS } from '../limits.js';
import { defineMessage } from './define.js';

/** One mount's disk usage in bytes. */
export const diskSchema = z.object({
  mount: z.string().min(1).max(LIMITS.maxShortString),
  used: nonNeg,
  total: nonNeg,
});

/** The OpenClaw gateway process, when it runs. */
export const processSampleSchema = z.object({
  pid: z.number().int().nonnegative(),
  cpu: nonNeg,
  rss: nonNeg,
});

/**
 * One per-second machine sample. [SPEC 5.3]
 * Percentages are 0-100 of all cores; bytes are bytes; rates are bytes per second.
 * Fields a collector could not read are omitted (and reported as an event), never faked.
 */
export const metricSampleSchema = z.object({
  t: timeMs,
  cpu: z.number().finite().min(0).max(100).optional(),
  load1: nonNeg.optional(),
  load5: nonNeg.optional(),
  load15: nonNeg.optional(),
  memUsed: nonNeg.optional(),
  memTotal: nonNeg.optional(),
  swapUsed: nonNeg.optional(),
  swapTotal: nonNeg.optional(),
  disks: z.array(diskSchema).max(LIMITS.maxMounts).optional(),
  netRx: nonNeg.optional(),
  netTx: nonNeg.optional(),
  uptime: nonNeg.optional(),
  openclaw: processSampleSchema.nullable().optional(),
});
export type MetricSample = z.infer<typeof metricSampleSchema>;

export const metricsSchema = z.object({
  ...envelopeShape,
  samples: z.array(metricSampleSchema).min(1).max(LIMITS.maxMetricSamples),
});
export type MetricsMessage = z.infer<typeof metricsSchema>;

export const metricsMessage = defineMessage({
  kind: 'metrics',
  direction: 'sidecar->hub',
  qos: 1,
  retain: false,
  acked: true,
  schema: metricsSchema,
  description: 'A batch of per-second machine and OpenClaw process samples.',
});
