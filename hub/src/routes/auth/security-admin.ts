import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { ipAllowed, validAllowlist } from '../../security/ip.js';
import { errorSchema } from '../schemas.js';

const allowlistBody = z.object({ ipAllowlist: z.array(z.string().max(64)).max(200) });

/** Operator-side security settings: the admin IP allowlist and master-key rotation. */
export const securityAdminRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/security/admin-allowlist',
    {
      schema: {
        tags: ['security'],
        response: { 200: z.object({ configured: z.array(z.string()), ipAllowlist: z.array(z.string()) }) },
      },
    },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support');
      return { configured: [...ctx.allowlists.configured], ipAllowlist: await ctx.allowlists.adminStored() };
    },
  );

  app.put(
    '/security/admin-allowlist',
    {
      schema: {
        tags: ['security'],
        body: allowlistBody,
        response: { 200: z.object({ ipAllowlist: z.array(z.string()) }), 400: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const bad = validAllowlist(req.body.ipAllowlist);
      if (bad) throw new HttpError(400, HUB_ERR.VALIDATION, bad);
      // Refuse a list that would lock out the admin who sets it.
      const effective = [...ctx.allowlists.configured, ...req.body.ipAllowlist];
      if (!ipAllowed(effective, req.ip))
        throw new HttpError(400, HUB_ERR.VALIDATION, `the list must include your own address (${req.ip})`);
      await ctx.allowlists.setAdmin(req.body.ipAllowlist);
      await audit(ctx.db, `user:${u.id}`, 'security.admin_allowlist', null, null, {
        ipAllowlist: req.body.ipAllowlist,
      });
      return { ipAllowlist: req.body.ipAllowlist };
    },
  );

  app.post(
    '/security/master-key/rotate',
    {
      schema: {
        tags: ['security'],
        response: { 200: z.object({ keyId: z.string(), rewrapped: z.number() }), 409: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      let out: { keyId: string; rewrapped: number };
      try {
        // File-based keys: a new key is generated and every data key re-wrapped, online.
        // DS_MASTER_KEY: the operator puts the new key first and restarts; this re-wraps under it.
        out = ctx.secrets.ring.file
          ? await ctx.secrets.rotateMasterKey()
          : { keyId: ctx.secrets.ring.keys[0].id, rewrapped: await ctx.secrets.rewrapAll() };
      } catch (e) {
        throw new HttpError(409, HUB_ERR.CONFLICT, (e as Error).message);
      }
      await audit(ctx.db, `user:${u.id}`, 'security.master_key_rotate', out.keyId, null, { rewrapped: out.rewrapped });
      return out;
    },
  );
};
