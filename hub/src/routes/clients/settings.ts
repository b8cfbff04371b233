import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { ipAllowed, validAllowlist } from '../../security/ip.js';
import { errorSchema, idParams } from '../schemas.js';
import { assertOwnerOrAdmin } from './access.js';

const settingsSchema = z.object({
  ipAllowlist: z.array(z.string().max(64)).max(200),
  retentionConversationsDays: z.number().int().min(1).max(3650).nullable(),
  retentionLogsDays: z.number().int().min(1).max(3650).nullable(),
});

/** Reads a client's settings (defaults when none were saved). */
export async function clientSettings(ctx: HubContext, clientId: string) {
  const rows = await ctx.db.query<{
    ip_allowlist: string[];
    retention_conversations_days: number | null;
    retention_logs_days: number | null;
  }>(
    'SELECT ip_allowlist, retention_conversations_days, retention_logs_days FROM client_settings WHERE client_id = $1',
    [clientId],
  );
  const r = rows[0];
  return {
    ipAllowlist: r?.ip_allowlist ?? [],
    retentionConversationsDays: r?.retention_conversations_days ?? null,
    retentionLogsDays: r?.retention_logs_days ?? null,
  };
}

/** A client's IP allowlist (for its users) and data retention; its owner or the admin changes them. */
export const clientSettingsRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/clients/:id/settings',
    { schema: { tags: ['clients'], params: idParams, response: { 200: settingsSchema, 404: errorSchema } } },
    async (req) => {
      assertClient(requireUser(req), req.params.id, 'client');
      return clientSettings(ctx, req.params.id);
    },
  );

  app.put(
    '/clients/:id/settings',
    {
      schema: {
        tags: ['clients'],
        params: idParams,
        body: settingsSchema.partial(),
        response: { 200: settingsSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [req.params.id]))[0]) throw notFound('client');
      const next = { ...(await clientSettings(ctx, req.params.id)), ...req.body };
      const bad = validAllowlist(next.ipAllowlist);
      if (bad) throw new HttpError(400, HUB_ERR.VALIDATION, bad);
      // A client user may not lock themselves out; the admin is governed by the admin list instead.
      if (u.clientId && !ipAllowed(next.ipAllowlist, req.ip))
        throw new HttpError(400, HUB_ERR.VALIDATION, `the list must include your own address (${req.ip})`);
      await ctx.db.query(
        `INSERT INTO client_settings (client_id, ip_allowlist, retention_conversations_days, retention_logs_days, updated_at)
         VALUES ($1,$2,$3,$4,now()) ON CONFLICT (client_id) DO UPDATE SET ip_allowlist = EXCLUDED.ip_allowlist,
         retention_conversations_days = EXCLUDED.retention_conversations_days,
         retention_logs_days = EXCLUDED.retention_logs_days, updated_at = now()`,
        [req.params.id, JSON.stringify(next.ipAllowlist), next.retentionConversationsDays, next.retentionLogsDays],
      );
      ctx.allowlists.invalidate(req.params.id);
      await audit(ctx.db, `user:${u.id}`, 'client.settings', req.params.id, req.params.id, next);
      return next;
    },
  );
};
