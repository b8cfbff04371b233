import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { audit } from '../../commands/audit.js';
import { errorSchema } from '../schemas.js';
import type { HelpDeps } from './index.js';

const message = z.object({
  id: z.string(),
  clientId: z.string(),
  author: z.enum(['client', 'agent']),
  text: z.string(),
  status: z.enum(['pending', 'answered', 'sent']),
  replyTo: z.string().nullable(),
  facts: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  answeredAt: z.string().nullable(),
});
const clientQuery = z.object({ clientId: z.string().min(1).max(64).optional() });
/** The longest a long poll of the agent is held open. */
const MAX_WAIT_SEC = 30;

/** The help chat: the client's questions, the thread, and the onboarding agent's side. */
export const helpRoutes: FastifyPluginAsyncZod<HelpDeps> = async (app, d) => {
  app.post(
    '/onboarding/help',
    {
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['onboarding'],
        description: 'A question to the onboarding helper; the answer arrives on the live stream (`onboarding.help`).',
        querystring: clientQuery,
        body: z.object({ text: z.string().trim().min(1, 'type a question').max(2000, 'at most 2,000 characters') }),
        response: { 201: message, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      if (u.scopes) throw new HttpError(403, HUB_ERR.SCOPE, 'questions come from a client’s people, not a token');
      const id = d.target(u, req.query.clientId);
      if (!(await d.ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [id]))[0]) throw notFound('client');
      return reply.code(201).send(await d.help.ask(id, u.id, req.body.text));
    },
  );

  app.get(
    '/onboarding/help',
    {
      schema: {
        tags: ['onboarding'],
        querystring: clientQuery,
        response: { 200: z.object({ messages: z.array(message) }), 404: errorSchema },
      },
    },
    async (req) => ({ messages: await d.help.thread(d.target(requireUser(req), req.query.clientId)) }),
  );

  app.get(
    '/onboarding/help/pending',
    {
      schema: {
        tags: ['onboarding'],
        description: `Questions waiting for an answer, oldest first. With \`waitSec\` (at most ${MAX_WAIT_SEC}) and none waiting, the call is held until one is asked or the time is up (a long poll).`,
        querystring: z.object({ waitSec: z.coerce.number().int().min(0).max(MAX_WAIT_SEC).default(0) }),
        response: { 200: z.object({ questions: z.array(message) }), 403: errorSchema },
      },
    },
    async (req, reply) => {
      d.requireHelper(requireUser(req));
      const ac = new AbortController();
      req.raw.once('close', () => ac.abort());
      const questions = await d.help.waitPending(req.query.waitSec * 1000, ac.signal);
      // A held call's connection is not reused: when the hub stops while a poll is held (the live
      // stream's close shuts the HTTP server before the app's hooks run), a kept-alive connection
      // would hold the stop for the whole keep-alive timeout (72 s) instead of the poll's wait.
      if (req.query.waitSec > 0 || d.help.closing) reply.header('connection', 'close');
      return { questions };
    },
  );

  app.post(
    '/onboarding/help/:id/answer',
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['onboarding'],
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z.object({
          text: z.string().trim().min(1, 'an answer needs text').max(8000),
          facts: z.record(z.string(), z.unknown()).default({}),
        }),
        response: { 201: message, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      d.requireHelper(u);
      const q = await d.help.get(req.params.id);
      if (q?.author !== 'client') throw notFound('question');
      const a = await d.help.answer(q.id, req.body.text, req.body.facts);
      if (!a) throw new HttpError(409, HUB_ERR.CONFLICT, 'this question was answered already');
      await audit(d.ctx.db, `user:${u.id}`, 'onboarding.help.answer', q.id, q.clientId, {});
      return reply.code(201).send(a);
    },
  );
};
