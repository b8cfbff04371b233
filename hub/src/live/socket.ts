import type { Server as HttpServer } from 'node:http';
import type { LiveClientEvents, LiveServerEvents } from '@deepsignal/protocol';
import { Server } from 'socket.io';
import { canSeeClient, seesFleet } from '../auth/scope.js';
import { type AuthUser, tokenFrom, userForToken } from '../auth/sessions.js';
import type { HubContext } from '../context.js';
import { ipAllowed } from '../security/ip.js';
import { type LiveSink, rooms } from './sink.js';

/** Frames waiting for one socket beyond which droppable frames are not sent to it. */
const MAX_BEHIND = 2_000;

/** Sockets in the rooms whose write buffer holds more than MAX_BEHIND frames. */
function behind(io: Server, to: string[]): string[] {
  const slow: string[] = [];
  for (const room of to) {
    const members = io.sockets.adapter.rooms.get(room);
    if (!members) continue;
    for (const sid of members) {
      const conn = io.sockets.sockets.get(sid)?.conn as { writeBuffer?: unknown[] } | undefined;
      if ((conn?.writeBuffer?.length ?? 0) > MAX_BEHIND && !slow.includes(sid)) slow.push(sid);
    }
  }
  return slow;
}

/** The Socket.IO server of the live stream and the sink the rest of the hub emits into. */
export interface LiveServer {
  io: Server<LiveClientEvents, LiveServerEvents>;
  sink: LiveSink;
  close(): Promise<void>;
}

/**
 * Live stream on the HTTP server (path /socket.io; see protocol live.ts). The handshake is
 * authenticated with `auth.token` or the session cookie. Admins and support join `fleet`, client
 * users `client:<id>`; `subscribe` joins `instance:<id>` for an instance the user can see.
 * Metric frames are droppable: a browser that has fallen behind (more than `MAX_BEHIND` frames
 * waiting to be written to it) misses them rather than growing the hub's memory. Socket.IO's own
 * `volatile` is not used: it drops a frame whenever the socket is busy writing the previous one,
 * which with a thousand instances reporting is nearly always.
 */
export function attachLive(
  server: HttpServer,
  ctx: Pick<HubContext, 'db' | 'fleet' | 'stats'> & Partial<Pick<HubContext, 'allowlists' | 'config'>>,
): LiveServer {
  const io = new Server<LiveClientEvents, LiveServerEvents, Record<string, never>, { user: AuthUser }>(server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });
  io.use(async (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token =
      typeof auth?.token === 'string'
        ? auth.token
        : tokenFrom({ cookie: socket.handshake.headers.cookie ?? undefined });
    const user = await userForToken(ctx.db, token).catch(() => null);
    if (!user) return next(new Error('unauthorized'));
    // API tokens need the `read` scope; the caller's IP allowlist applies as on the HTTP API.
    if (user.scopes && !user.scopes.includes('read')) return next(new Error('unauthorized'));
    if (ctx.allowlists) {
      const list = seesFleet(user)
        ? await ctx.allowlists.admin()
        : user.clientId
          ? await ctx.allowlists.client(user.clientId)
          : [];
      const xff = socket.handshake.headers['x-forwarded-for'];
      const ip =
        ctx.config?.trustProxy && typeof xff === 'string' ? xff.split(',')[0].trim() : socket.handshake.address;
      if (!ipAllowed(list, ip)) return next(new Error('forbidden'));
    }
    socket.data.user = user;
    next();
  });
  io.on('connection', (socket) => {
    ctx.stats.sockets.set({}, io.engine.clientsCount);
    const user = socket.data.user;
    if (seesFleet(user)) socket.join(rooms.fleet);
    if (user.clientId) socket.join(rooms.client(user.clientId));
    socket.on('subscribe', (e, ack) => {
      const id = typeof e?.instanceId === 'string' ? e.instanceId : '';
      const s = ctx.fleet.get(id);
      // Same answer for "does not exist" and "not yours", as the API's 404.
      if (!s || !canSeeClient(user, s.clientId))
        return typeof ack === 'function' && ack({ ok: false, error: 'not_found' });
      socket.join(rooms.instance(id));
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('unsubscribe', (e) => {
      if (typeof e?.instanceId === 'string') socket.leave(rooms.instance(e.instanceId));
    });
    socket.on('disconnect', () => ctx.stats.sockets.set({}, io.engine.clientsCount));
  });
  const sink: LiveSink = {
    emit(to, event, payload, droppable) {
      const slow = droppable ? behind(io, to) : [];
      if (slow.length) ctx.stats.liveDropped.inc({}, slow.length);
      const target = slow.length ? io.to(to).except(slow) : io.to(to);
      (target.emit as (ev: string, p: unknown) => boolean)(event, payload);
    },
  };
  return { io, sink, close: () => new Promise((r) => io.close(() => r())) };
}
