import { z } from 'zod';

/** Shared API schemas. */
export const ERROR_EXAMPLE = { error: { code: 'HUB_ERR_NOT_FOUND', message: 'client not found' } };
/** Every error answer: a stable `HUB_ERR_…` code and a message for people. */
export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ examples: [ERROR_EXAMPLE] });
export const idParams = z.object({ id: z.string().min(1).max(64) });
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  clientId: z.string().nullable(),
});
/** Where a client's servers run (Hetzner location, city, ISO country). */
export const clientLocationSchema = z.object({
  name: z.string(),
  city: z.string().nullable(),
  country: z.string().nullable(),
});
export const clientSchema = z.object({
  id: z.string(),
  name: z.string(),
  industry: z.string(),
  plan: z.string(),
  status: z.string(),
  /** Where the client's servers run (Hetzner location, city, ISO country); null until chosen. */
  location: clientLocationSchema.nullable(),
  /** The partner (reseller) the client belongs to; null for Deep Signal's own clients. */
  partnerId: z.string().nullable(),
  createdAt: z.string(),
});
export const isoDate = z.iso.datetime({ offset: true });
