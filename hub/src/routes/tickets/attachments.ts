import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { seesFleet } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import type { HubContext } from '../../context.js';
import { type TicketRow, toAttachment } from '../../tickets/rows.js';
import type { AttachmentView } from '../../tickets/types.js';
import { newId } from '../../util/ids.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf, assertSupport, visibleTicket } from './access.js';
import { attachmentSchema } from './schemas.js';

/** Largest attachment (bytes). */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;

/** Types a ticket accepts, each with the bytes its files must start with (text has none). */
const TYPES: Record<string, ((b: Buffer) => boolean) | null> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) =>
    b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'text/plain': null,
  'application/json': null,
};

/** Whether text content really is text: valid UTF-8 without NUL bytes. */
function looksLikeText(b: Buffer): boolean {
  if (b.includes(0)) return false;
  return Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

function checkContent(contentType: string, data: Buffer): void {
  if (!(contentType in TYPES))
    throw new HttpError(415, HUB_ERR.VALIDATION, `contentType: one of ${Object.keys(TYPES).join(', ')}`);
  const sniff = TYPES[contentType];
  if (sniff ? !sniff(data) : !looksLikeText(data))
    throw new HttpError(415, HUB_ERR.VALIDATION, `the file's content is not ${contentType}`);
}

/** Log lines a log excerpt holds at most, and how far back it looks by default (minutes). */
const EXCERPT_MAX_LINES = 200;
const EXCERPT_DEFAULT_MINUTES = 60;

/** Stores a file on the ticket and says so in the thread (a note when internal). */
async function storeAttachment(
  ctx: HubContext,
  r: TicketRow,
  u: AuthUser,
  f: { filename: string; contentType: string; data: Buffer; internal: boolean; meta?: Record<string, unknown> },
): Promise<AttachmentView> {
  const rows = await ctx.db.query(
    `INSERT INTO ticket_attachments (id, ticket_id, filename, content_type, size, internal, data, uploaded_by, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id, message_id, filename, content_type, size, internal, created_at`,
    [newId('tatt'), r.id, f.filename, f.contentType, f.data.length, f.internal, f.data, u.id, ctx.tickets.now()],
  );
  const att = toAttachment(rows[0]);
  const line = `${actorOf(u).email ?? 'someone'} attached ${att.filename} (${att.size} bytes)`;
  const meta = { attachmentId: att.id, ...f.meta };
  if (att.internal) await ctx.tickets.note(r, actorOf(u), line, meta);
  else await ctx.tickets.system(r, line, meta, actorOf(u));
  return att;
}

/**
 * The recent log lines of the ticket's instance as plain text, oldest first, from the hub's own
 * store (nothing is asked of the instance); null when the ticket names no instance.
 */
async function logExcerpt(
  ctx: HubContext,
  r: TicketRow,
  minutes: number,
): Promise<{ filename: string; text: string; lines: number } | null> {
  const inst = r.instance_id ? ctx.fleet.get(r.instance_id) : undefined;
  if (!inst) return null;
  const now = ctx.tickets.now();
  const rows = await ctx.db.query<{ t: Date; level: string; subsystem: string; msg: string }>(
    `SELECT t, level, subsystem, msg FROM log_lines WHERE instance_id = $1 AND t > $2 AND t <= $3
     ORDER BY t DESC LIMIT $4`,
    [inst.id, new Date(now.getTime() - minutes * 60_000), now, EXCERPT_MAX_LINES],
  );
  const head = `Log excerpt of ${inst.hostname} (${inst.id}), last ${minutes} min up to ${now.toISOString()}: ${rows.length} lines\n\n`;
  const body = rows
    .reverse()
    .map((l) => `${new Date(l.t).toISOString()} ${l.level.toUpperCase()} [${l.subsystem || '-'}] ${l.msg}`)
    .join('\n');
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const host = inst.hostname.replace(/[^A-Za-z0-9._-]/g, '-');
  return { filename: `logs-${host}-${stamp}.txt`, text: `${head}${body}\n`, lines: rows.length };
}

/**
 * Attachments of a ticket: JSON upload (base64), download with the stored type, never inline; and
 * in one step an excerpt of the linked instance's recent logs.
 */
export const attachmentRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/tickets/:id/attachments',
    {
      // base64 adds a third; the limit keeps the whole request near the file limit.
      bodyLimit: Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 64 * 1024,
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z.object({
          filename: z
            .string()
            .trim()
            .min(1)
            .max(200)
            .regex(/^[^/\\\0\r\n"]+$/, 'a plain file name'),
          contentType: z.string().min(3).max(100),
          dataBase64: z
            .string()
            .min(1)
            .max(Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 8),
          /** Operators: keep it internal (never shown to the client). */
          internal: z.boolean().default(false),
        }),
        response: {
          201: attachmentSchema,
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          413: errorSchema,
          415: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      if (req.body.internal) assertSupport(u);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(req.body.dataBase64))
        throw new HttpError(400, HUB_ERR.VALIDATION, 'dataBase64: not base64');
      const data = Buffer.from(req.body.dataBase64, 'base64');
      if (data.length === 0) throw new HttpError(400, HUB_ERR.VALIDATION, 'dataBase64: empty file');
      if (data.length > MAX_ATTACHMENT_BYTES)
        throw new HttpError(413, HUB_ERR.VALIDATION, `attachments are at most ${MAX_ATTACHMENT_BYTES} bytes`);
      const contentType = req.body.contentType.toLowerCase().split(';')[0].trim();
      checkContent(contentType, data);
      const att = await storeAttachment(ctx, r, u, {
        filename: req.body.filename,
        contentType,
        data,
        internal: req.body.internal,
      });
      return reply.code(201).send(att);
    },
  );

  app.post(
    '/tickets/:id/log-excerpt',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z
          .object({
            minutes: z
              .number()
              .int()
              .min(1)
              .max(24 * 60)
              .default(EXCERPT_DEFAULT_MINUTES),
            /** Operators: keep it internal (never shown to the client). */
            internal: z.boolean().default(false),
          })
          .default({ minutes: EXCERPT_DEFAULT_MINUTES, internal: false }),
        response: { 201: attachmentSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      if (req.body.internal) assertSupport(u);
      const excerpt = await logExcerpt(ctx, r, req.body.minutes);
      if (!excerpt) throw new HttpError(409, HUB_ERR.CONFLICT, 'this ticket names no instance to take logs from');
      const att = await storeAttachment(ctx, r, u, {
        filename: excerpt.filename,
        contentType: 'text/plain',
        data: Buffer.from(excerpt.text, 'utf8'),
        internal: req.body.internal,
        meta: { logExcerpt: { instanceId: r.instance_id, minutes: req.body.minutes, lines: excerpt.lines } },
      });
      return reply.code(201).send(att);
    },
  );

  app.get(
    '/tickets/:id/attachments/:attachmentId',
    {
      schema: {
        tags: ['tickets'],
        params: idParams.extend({ attachmentId: z.string().min(1).max(64) }),
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      const rows = await ctx.db.query<{ filename: string; content_type: string; data: Uint8Array; internal: boolean }>(
        'SELECT filename, content_type, data, internal FROM ticket_attachments WHERE id = $1 AND ticket_id = $2',
        [req.params.attachmentId, r.id],
      );
      const a = rows[0];
      if (!a || (a.internal && !seesFleet(u))) throw notFound('attachment');
      return reply
        .header('content-type', a.content_type)
        .header('content-disposition', `attachment; filename="${a.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(a.data));
    },
  );
};
