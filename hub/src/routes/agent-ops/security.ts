import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Advisories } from '../../agent-ops/advisories.js';
import { notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { errorSchema, idParams, isoDate } from '../schemas.js';

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

const advisoryList = z.object({
  advisories: z.array(
    z.object({
      id: z.string(),
      package: z.enum(['openclaw', '@deepsignal/sidecar']),
      title: z.string(),
      severity: z.enum(['info', 'low', 'moderate', 'high', 'critical']),
      vulnerableVersions: z.string().describe('npm range syntax'),
      url: z.string().nullable(),
    }),
  ),
  pinned: z.object({ openclaw: z.string(), sidecar: z.string() }),
  refreshedAt: z.string().nullable(),
  source: z.string().nullable(),
  refreshError: z.string().nullable(),
});

const keyAges = z.object({
  hubKey: z.object({ keyId: z.string(), createdAt: z.string().nullable() }),
  secrets: z.array(z.object({ clientId: z.string(), name: z.string(), updatedAt: z.string() })),
  instanceSecrets: z.array(
    z.object({ instanceId: z.string(), clientId: z.string(), hostname: z.string(), since: z.string() }),
  ),
  tokens: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      account: z.string(),
      createdAt: z.string(),
      expiresAt: z.string().nullable(),
      lastUsedAt: z.string().nullable(),
    }),
  ),
});

/**
 * What the security agent reads beyond the rest of the API: the advisory list, the ages of every
 * key (never a key itself), console sessions against maintenance windows and an instance's hourly
 * activity. Operators and agents only (a client user gets 403, another client's instance 404).
 */
export const securityFactRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const advisories = new Advisories({ db: ctx.db, config: ctx.config });
  advisories.start();
  app.addHook('onClose', async () => advisories.stop());
  const staff = (req: Parameters<typeof requireUser>[0]) => {
    const u = requireUser(req);
    assertRole(u, 'admin', 'support', 'service');
    return u;
  };

  app.get(
    '/advisories',
    {
      schema: {
        tags: ['agent-ops'],
        summary: 'Known advisories for OpenClaw and the sidecar, and the pinned current versions',
        response: { 200: advisoryList, 403: errorSchema },
      },
    },
    async (req) => {
      staff(req);
      return advisories.list();
    },
  );

  app.post(
    '/advisories/refresh',
    {
      schema: {
        tags: ['agent-ops'],
        summary: 'Ask DS_ADVISORIES_URL about the fleet’s versions now (the list is kept on failure)',
        response: { 200: advisoryList, 403: errorSchema },
      },
    },
    async (req) => {
      assertRole(requireUser(req), 'admin');
      return advisories.refresh();
    },
  );

  app.get(
    '/security/key-ages',
    {
      schema: {
        tags: ['agent-ops'],
        summary: "When each key was last set: provider keys, instance secrets, the hub's signing key, live tokens",
        response: { 200: keyAges, 403: errorSchema },
      },
    },
    async (req) => {
      staff(req);
      let createdAt: string | null = null;
      try {
        createdAt = statSync(join(resolve(ctx.config.dataDir), 'hub-key.pem')).mtime.toISOString();
      } catch {
        createdAt = null;
      }
      const secrets = await ctx.db.query<Record<string, unknown>>(
        'SELECT client_id, name, updated_at FROM client_secrets ORDER BY client_id, name',
      );
      const creds = await ctx.db.query<Record<string, unknown>>(
        `SELECT c.instance_id, i.client_id, i.hostname, COALESCE(c.rotated_at, c.created_at) AS since
         FROM instance_credentials c JOIN instances i ON i.id = c.instance_id ORDER BY c.instance_id`,
      );
      const tokens = await ctx.db.query<Record<string, unknown>>(
        `SELECT t.id, t.name, u.email, t.created_at, t.expires_at, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) ORDER BY t.created_at`,
      );
      return {
        hubKey: { keyId: ctx.key.keyId, createdAt },
        secrets: secrets.map((r) => ({
          clientId: String(r.client_id),
          name: String(r.name),
          updatedAt: iso(r.updated_at) as string,
        })),
        instanceSecrets: creds.map((r) => ({
          instanceId: String(r.instance_id),
          clientId: String(r.client_id),
          hostname: String(r.hostname),
          since: iso(r.since) as string,
        })),
        tokens: tokens.map((r) => ({
          id: String(r.id),
          name: String(r.name),
          account: String(r.email),
          createdAt: iso(r.created_at) as string,
          expiresAt: iso(r.expires_at),
          lastUsedAt: iso(r.last_used_at),
        })),
      };
    },
  );

  app.get(
    '/security/console-sessions',
    {
      schema: {
        tags: ['agent-ops'],
        summary: 'Console sessions opened since `from`, each with whether a maintenance window of its client was open',
        querystring: z.object({
          from: isoDate.optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
        }),
        response: {
          200: z.array(
            z.object({
              id: z.number(),
              t: z.string(),
              actor: z.string(),
              actorEmail: z.string().nullable(),
              sessionId: z.string().nullable(),
              clientId: z.string().nullable(),
              instanceId: z.string().nullable(),
              inMaintenanceWindow: z.boolean(),
            }),
          ),
          403: errorSchema,
        },
      },
    },
    async (req) => {
      staff(req);
      const rows = await ctx.db.query<Record<string, unknown>>(
        `SELECT a.id, a.created_at, a.actor, u.email, a.target, a.client_id, a.detail
         FROM audit_log a LEFT JOIN users u ON a.actor = 'user:' || u.id
         WHERE a.action = 'console.open' AND ($1::timestamptz IS NULL OR a.created_at >= $1)
         ORDER BY a.id DESC LIMIT $2`,
        [req.query.from ?? null, req.query.limit],
      );
      return rows.map((r) => {
        const t = new Date(r.created_at as string);
        const clientId = (r.client_id as string | null) ?? null;
        const detail = (r.detail ?? {}) as { instanceId?: unknown };
        return {
          id: Number(r.id),
          t: t.toISOString(),
          actor: String(r.actor),
          actorEmail: (r.email as string | null) ?? null,
          sessionId: (r.target as string | null) ?? null,
          clientId,
          instanceId: typeof detail.instanceId === 'string' ? detail.instanceId : null,
          inMaintenanceWindow: clientId ? !!ctx.maintenance.activeWindow(clientId, t) : false,
        };
      });
    },
  );

  app.get(
    '/instances/:id/activity',
    {
      schema: {
        tags: ['agent-ops'],
        summary: "An instance's hourly activity (UTC hours with any): messages, tokens, error lines, reply latency",
        params: idParams,
        querystring: z.object({
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 90)
            .default(24 * 28),
        }),
        response: {
          200: z.array(
            z.object({
              hour: z.string(),
              messages: z.number(),
              tokens: z.number(),
              errors: z.number(),
              latencyMs: z.number().nullable(),
            }),
          ),
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const u = staff(req);
      const s = ctx.fleet.get(req.params.id);
      if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
      const since = new Date(Date.now() - req.query.hours * 3_600_000);
      const usage = await ctx.db.query<Record<string, unknown>>(
        `SELECT bucket, SUM(messages + replies)::float8 AS m, SUM(tokens_in + tokens_out)::float8 AS tk,
                SUM(latency_sum)::float8 AS ls, SUM(latency_count)::float8 AS lc
         FROM usage_hourly WHERE instance_id = $1 AND bucket >= $2 GROUP BY bucket`,
        [req.params.id, since],
      );
      const errors = await ctx.db.query<Record<string, unknown>>(
        `SELECT date_trunc('hour', t) AS bucket, COUNT(*)::float8 AS n FROM log_lines
         WHERE instance_id = $1 AND t >= $2 AND level IN ('error', 'fatal') GROUP BY 1`,
        [req.params.id, since],
      );
      const byHour = new Map<
        string,
        { hour: string; messages: number; tokens: number; errors: number; latencyMs: number | null }
      >();
      const at = (b: unknown) => {
        const hour = new Date(b as string).toISOString();
        const v = byHour.get(hour) ?? { hour, messages: 0, tokens: 0, errors: 0, latencyMs: null };
        byHour.set(hour, v);
        return v;
      };
      for (const r of usage) {
        const v = at(r.bucket);
        v.messages = Number(r.m);
        v.tokens = Number(r.tk);
        v.latencyMs = Number(r.lc) > 0 ? Number(r.ls) / Number(r.lc) : null;
      }
      for (const r of errors) at(r.bucket).errors = Number(r.n);
      return [...byHour.values()].sort((a, b) => a.hour.localeCompare(b.hour));
    },
  );
};
