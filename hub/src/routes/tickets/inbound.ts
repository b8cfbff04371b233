import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { parseInbound } from '../../tickets/inbound.js';
import type { Actor } from '../../tickets/types.js';
import { errorSchema } from '../schemas.js';

export const INBOUND_SECRET_HEADER = 'x-ds-inbound-secret';
const MAX_MAIL_BYTES = 5 * 1024 * 1024;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * POST /inbound/mail: a mail route (a mail server's pipe, a provider's inbound webhook) hands
 * the hub a raw RFC 822 reply. The ticket is found by the plus-address token or by a Message-ID
 * the hub sent; the sender must be one of the ticket's client's people or an operator. Off
 * (404) until DS_INBOUND_MAIL_SECRET is set; every refusal is counted.
 */
export const inboundRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const rejects = ctx.stats.counter('ds_inbound_mail_rejects_total', 'Inbound mails refused, by reason', ['reason']);
  const refuse = (reason: string, status: number, message: string): never => {
    rejects.inc({ reason });
    throw new HttpError(status, status === 401 ? HUB_ERR.UNAUTHORIZED : HUB_ERR.VALIDATION, message);
  };
  for (const type of ['message/rfc822', 'text/plain', 'application/octet-stream'])
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_MAIL_BYTES }, (_req, b, done) => done(null, b));

  app.post(
    '/inbound/mail',
    {
      config: { public: true },
      bodyLimit: MAX_MAIL_BYTES,
      schema: {
        tags: ['tickets'],
        description: `A raw RFC 822 mail (content-type message/rfc822), with the shared secret in ${INBOUND_SECRET_HEADER}.`,
        response: {
          201: z.object({ ticketId: z.string(), entryId: z.string(), author: z.string() }),
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const secret = ctx.config.inboundMailSecret;
      if (!secret) throw notFound('route');
      const given = req.headers[INBOUND_SECRET_HEADER];
      if (typeof given !== 'string' || !same(given, secret))
        refuse('secret', 401, `wrong or missing ${INBOUND_SECRET_HEADER}`);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        refuse('not_a_mail', 400, 'send the raw mail as the body (content-type message/rfc822)');
      let mail: Awaited<ReturnType<typeof parseInbound>>;
      try {
        mail = await parseInbound(req.body as Buffer);
      } catch {
        return refuse('unparsable', 400, 'the body is not a mail that can be read');
      }
      if (!mail.from) return refuse('no_sender', 422, 'the mail has no From address');
      const ticket = await ctx.tickets.findForMail(mail.tokens, mail.references);
      if (!ticket) return refuse('no_ticket', 422, 'the mail answers no ticket (no reply token or known Message-ID)');
      if (!mail.text) return refuse('empty', 422, 'the mail has no new text above the quoted part');
      const users = await ctx.db.query<{ id: string; email: string; role: string; client_id: string | null }>(
        'SELECT id, email, role, client_id FROM users WHERE lower(email) = $1 AND NOT disabled',
        [mail.from],
      );
      const u = users[0];
      const author =
        u?.client_id === ticket.client_id
          ? 'client'
          : u && (u.role === 'admin' || u.role === 'support')
            ? 'operator'
            : null;
      if (!u || !author) return refuse('unknown_sender', 422, "the sender is not one of this ticket's people");
      if (author === 'client' && ticket.state === 'closed') return refuse('closed', 422, 'the ticket is closed');
      const actor: Actor = { author, id: u.id, email: u.email };
      const { entry } = await ctx.tickets.reply(ticket, actor, mail.text, { via: 'email', mailId: mail.messageId });
      await audit(ctx.db, `user:${u.id}`, 'ticket.reply', ticket.id, ticket.client_id, { via: 'email' });
      return reply.code(201).send({ ticketId: ticket.id, entryId: entry.id, author });
    },
  );
};
