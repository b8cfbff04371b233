import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, seesFleet } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { seedKnowledgeBase } from '../../kb/seed.js';
import { type KbScope, KnowledgeBase } from '../../kb/service.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf, visibleTicket } from '../tickets/access.js';

const audience = z.enum(['clients', 'operators']);
const status = z.enum(['draft', 'published']);
const articleSchema = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  body: z.string(),
  html: z.string(),
  tags: z.array(z.string()),
  audience,
  status,
  updatedBy: z.string().nullable(),
  sourceTicketId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  rank: z.number().optional(),
});
const tags = z.array(z.string().trim().min(1).max(40)).max(20);

/** Client users read published client articles; operators read and write everything. */
const scopeOf = (u: AuthUser): KbScope =>
  seesFleet(u)
    ? { audiences: ['clients', 'operators'], includeDrafts: u.role !== 'service' }
    : { audiences: ['clients'], includeDrafts: false };

const assertEditor = (u: AuthUser) => assertRole(u, 'admin', 'support');

/** The knowledge base: articles, search, suggestions while a ticket is typed, ticket-to-article. */
export const kbRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const kb = new KnowledgeBase(ctx.db);
  await seedKnowledgeBase(ctx.db, kb);

  const readable = async (u: AuthUser, id: string) => {
    const a = await kb.get(id);
    const s = scopeOf(u);
    if (!a || !s.audiences.includes(a.audience) || (!s.includeDrafts && a.status !== 'published'))
      throw notFound('article');
    return a;
  };

  app.get(
    '/kb/articles',
    {
      schema: {
        tags: ['kb'],
        querystring: z.object({
          q: z.string().max(500).optional(),
          tag: z.string().max(40).optional(),
          status: status.optional(),
          audience: audience.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(100),
        }),
        response: { 200: z.array(articleSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const s = scopeOf(u);
      const scoped = req.query.audience ? { ...s, audiences: s.audiences.filter((a) => a === req.query.audience) } : s;
      return kb.list(scoped, req.query);
    },
  );

  app.get(
    '/kb/suggest',
    {
      schema: {
        tags: ['kb'],
        querystring: z.object({ q: z.string().max(2000).default('') }),
        response: {
          200: z.array(
            articleSchema.pick({ id: true, slug: true, title: true, tags: true }).extend({ rank: z.number() }),
          ),
        },
      },
    },
    async (req) => {
      requireUser(req);
      if (req.query.q.trim().length < 3) return [];
      const found = await kb.list({ audiences: ['clients'], includeDrafts: false }, { q: req.query.q, limit: 5 });
      return found.map((a) => ({ id: a.id, slug: a.slug, title: a.title, tags: a.tags, rank: a.rank ?? 0 }));
    },
  );

  app.get(
    '/kb/articles/:id',
    { schema: { tags: ['kb'], params: idParams, response: { 200: articleSchema, 404: errorSchema } } },
    async (req) => readable(requireUser(req), req.params.id),
  );

  app.post(
    '/kb/articles',
    {
      schema: {
        tags: ['kb'],
        body: z.object({
          title: z.string().trim().min(1).max(200),
          body: z.string().min(1).max(100_000),
          tags: tags.default([]),
          audience: audience.default('clients'),
          status: status.default('draft'),
        }),
        response: { 201: articleSchema, 400: errorSchema, 403: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertEditor(u);
      const a = await kb.create({ ...req.body, updatedBy: u.email });
      await audit(ctx.db, `user:${u.id}`, 'kb.create', a.id, null);
      return reply.code(201).send(a);
    },
  );

  app.patch(
    '/kb/articles/:id',
    {
      schema: {
        tags: ['kb'],
        params: idParams,
        body: z.object({
          title: z.string().trim().min(1).max(200).optional(),
          body: z.string().min(1).max(100_000).optional(),
          tags: tags.optional(),
          audience: audience.optional(),
          status: status.optional(),
        }),
        response: { 200: articleSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertEditor(u);
      const a = await kb.update(req.params.id, req.body, u.email);
      if (!a) throw notFound('article');
      await audit(ctx.db, `user:${u.id}`, 'kb.update', a.id, null);
      return a;
    },
  );

  app.delete(
    '/kb/articles/:id',
    { schema: { tags: ['kb'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      if (!(await kb.remove(req.params.id))) throw notFound('article');
      await audit(ctx.db, `user:${u.id}`, 'kb.delete', req.params.id, null);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/tickets/:id/article',
    {
      schema: {
        tags: ['kb'],
        params: idParams,
        body: z
          .object({
            title: z.string().trim().min(1).max(200).optional(),
            /** A proposed text (the support agent's); else the hub drafts one from the thread. */
            body: z.string().min(1).max(100_000).optional(),
            tags: tags.optional(),
          })
          .default({}),
        response: { 201: articleSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      // The support agent proposes drafts (its token's `kb:propose`); an editor publishes them.
      if (u.role !== 'service') assertEditor(u);
      if (r.state !== 'resolved' && r.state !== 'closed')
        throw new HttpError(409, HUB_ERR.CONFLICT, 'turn a ticket into an article once it is resolved');
      const existing = await ctx.db.query<{ id: string; title: string }>(
        'SELECT id, title FROM kb_articles WHERE source_ticket_id = $1',
        [r.id],
      );
      if (existing[0])
        throw new HttpError(409, HUB_ERR.CONFLICT, `ticket ${r.id} already has article ${existing[0].id}`);
      const thread = await ctx.tickets.thread(r.id, false);
      const question = thread.find((e) => e.kind === 'message' && e.author === 'client')?.body ?? '';
      const answers = thread.filter((e) => e.kind === 'message' && e.author !== 'client' && !e.automatic);
      // A draft: names and details of the client stay out until an editor publishes it.
      const body =
        req.body.body ??
        [
          '## The question',
          '',
          question,
          '',
          '## The answer',
          '',
          answers.map((e) => e.body).join('\n\n') || '_Write the answer here._',
        ].join('\n');
      const a = await kb.create({
        title: req.body.title ?? r.subject,
        body,
        tags: req.body.tags ?? [r.category],
        audience: 'clients',
        status: 'draft',
        updatedBy: u.email,
        sourceTicketId: r.id,
      });
      await ctx.tickets.note(r, actorOf(u), `Draft article: ${a.title}`, { articleId: a.id });
      await audit(ctx.db, `user:${u.id}`, 'kb.from_ticket', a.id, r.client_id);
      return reply.code(201).send(a);
    },
  );
};
