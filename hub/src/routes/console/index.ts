import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { mayIssue } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, seesFleet } from '../../auth/scope.js';
import { ConsoleLimitError } from '../../console/service.js';
import type { HubContext } from '../../context.js';
import { errorSchema, idParams } from '../schemas.js';

const sessionParams = z.object({ id: z.string().min(1).max(64), sessionId: z.string().min(1).max(64) });

/**
 * Web console: REST opens and closes sessions; the terminal itself runs over the live stream
 * (Socket.IO): the browser sends `console.input`, `console.resize`, `console.ack`, and receives
 * `console.output` and `console.exit` on every socket of the user who opened the session
 * (no socket id is needed: the user's sockets join the session's room). [SPEC 7.1]
 */
export const consoleRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const instance = (req: Parameters<typeof requireUser>[0], id: string) => {
    const u = requireUser(req);
    const s = ctx.fleet.get(id);
    if (!s || !canSeeClient(u, s.clientId) || !seesFleet(u)) throw notFound('instance');
    return { u, s };
  };

  app.post(
    '/instances/:id/console',
    {
      schema: {
        tags: ['console'],
        summary: 'Open a terminal on the instance (signed console.open); output arrives on the live stream',
        description:
          'Answers `{sessionId}` at once; the pty starts when the sidecar runs the command. Then, on the live ' +
          'stream (Socket.IO, same login): emit `console.input {sessionId, data}`, `console.resize {sessionId, cols, ' +
          'rows}` and `console.ack {sessionId, bytes}` (characters of output rendered; the sidecar pauses after ' +
          '256 KiB unacknowledged); receive `console.output {sessionId, data}` and `console.exit {sessionId, code, ' +
          'reason}`. Close with DELETE. Every session is recorded (asciicast v2) and audited.',
        params: idParams,
        body: z
          .object({
            cols: z.number().int().min(1).max(1000).default(80),
            rows: z.number().int().min(1).max(500).default(24),
            idleTimeoutSec: z.number().int().min(10).max(86_400).default(900),
          })
          .default({ cols: 80, rows: 24, idleTimeoutSec: 900 }),
        response: {
          201: z.object({ sessionId: z.string(), commandId: z.string() }),
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { u, s } = instance(req, req.params.id);
      if (!mayIssue(u.role, 'console.open') || u.role === 'service') throw forbidden('only an admin opens consoles');
      if (s.status === 'offline' || s.status === 'provisioning')
        throw new HttpError(409, HUB_ERR.CONFLICT, `instance is ${s.status}`);
      try {
        return reply.code(201).send(await ctx.ops.console.start(s.id, u, req.body));
      } catch (e) {
        if (e instanceof ConsoleLimitError) throw new HttpError(409, HUB_ERR.CONFLICT, e.message);
        throw e;
      }
    },
  );

  app.delete(
    '/instances/:id/console/:sessionId',
    {
      schema: {
        tags: ['console'],
        summary: 'Close a console session',
        params: sessionParams,
        response: { 200: z.object({ closed: z.boolean() }), 404: errorSchema },
      },
    },
    async (req) => {
      const { u, s } = instance(req, req.params.id);
      // With several hubs the session may be held by another one: closeAnywhere relays it there.
      const closed = await ctx.ops.console.closeAnywhere(s.id, req.params.sessionId, u);
      if (closed === null) throw notFound('session');
      return { closed };
    },
  );

  app.get(
    '/instances/:id/console',
    {
      schema: {
        tags: ['console'],
        summary: 'Console sessions of an instance, newest first',
        params: idParams,
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              instanceId: z.string(),
              userId: z.string(),
              status: z.string(),
              openedAt: z.string(),
              closedAt: z.string().nullable(),
              exitCode: z.number().nullable(),
              reason: z.string().nullable(),
              bytesOut: z.number(),
            }),
          ),
          404: errorSchema,
        },
      },
    },
    async (req) => ctx.ops.console.list(instance(req, req.params.id).s.id),
  );

  app.get(
    '/instances/:id/console/:sessionId/recording',
    {
      schema: {
        tags: ['console'],
        summary: 'The recording of a session (asciicast v2, one JSON value per line)',
        params: sessionParams,
        response: { 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { u, s } = instance(req, req.params.id);
      // A recording is what a (root) shell showed: only those who may open a console read it,
      // i.e. admins, and with an API token only one that may open consoles too.
      if (u.role !== 'admin' || (u.scopes && !u.scopes.includes('command:console.open')))
        throw forbidden('only an admin reads console recordings');
      const rec = await ctx.ops.console.recording(s.id, req.params.sessionId);
      // While a session is open its recording is with the hub holding it; once closed, in the database.
      if (!rec) throw notFound('recording');
      reply.type('application/x-asciicast');
      if ('file' in rec) return reply.send(createReadStream(rec.file) as never);
      return reply.send(Readable.from([rec.gz]).pipe(createGunzip()) as never);
    },
  );
};
