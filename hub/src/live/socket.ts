import type { Server as HttpServer } from 'node:http';
import type { LiveClientEvents, LiveServerEvents } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { canSeeClient, seesFleet, visibleClients } from '../auth/scope.js';
import {
  type AuthUser,
  hashToken,
  type Revocation,
  revocations,
  tokenFrom,
  userForToken,
  userForTokenHash,
} from '../auth/sessions.js';
import type { HubConfig } from '../config.js';
import type { HubContext } from '../context.js';
import { ipAllowed } from '../security/ip.js';
import { clientIp, originHost } from '../security/proxy.js';
import { shareLiveThroughRedis } from './redis-adapter.js';
import { type LiveSink, rooms } from './sink.js';

/** How often every socket's session is re-checked when no revocation event says so sooner. */
const RECHECK_MS = 30_000;

interface SocketData {
  user: AuthUser;
  /** sha256 of the session or API token the socket logged in with. */
  tokenHash: string;
}

/** Whether a cookie-authenticated handshake comes from the dashboard's own origin (or DS_CORS_ORIGINS). */
function originAllowed(
  headers: { origin?: string; host?: string },
  config: Pick<HubConfig, 'corsOrigins' | 'publicUrl'> | undefined,
): boolean {
  const origin = headers.origin;
  // Browsers send Origin on every cross-origin request (and on WebSockets); a same-origin polling
  // request may leave it out.
  if (origin === undefined) return true;
  const host = originHost(origin);
  if (!host) return false;
  if (host === headers.host) return true;
  const allowed = [
    ...(config?.corsOrigins ?? '').split(',').map((s) => s.trim()),
    config?.publicUrl ? new URL(config.publicUrl).origin : '',
  ].filter(Boolean);
  return allowed.includes(origin.replace(/\/+$/, ''));
}

function canSeeClientOf(ctx: Pick<HubContext, 'fleet'>, u: AuthUser, instanceId: string): boolean {
  const s = ctx.fleet.get(instanceId);
  return !!s && canSeeClient(u, s.clientId);
}

/**
 * Events every hub emits itself, from messages every hub receives (presence comes on the `status`
 * topic, which no hub shares): sent to this hub's sockets only, so that with several hubs a
 * browser does not get one copy per hub. Everything else reaches the sockets of every hub.
 * Behind a broker without shared subscriptions every hub receives every message, and `metrics`
 * frames (sent on arrival, before dedupe) join this set (`keepLocal`).
 */
const LOCAL_EVENTS: readonly string[] = ['instance.status'];

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
  io: Server<LiveClientEvents, LiveServerEvents, HubToHubEvents>;
  sink: LiveSink;
  /** Re-checks every socket's session now (also done every RECHECK_MS and on revocations). */
  recheck(): Promise<void>;
  /** Shares the stream with other hubs through Redis (`DS_REDIS_URL`); see redis-adapter.ts. */
  shareThroughRedis(url: string, group: string, log: Logger): Promise<void>;
  /** Whether other hubs share this stream (rooms, server-side events reach them). */
  shared(): boolean;
  /** Sends `event` to this hub's sockets only, as every hub emits it itself (see LOCAL_EVENTS). */
  keepLocal(event: string): void;
  close(): Promise<void>;
}

/** Events between the hubs of one live stream (`io.serverSideEmit`), e.g. a console relay. */
export type HubToHubEvents = Record<string, (payload: never) => void>;

/** Sends a server-side event to the other hubs (a no-op target when the stream is not shared). */
export const toOtherHubs = (live: LiveServer, event: string, payload: unknown) =>
  (live.io.serverSideEmit as (ev: string, p: unknown) => boolean)(event, payload);

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
  const io = new Server<LiveClientEvents, LiveServerEvents, HubToHubEvents, SocketData>(server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });
  io.use(async (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const viaCookie = typeof auth?.token !== 'string';
    const token = viaCookie
      ? tokenFrom({ cookie: socket.handshake.headers.cookie ?? undefined })
      : (auth?.token as string);
    // A cookie rides along with any page's request: another site's page must not open a stream
    // in the user's name (cross-site WebSocket hijacking). A token in `auth` it cannot know.
    if (viaCookie && token && !originAllowed(socket.handshake.headers, ctx.config)) return next(new Error('forbidden'));
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
      const ip = clientIp(
        socket.handshake.address,
        socket.handshake.headers['x-forwarded-for'],
        ctx.config?.trustProxy ?? false,
      );
      if (!ipAllowed(list, ip)) return next(new Error('forbidden'));
    }
    socket.data.user = user;
    socket.data.tokenHash = hashToken(token as string);
    next();
  });
  io.on('connection', (socket) => {
    ctx.stats.sockets.set({}, io.engine.clientsCount);
    const user = () => socket.data.user;
    if (seesFleet(user())) socket.join(rooms.fleet);
    // A client user's own client, a partner user's clients; operators have the fleet room.
    for (const c of visibleClients(user()) ?? []) socket.join(rooms.client(c));
    socket.on('subscribe', (e, ack) => {
      const id = typeof e?.instanceId === 'string' ? e.instanceId : '';
      const s = ctx.fleet.get(id);
      // Same answer for "does not exist" and "not yours", as the API's 404.
      if (!s || !canSeeClient(user(), s.clientId))
        return typeof ack === 'function' && ack({ ok: false, error: 'not_found' });
      socket.join(rooms.instance(id));
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('unsubscribe', (e) => {
      if (typeof e?.instanceId === 'string') socket.leave(rooms.instance(e.instanceId));
    });
    socket.on('disconnect', () => ctx.stats.sockets.set({}, io.engine.clientsCount));
  });

  /**
   * Re-checks sockets against the database: a socket whose session or token is gone, whose user
   * is disabled or whose rights no longer cover it is disconnected; one whose role or client
   * changed keeps only the rooms it may still be in.
   */
  const recheck = async (match: (d: SocketData) => boolean) => {
    for (const socket of io.sockets.sockets.values()) {
      const d = socket.data;
      if (!d.user || !match(d)) continue;
      const now = await userForTokenHash(ctx.db, d.tokenHash).catch(() => undefined);
      if (now === undefined) continue; // database away: try again on the next round
      if (!now || (now.scopes && !now.scopes.includes('read'))) {
        socket.disconnect(true);
        continue;
      }
      if (now.role === d.user.role && String(visibleClients(now)) === String(visibleClients(d.user))) continue;
      d.user = now;
      for (const room of [...socket.rooms]) {
        if (room === socket.id || room.startsWith('user:') || room.startsWith('console:')) continue;
        const keep =
          room === rooms.fleet
            ? seesFleet(now)
            : room.startsWith('client:')
              ? canSeeClient(now, room.slice('client:'.length))
              : room.startsWith('instance:')
                ? canSeeClientOf(ctx, now, room.slice('instance:'.length))
                : false;
        if (!keep) socket.leave(room);
      }
      if (seesFleet(now)) socket.join(rooms.fleet);
      for (const c of visibleClients(now) ?? []) socket.join(rooms.client(c));
    }
  };
  const onRevoked = (r: Revocation) => {
    void recheck((d) => ('userId' in r ? d.user.id === r.userId : d.tokenHash === r.tokenHash));
  };
  revocations.on('revoked', onRevoked);
  // Backstop for what no event announces here (expiry, changes made through another hub).
  const sweep = setInterval(() => void recheck(() => true), RECHECK_MS);
  sweep.unref();

  let closed = false;
  const localEvents = new Set(LOCAL_EVENTS);
  const sink: LiveSink = {
    emit(to, event, payload, droppable) {
      // After close nothing is sent (with Redis, a publish on a closed connection would reject).
      if (closed) return;
      const slow = droppable ? behind(io, to) : [];
      if (slow.length) ctx.stats.liveDropped.inc({}, slow.length);
      // Only the local sockets for what every hub works out for itself (see LOCAL_EVENTS).
      const all = localEvents.has(event) ? io.local : io;
      const target = slow.length ? all.to(to).except(slow) : all.to(to);
      (target.emit as (ev: string, p: unknown) => boolean)(event, payload);
    },
  };
  let unshare: (() => Promise<void>) | null = null;
  return {
    io,
    sink,
    recheck: () => recheck(() => true),
    async shareThroughRedis(url, group, log) {
      unshare = await shareLiveThroughRedis(io, url, group, log);
    },
    shared: () => unshare !== null,
    keepLocal: (event) => localEvents.add(event),
    close: async () => {
      closed = true;
      clearInterval(sweep);
      revocations.off('revoked', onRevoked);
      await new Promise<void>((r) => io.close(() => r()));
      await unshare?.();
    },
  };
}
