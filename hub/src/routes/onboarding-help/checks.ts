import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/plugin.js';
import { audit } from '../../commands/audit.js';
import { SECRET } from '../../onboarding/types.js';
import type { CheckResult } from '../../providers/index.js';
import { checkAnthropicKey, checkOpenrouterKey, checkSlackTokens, checkTelegramToken } from '../../providers/index.js';
import { errorSchema } from '../schemas.js';
import type { HelpDeps } from './index.js';

const checkView = z.object({
  check: z.enum(['provider', 'telegram', 'slack']),
  /** `missing` when nothing is stored to check; otherwise the provider check's reason. */
  reason: z.enum(['ok', 'bad_key', 'no_credit', 'no_network', 'provider_error', 'missing']),
  ok: z.boolean(),
  message: z.string(),
  provider: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  checkedAt: z.string(),
});

/**
 * Troubleshooting for the onboarding agent: the hub checks the key or token it holds for a client
 * again, against the provider, and says what the provider said. The secret never leaves the hub.
 */
export const checkRoutes: FastifyPluginAsyncZod<HelpDeps> = async (app, d) => {
  const { ctx } = d;
  const run = async (
    clientId: string,
    what: 'provider' | 'telegram' | 'slack',
  ): Promise<{ r: CheckResult | null; provider: string | null }> => {
    if (what === 'provider') {
      const desired = (await ctx.onboarding?.get(clientId))?.desired;
      const p = desired?.provider ?? null;
      const key = p ? await ctx.secrets.get(clientId, SECRET.provider(p)) : null;
      if (!p || !key) return { r: null, provider: p };
      return {
        r:
          p === 'anthropic'
            ? await checkAnthropicKey(ctx.config.anthropicUrl, key)
            : await checkOpenrouterKey(ctx.config.openrouterUrl, key),
        provider: p,
      };
    }
    if (what === 'telegram') {
      const t = await ctx.secrets.get(clientId, SECRET.telegramBot);
      return { r: t ? await checkTelegramToken(ctx.config.telegramUrl, t) : null, provider: 'telegram' };
    }
    const [bot, appToken] = await Promise.all([
      ctx.secrets.get(clientId, SECRET.slackBot),
      ctx.secrets.get(clientId, SECRET.slackApp),
    ]);
    return {
      r: bot && appToken ? await checkSlackTokens(ctx.config.slackUrl, bot, appToken) : null,
      provider: 'slack',
    };
  };

  app.post(
    '/onboarding/checks/:check',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['onboarding'],
        description:
          'Checks the provider key (or the Telegram/Slack token) the hub holds for a client again, against the provider. For the onboarding agent and operators.',
        params: z.object({ check: z.enum(['provider', 'telegram', 'slack']) }),
        querystring: z.object({ clientId: z.string().min(1).max(64) }),
        response: { 200: checkView, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      d.requireHelper(u);
      const clientId = d.target(u, req.query.clientId);
      const { r, provider } = await run(clientId, req.params.check);
      const reason: CheckResult['reason'] | 'missing' = r?.reason ?? 'missing';
      await audit(ctx.db, `user:${u.id}`, 'onboarding.check', req.params.check, clientId, {
        ok: r?.ok ?? false,
        reason,
      });
      return {
        check: req.params.check,
        ok: r?.ok ?? false,
        reason,
        message:
          r?.message ??
          (req.params.check === 'provider'
            ? 'no provider key is stored: paste one on the key screen, or the agent stays in test mode'
            : `no ${req.params.check} token is stored: connect ${req.params.check} on the channels screen first`),
        provider,
        detail: r?.detail ?? null,
        checkedAt: new Date().toISOString(),
      };
    },
  );
};
