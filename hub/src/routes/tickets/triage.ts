import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../../auth/errors.js';
import type { HubContext } from '../../context.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf, visibleTicket } from './access.js';
import { category, entrySchema, priority, ticketSchema } from './schemas.js';

/** Every automatic reply carries this, so a client always knows and can ask for a person. */
export const AUTOMATIC_NOTICE =
  'This is an automatic reply from the Deep Signal support agent. Reply "human" and a person from our team will take over.';

/**
 * The support agent's route (service accounts with the `support:triage` scope, or operators):
 * a triage note, a drafted reply for an operator, a proposal to resolve. An automatic reply is
 * sent only when the category allows it (support settings); the hub adds the automatic notice.
 */
export const triageRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/tickets/:id/triage',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z.object({
          note: z.string().trim().min(1).max(20_000),
          category: category.optional(),
          priority: priority.optional(),
          draftReply: z.string().trim().min(1).max(20_000).optional(),
          proposeResolution: z.string().trim().min(1).max(2000).optional(),
          autoReply: z.string().trim().min(1).max(20_000).optional(),
          meta: z.record(z.string(), z.unknown()).optional(),
        }),
        response: {
          200: z.object({ ticket: ticketSchema, autoReplied: z.boolean(), entry: entrySchema.nullable() }),
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      if (!['admin', 'support', 'service'].includes(u.role)) throw forbidden('operators and the support agent only');
      const actor = actorOf(u);
      let t = await ctx.tickets.triage(r, actor, { ...req.body, meta: req.body.meta });
      let entry = null;
      if (req.body.autoReply) {
        const setting = await ctx.db.query<{ auto_reply: boolean }>(
          'SELECT auto_reply FROM support_category_settings WHERE category = $1',
          [t.category],
        );
        if (setting[0]?.auto_reply && t.state !== 'resolved' && t.state !== 'closed') {
          const text = req.body.autoReply.includes(AUTOMATIC_NOTICE)
            ? req.body.autoReply
            : `${req.body.autoReply}\n\n${AUTOMATIC_NOTICE}`;
          const done = await ctx.tickets.reply(t, actor, text, { via: 'agent', automatic: true });
          t = done.ticket;
          entry = done.entry;
        }
      }
      return { ticket: ctx.tickets.view(t, true), autoReplied: entry !== null, entry };
    },
  );
};
