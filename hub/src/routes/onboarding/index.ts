import { COMMANDS, type ModelProvider, mayIssue, priceOf } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, clientFilter, isPartnerUser, seesFleet } from '../../auth/scope.js';
import { type AuthUser, createSession } from '../../auth/sessions.js';
import { createUser } from '../../auth/users.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { locationChoices, setClientLocation, UnknownLocation } from '../../deploy/region.js';
import { OnboardingService } from '../../onboarding/service.js';
import { SECRET } from '../../onboarding/types.js';
import type { CheckResult } from '../../providers/index.js';
import { checkAnthropicKey, checkOpenrouterKey, checkSlackTokens, checkTelegramToken } from '../../providers/index.js';
import { newId } from '../../util/ids.js';
import { sessionCookie } from '../auth/index.js';
import { locationError } from '../clients/location.js';
import { errorSchema } from '../schemas.js';
import { onboardingView } from './view.js';

const company = z.object({
  company: z.string().trim().min(1, 'enter the company name').max(200),
  industry: z.string().trim().max(200).default(''),
  useCase: z.string().trim().max(2000).default(''),
  /** Hetzner location of the client's servers (GET /locations); unset: the default. */
  location: z.string().trim().min(1).max(32).optional(),
});
const clientQuery = z.object({ clientId: z.string().min(1).max(64).optional() });
const view = z.record(z.string(), z.unknown());

/** A failed provider check as an API error next to the field it concerns. */
function checkFailed(r: CheckResult): HttpError {
  return new HttpError(
    r.reason === 'no_network' ? 503 : 422,
    `HUB_ERR_ONBOARDING_${r.reason.toUpperCase()}`,
    r.message,
  );
}

/**
 * The onboarding portal's API: a public start that creates the client and its owner, then one
 * call per screen. Answers are saved on the server at every step; provider keys and channel
 * tokens are checked against the provider and sealed, and never come back out.
 */
export const onboardingRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const svc = new OnboardingService(ctx.db, ctx.fleet, ctx.commands, ctx.secrets, ctx.log.child({ mod: 'onboarding' }));
  ctx.onboarding = svc;

  /** The client a call is about: a client user's own; an operator or a partner user names it. */
  const target = (u: AuthUser, clientId?: string): string => {
    if (seesFleet(u)) {
      if (!clientId) throw new HttpError(400, HUB_ERR.VALIDATION, 'clientId is required for operators');
      return clientId;
    }
    if (isPartnerUser(u)) {
      if (!clientId || !canSeeClient(u, clientId)) throw notFound('client');
      return clientId;
    }
    if (!u.clientId) throw notFound('client');
    return u.clientId;
  };
  const writable = (req: { user: AuthUser | null }, clientId?: string) => {
    const u = requireUser(req as never);
    if (u.role === 'client_viewer' || u.role === 'partner_viewer' || u.role === 'support')
      throw new HttpError(403, HUB_ERR.FORBIDDEN, 'only the client owner or an admin can change onboarding');
    return { u, id: target(u, clientId) };
  };
  /** A location picked at sign-up, checked against Hetzner's list (undefined: none picked). */
  const chosenPlace = async (name?: string) => {
    if (!name) return undefined;
    const { locations } = await locationChoices(ctx.deployments, ctx.config.deployLocation).catch(locationError);
    const l = locations.find((x) => x.name === name);
    if (!l)
      locationError(
        new UnknownLocation(
          name,
          locations.map((x) => x.name),
        ),
      );
    return l;
  };
  const state = async (id: string) => {
    const row = (await svc.get(id)) ?? (await svc.create(id, {}));
    return onboardingView(ctx, id, row);
  };

  app.post(
    '/onboarding/start',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['onboarding'],
        body: company.extend({
          email: z.email('enter a valid email').max(254),
          password: z.string().min(10, 'at least 10 characters').max(1024),
        }),
        response: {
          201: z.object({ token: z.string(), user: z.record(z.string(), z.unknown()), state: view }),
          409: errorSchema,
          400: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const email = b.email.toLowerCase();
      if ((await ctx.db.query('SELECT 1 FROM users WHERE email = $1', [email]))[0])
        throw new HttpError(409, HUB_ERR.CONFLICT, 'an account with this email exists: log in to continue onboarding');
      // Checked before anything is made, so a bad location leaves no half-created client.
      const place = await chosenPlace(b.location);
      const clientId = newId('cli');
      await ctx.db.query(
        `INSERT INTO clients (id, name, industry, plan, status, location, location_city, location_country)
         VALUES ($1,$2,$3,'starter','onboarding',$4,$5,$6)`,
        [clientId, b.company, b.industry, place?.name ?? null, place?.city ?? null, place?.country ?? null],
      );
      const user = await createUser(ctx.db, { email, password: b.password, role: 'client_owner', clientId });
      await svc.create(clientId, { company: { name: b.company, industry: b.industry, useCase: b.useCase } });
      const token = await createSession(ctx.db, user.id);
      await audit(ctx.db, `user:${user.id}`, 'onboarding.start', clientId, clientId, { ip: req.ip });
      reply.header('set-cookie', sessionCookie(token, req.protocol === 'https'));
      return reply.code(201).send({ token, user: { ...user }, state: await state(clientId) });
    },
  );

  app.get(
    '/onboarding',
    { schema: { tags: ['onboarding'], querystring: clientQuery, response: { 200: view } } },
    async (req) => {
      const u = requireUser(req);
      return state(target(u, req.query.clientId));
    },
  );

  app.get(
    '/onboarding/progress',
    { schema: { tags: ['onboarding'], response: { 200: z.array(view), 403: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      const rows = await svc.list(clientFilter(u));
      return Promise.all(rows.map((r) => onboardingView(ctx, r.clientId, r)));
    },
  );

  app.put(
    '/onboarding/company',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: company,
        response: { 200: view, 400: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const { id } = writable(req, req.query.clientId);
      if (req.body.location)
        await setClientLocation(ctx.db, ctx.deployments, ctx.config.deployLocation, id, req.body.location).catch(
          locationError,
        );
      await ctx.db.query('UPDATE clients SET name = $2, industry = $3 WHERE id = $1', [
        id,
        req.body.company,
        req.body.industry,
      ]);
      await svc.save(id, 'company', {
        company: { name: req.body.company, industry: req.body.industry, useCase: req.body.useCase },
      });
      return state(id);
    },
  );

  app.post(
    '/onboarding/provider',
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z
          .object({
            provider: z.enum(['anthropic', 'openrouter']),
            key: z.string().trim().min(8, 'paste the whole key').max(512).optional(),
            /** Try the product without a key: nothing is checked or stored and the agent is not live. */
            testMode: z.boolean().optional(),
          })
          .refine((b) => b.testMode === true || b.key !== undefined, {
            message: 'paste your API key, or choose test mode',
            path: ['key'],
          }),
        response: { 200: view, 422: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const { u, id } = writable(req, req.query.clientId);
      const p = req.body.provider as ModelProvider;
      if (req.body.testMode && req.body.key === undefined) {
        await audit(ctx.db, `user:${u.id}`, 'onboarding.test_mode', p, id, {});
        const cur = (await svc.get(id))?.desired;
        const model = cur?.model && priceOf(cur.model)?.provider !== p ? undefined : cur?.model;
        await svc.save(id, 'provider', { provider: p, providerDetail: { testMode: true }, testMode: true, model });
        return state(id);
      }
      const key = req.body.key ?? '';
      const r =
        p === 'anthropic'
          ? await checkAnthropicKey(ctx.config.anthropicUrl, key)
          : await checkOpenrouterKey(ctx.config.openrouterUrl, key);
      await audit(ctx.db, `user:${u.id}`, 'onboarding.provider_check', p, id, { ok: r.ok, reason: r.reason });
      if (!r.ok) throw checkFailed(r);
      await ctx.secrets.put(id, SECRET.provider(p), key, `user:${u.id}`);
      const cur = (await svc.get(id))?.desired;
      // A model of the other provider cannot run with this key: the picker asks again.
      const model = cur?.model && priceOf(cur.model)?.provider !== p ? undefined : cur?.model;
      await svc.save(id, 'provider', { provider: p, providerDetail: r.detail ?? {}, model, testMode: false });
      // With a working key the client's server can be made (or waits for an operator).
      await ctx.deployments
        ?.startForOnboarding(id, `user:${u.id}`)
        .catch((e) => req.log.warn({ err: e }, 'onboarding deploy failed to start'));
      return state(id);
    },
  );

  app.put(
    '/onboarding/model',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z.object({
          model: z.string().min(3).max(200),
          messagesPerDay: z.coerce.number().int().min(1).max(1_000_000),
        }),
        response: { 200: view, 400: errorSchema },
      },
    },
    async (req) => {
      const { id } = writable(req, req.query.clientId);
      const price = priceOf(req.body.model);
      if (!price) throw new HttpError(400, HUB_ERR.VALIDATION, 'pick a model from the list');
      const cur = (await svc.get(id))?.desired;
      if (cur?.provider && price.provider !== cur.provider)
        throw new HttpError(
          400,
          HUB_ERR.VALIDATION,
          `this model runs on ${price.provider}; your key is for ${cur.provider}`,
        );
      await svc.save(id, 'model', { model: price.id, messagesPerDay: req.body.messagesPerDay });
      return state(id);
    },
  );

  const channelSave = async (id: string, patch: NonNullable<Parameters<OnboardingService['save']>[2]['channels']>) => {
    const cur = (await svc.get(id))?.desired.channels ?? {};
    await svc.save(id, 'channels', { channels: { ...cur, ...patch } });
  };

  app.post(
    '/onboarding/channels/telegram',
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z.object({ botToken: z.string().trim().min(1, 'paste the bot token').max(200) }),
        response: { 200: view, 422: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const { u, id } = writable(req, req.query.clientId);
      const r = await checkTelegramToken(ctx.config.telegramUrl, req.body.botToken);
      if (!r.ok) throw checkFailed(r);
      await ctx.secrets.put(id, SECRET.telegramBot, req.body.botToken, `user:${u.id}`);
      await channelSave(id, { telegram: { enabled: true, username: (r.detail?.username as string) ?? null } });
      return state(id);
    },
  );

  app.post(
    '/onboarding/channels/slack',
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z.object({
          botToken: z.string().trim().min(1, 'paste the bot token').max(300),
          appToken: z.string().trim().min(1, 'paste the app-level token').max(300),
        }),
        response: { 200: view, 422: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const { u, id } = writable(req, req.query.clientId);
      const r = await checkSlackTokens(ctx.config.slackUrl, req.body.botToken, req.body.appToken);
      if (!r.ok) throw checkFailed(r);
      await ctx.secrets.put(id, SECRET.slackBot, req.body.botToken, `user:${u.id}`);
      await ctx.secrets.put(id, SECRET.slackApp, req.body.appToken, `user:${u.id}`);
      await channelSave(id, { slack: { enabled: true, team: (r.detail?.team as string) ?? null } });
      return state(id);
    },
  );

  app.put(
    '/onboarding/channels/:channel',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        params: z.object({ channel: z.enum(['telegram', 'slack', 'whatsapp']) }),
        body: z.object({ enabled: z.boolean() }),
        response: { 200: view, 400: errorSchema },
      },
    },
    async (req) => {
      const { id } = writable(req, req.query.clientId);
      const ch = req.params.channel;
      const cur = (await svc.get(id))?.desired.channels ?? {};
      if (ch !== 'whatsapp' && req.body.enabled && !cur[ch])
        throw new HttpError(400, HUB_ERR.VALIDATION, `connect ${ch} with its token first`);
      await channelSave(id, { [ch]: { ...(cur[ch] ?? {}), enabled: req.body.enabled } });
      return state(id);
    },
  );

  app.post(
    '/onboarding/channels/whatsapp/pair',
    {
      schema: {
        tags: ['onboarding'],
        description:
          "Starts WhatsApp pairing on the client's instance (command channel.login): the QR codes from OpenClaw arrive as the command's progress on the live stream.",
        querystring: clientQuery,
        body: z.object({ force: z.boolean().default(false) }).optional(),
        response: {
          202: z.object({ commandId: z.string(), instanceId: z.string() }),
          403: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { u, id } = writable(req, req.query.clientId);
      if (!mayIssue(u.role, 'channel.login'))
        throw new HttpError(403, HUB_ERR.FORBIDDEN, 'only the client owner or an admin can pair WhatsApp');
      if (!(await svc.get(id))?.desired.channels?.whatsapp?.enabled)
        throw new HttpError(409, HUB_ERR.UNAVAILABLE, 'turn WhatsApp on first, then pair it');
      const rows = await ctx.db.query<{ id: string }>(
        'SELECT id FROM instances WHERE client_id = $1 ORDER BY created_at',
        [id],
      );
      if (rows.length === 0)
        throw new HttpError(
          409,
          HUB_ERR.UNAVAILABLE,
          'your agent’s server has not been set up yet, so there is no WhatsApp QR code to show; pair once it is running',
        );
      const snaps = rows.map((r) => ctx.fleet.get(r.id));
      const online = snaps.find((s) => s && (s.status === 'online' || s.status === 'paused'));
      if (!online) {
        const seen = snaps.map((s) => s?.lastSeen?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0);
        throw new HttpError(
          409,
          HUB_ERR.UNAVAILABLE,
          seen
            ? `your agent’s server is offline (last connected ${new Date(seen).toISOString().replace('T', ' ').slice(0, 16)} UTC), so it cannot show a WhatsApp QR code; try again once it is back`
            : `your agent’s server has not connected to ${(await ctx.brands.forClient(id)).productName} yet, so it cannot show a WhatsApp QR code; try again once it is online`,
        );
      }
      const params = COMMANDS['channel.login'].params.parse({ channel: 'whatsapp', force: req.body?.force ?? false });
      const { view: v } = await ctx.commands.create({
        instanceId: online.id,
        type: 'channel.login',
        params: params as Record<string, unknown>,
        issuer: { userId: u.id, email: u.email },
      });
      return reply.code(202).send({ commandId: v.id, instanceId: online.id });
    },
  );

  app.post(
    '/onboarding/steps/:step/done',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        params: z.object({ step: z.enum(['welcome', 'channels', 'test', 'success']) }),
        response: { 200: view },
      },
    },
    async (req) => {
      const { u, id } = writable(req, req.query.clientId);
      await svc.save(id, req.params.step, {}, false);
      if (req.params.step === 'success') {
        await ctx.db.query("UPDATE clients SET status = 'active' WHERE id = $1 AND status = 'onboarding'", [id]);
        await audit(ctx.db, `user:${u.id}`, 'onboarding.complete', id, id);
      }
      return state(id);
    },
  );

  app.put(
    '/onboarding/personality',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z.object({
          name: z.string().trim().min(1, 'give the agent a name').max(80),
          tone: z.enum(['friendly', 'professional', 'playful', 'concise']),
          emoji: z.string().trim().min(1).max(16),
          avatar: z.union([z.literal(''), z.url('an image URL (https://…)').max(2048)]).default(''),
          instructions: z.string().max(8000).default(''),
        }),
        response: { 200: view },
      },
    },
    async (req) => {
      const { id } = writable(req, req.query.clientId);
      await svc.save(id, 'personality', { personality: req.body });
      return state(id);
    },
  );

  app.post(
    '/onboarding/test-drive',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z.object({ message: z.string().trim().min(1, 'type a message').max(8000) }),
        response: { 202: z.object({ commandId: z.string(), instanceId: z.string() }), 409: errorSchema },
      },
    },
    async (req, reply) => {
      const { u, id } = writable(req, req.query.clientId);
      const snaps = (
        await ctx.db.query<{ id: string }>('SELECT id FROM instances WHERE client_id = $1 ORDER BY created_at', [id])
      ).map((r) => ctx.fleet.get(r.id));
      const online = snaps.find((s) => s && (s.status === 'online' || s.status === 'paused'));
      if (!online)
        throw new HttpError(
          409,
          HUB_ERR.UNAVAILABLE,
          // Connected but its gateway down: typically OpenClaw restarting to take a new setting.
          snaps.some((s) => s?.status === 'error')
            ? 'your agent’s server is connected, but its OpenClaw gateway is not answering right now (it restarts after some changes): try again in a moment'
            : `your agent is not online yet: its server has not connected to ${(await ctx.brands.forClient(id)).productName}`,
        );
      const params = COMMANDS['chat.send'].params.parse({ message: req.body.message, sessionKey: 'agent:main:main' });
      const { view: v } = await ctx.commands.create({
        instanceId: online.id,
        type: 'chat.send',
        params: params as Record<string, unknown>,
        issuer: { userId: u.id, email: u.email },
      });
      return reply.code(202).send({ commandId: v.id, instanceId: online.id });
    },
  );
};
