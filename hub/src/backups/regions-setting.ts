import { z } from 'zod';

/**
 * One regional backup store: an S3-compatible bucket (same fields as the DS_BACKUP_S3_* settings)
 * or a local directory (a mounted volume in that region).
 */
const regionalStore = z.union([
  z.strictObject({
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name: 3-63 lowercase letters, digits, dots, hyphens'),
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    region: z.string().min(1).optional(),
    prefix: z.string().max(512).optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    forcePathStyle: z.boolean().optional(),
  }),
  z.strictObject({ dir: z.string().min(1) }),
]);
export type RegionalStoreSettings = z.infer<typeof regionalStore>;

/**
 * DS_BACKUP_STORAGE_REGIONS: a JSON object from a region key to a store. A key is a Hetzner
 * location (`fsn1`), an ISO country code (`DE`, upper case) or a Hetzner network zone
 * (`eu-central`, `us-east`, `us-west`, `ap-southeast`); the most specific match wins.
 */
export const backupRegionsSetting = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return {};
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not JSON: ${(e as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), regionalStore))
  .superRefine((m, ctx) => {
    for (const k of Object.keys(m))
      if (!/^([a-z][a-z0-9-]{1,31}|[A-Z]{2})$/.test(k))
        ctx.addIssue({
          code: 'custom',
          message: `region key ${JSON.stringify(k)}: a location (fsn1), a country code (DE) or a network zone (eu-central)`,
        });
  })
  .refine(
    (m) => Object.values(m).every((s) => !('bucket' in s) || !s.accessKeyId === !s.secretAccessKey),
    'accessKeyId and secretAccessKey go together',
  );
