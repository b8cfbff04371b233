import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR } from '../../auth/errors.js';
import type { HubContext } from '../../context.js';
import type { TicketRow } from '../../tickets/rows.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf, visibleTicket } from './access.js';
import { category, entrySchema, priority, ticketSchema } from './schemas.js';

/**
 * Every automatic reply carries this, so a client always knows and can ask for a person; it names
 * the product the client bought (its partner's, for a partner's client).
 */
export const automaticNotice = (product: string) =>
  `This is an automatic reply from the ${product} support agent. Reply "human" and a person from our team will take over.`;

const withNotice = (text: string, product: string) => {
  const notice = automaticNotice(product);
  return text.includes(notice) ? text : `${text}\n\n${notice}`;
};

/**
 * The hub's own check before an automatic resolution (whatever the agent says): the category
 * allows automatic replies, the ticket is not escalated and still open, and its instance (if
 * any) is healthy now — online, OpenClaw up and ready, no channel in error.
 */
async function assertMayResolve(
  ctx: HubContext,
  r: TicketRow,
  category: string,
  allowsAuto: (c: string) => Promise<boolean>,
  escalating: boolean,
): Promise<void> {
  const no = (why: string) => new HttpError(409, HUB_ERR.CONFLICT, `not resolved automatically: ${why}`);
  if (!(await allowsAuto(category))) throw no(`automatic replies are off for ${category}`);
  if (escalating || r.escalated_at) throw no('the ticket is escalated to a person');
  if (r.state === 'resolved' || r.state === 'closed') throw no(`the ticket is ${r.state}`);
  if (!r.instance_id) return;
  const s = ctx.fleet.get(r.instance_id);
  const oc = s?.openclaw;
  const badChannel = oc?.channels?.some((c) => c.error || c.connected === false);
  if (s?.status !== 'online' || !oc?.up || oc.ready === false || badChannel)
    throw no(`instance ${r.instance_id} is not healthy now (${s?.status ?? 'unknown'})`);
}

/**
 * The support agent's route (service accounts with the `support:triage` scope, or operators):
 * a triage note, a drafted reply for an operator, a proposal to resolve, an escalation to a
 * person with its reason. An automatic reply, and an automatic resolution, happen only when the
 * category allows automatic replies (support settings); the hub adds the automatic notice.
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
          escalate: z.string().trim().min(1).max(2000).optional().describe('hand the ticket to a person: why'),
          resolve: z
            .string()
            .trim()
            .min(1)
            .max(20_000)
            .optional()
            .describe(
              'resolve now, telling the client this text: only where the category allows automatic replies and the instance is healthy',
            ),
          meta: z.record(z.string(), z.unknown()).optional(),
        }),
        response: {
          200: z.object({ ticket: ticketSchema, autoReplied: z.boolean(), entry: entrySchema.nullable() }),
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      if (!['admin', 'support', 'service'].includes(u.role)) throw forbidden('operators and the support agent only');
      const actor = actorOf(u);
      const allowsAuto = async (category: string) =>
        (
          await ctx.db.query<{ auto_reply: boolean }>(
            'SELECT auto_reply FROM support_category_settings WHERE category = $1',
            [category],
          )
        )[0]?.auto_reply === true;
      if (req.body.resolve)
        await assertMayResolve(ctx, r, req.body.category ?? r.category, allowsAuto, !!req.body.escalate);
      let t = await ctx.tickets.triage(r, actor, { ...req.body, meta: req.body.meta });
      const product = (await ctx.brands.forClient(r.client_id)).productName;
      let entry = null;
      if (req.body.resolve) {
        const done = await ctx.tickets.reply(t, actor, withNotice(req.body.resolve, product), {
          via: 'agent',
          automatic: true,
          state: 'resolved',
        });
        t = done.ticket;
        entry = done.entry;
      } else if (req.body.autoReply) {
        if ((await allowsAuto(t.category)) && t.state !== 'resolved' && t.state !== 'closed') {
          const done = await ctx.tickets.reply(t, actor, withNotice(req.body.autoReply, product), {
            via: 'agent',
            automatic: true,
          });
          t = done.ticket;
          entry = done.entry;
        }
      }
      return { ticket: ctx.tickets.view(t, true), autoReplied: entry !== null, entry };
    },
  );
};
