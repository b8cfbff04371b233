import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { audit } from '../../commands/audit.js';
import { WELCOME_DAYS, type WelcomeDay } from '../../onboarding/welcome.js';
import { errorSchema } from '../schemas.js';
import type { HelpDeps } from './index.js';

const status = z.object({
  clientId: z.string(),
  clientName: z.string(),
  startedAt: z.string().nullable(),
  optedOut: z.boolean(),
  optedOutAt: z.string().nullable(),
  hasOwner: z.boolean(),
  sent: z.array(z.object({ day: z.number(), subject: z.string(), sentAt: z.string() })),
});
const clientQuery = z.object({ clientId: z.string().min(1).max(64).optional() });

/**
 * The welcome sequence: the onboarding agent asks the hub to send a day's mail; the client sees
 * and sets its opt-out in its settings, or with the link every mail carries.
 */
export const welcomeRoutes: FastifyPluginAsyncZod<HelpDeps> = async (app, d) => {
  app.get(
    '/onboarding/welcome/clients',
    {
      schema: {
        tags: ['onboarding'],
        description: 'Every client’s welcome sequence (start, opt-out, mails sent): for the onboarding agent.',
        response: { 200: z.object({ clients: z.array(status) }), 403: errorSchema },
      },
    },
    async (req) => {
      d.requireHelper(requireUser(req));
      return { clients: await d.welcome.list() };
    },
  );

  app.get(
    '/onboarding/welcome',
    { schema: { tags: ['onboarding'], querystring: clientQuery, response: { 200: status, 404: errorSchema } } },
    async (req) => {
      const s = await d.welcome.one(d.target(requireUser(req), req.query.clientId));
      if (!s) throw notFound('client');
      return s;
    },
  );

  app.put(
    '/onboarding/welcome',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        body: z.object({ optedOut: z.boolean() }),
        response: { 200: status, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      if (u.scopes || !(u.role === 'client_owner' || u.role === 'admin'))
        throw new HttpError(403, HUB_ERR.FORBIDDEN, 'only the client owner or an admin can change the welcome emails');
      const id = d.target(u, req.query.clientId);
      if (!(await d.welcome.one(id))) throw notFound('client');
      await d.welcome.setOptOut(id, req.body.optedOut, `user:${u.id}`);
      await audit(d.ctx.db, `user:${u.id}`, 'onboarding.welcome.opt_out', id, id, { optedOut: req.body.optedOut });
      return (await d.welcome.one(id)) as NonNullable<Awaited<ReturnType<typeof d.welcome.one>>>;
    },
  );

  // The link in every welcome mail; GET so a click works, POST for RFC 8058 one-click clients.
  for (const method of ['GET', 'POST'] as const)
    app.route({
      method,
      url: '/onboarding/welcome/unsubscribe',
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['onboarding'], querystring: z.object({ token: z.string().min(3).max(200) }) },
      handler: async (req, reply) => {
        const clientId = d.welcome.verifyToken(req.query.token);
        if (!clientId || !(await d.welcome.list(clientId))[0])
          throw new HttpError(404, HUB_ERR.NOT_FOUND, 'this unsubscribe link is not valid');
        await d.welcome.setOptOut(clientId, true, 'link');
        await audit(d.ctx.db, 'link', 'onboarding.welcome.opt_out', clientId, clientId, { optedOut: true });
        return reply
          .type('text/plain; charset=utf-8')
          .send('You will get no more welcome emails. You can turn them back on in your dashboard settings.');
      },
    });

  app.post(
    '/onboarding/welcome/:day',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['onboarding'],
        description:
          'Sends a day of the welcome sequence (0, 1, 3, 7) to the client’s owner, once. 201 sent, 200 sent before, 409 opted out or no owner. For the onboarding agent.',
        params: z.object({ day: z.coerce.number().int() }),
        querystring: z.object({ clientId: z.string().min(1).max(64) }),
        body: z.object({
          subject: z.string().trim().min(1, 'a mail needs a subject').max(200),
          text: z.string().trim().min(1, 'a mail needs a body').max(20_000),
        }),
        response: {
          200: z.object({ state: z.literal('already_sent'), sentAt: z.string() }),
          201: z.object({ state: z.literal('sent'), to: z.string(), sentAt: z.string() }),
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      d.requireHelper(u);
      const day = req.params.day;
      if (!(WELCOME_DAYS as readonly number[]).includes(day))
        throw new HttpError(400, HUB_ERR.VALIDATION, `day must be one of ${WELCOME_DAYS.join(', ')}`);
      const id = d.target(u, req.query.clientId);
      if (!(await d.welcome.list(id))[0]) throw notFound('onboarding');
      const r = await d.welcome.send(id, day as WelcomeDay, req.body.subject, req.body.text);
      if (r.state === 'opted_out')
        throw new HttpError(409, HUB_ERR.WELCOME_OPTED_OUT, 'the client opted out of the welcome emails');
      if (r.state === 'no_owner')
        throw new HttpError(409, HUB_ERR.WELCOME_NO_OWNER, 'the client has no owner to write to');
      if (r.state === 'already_sent') return reply.code(200).send(r);
      await audit(d.ctx.db, `user:${u.id}`, 'onboarding.welcome.sent', String(day), id, { to: r.to });
      return reply.code(201).send(r);
    },
  );
};
