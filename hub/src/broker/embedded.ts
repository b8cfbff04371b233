import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { instanceMayPublish, instanceMaySubscribe } from '@deepsignal/protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { HubStats } from '../stats.js';
import { listenOn } from '../util/listen.js';
import { RateLimitedLog } from '../util/rate-log.js';
import {
  CONNECT_TIMEOUT_MS,
  guardPacketSizes,
  MAX_PACKET_BYTES,
  MAX_PREAUTH_PACKET_BYTES,
  mayRetain,
} from './limits.js';
import type { BrokerLink, MessageSink } from './types.js';

/** Options of the embedded broker. */
export interface EmbeddedBrokerOptions {
  port: number;
  bind: string;
  tls?: { certFile: string; keyFile: string };
  /** Checks username (instance id) and password (secret). */
  verify: (instanceId: string, secret: string) => Promise<boolean>;
  sink: MessageSink;
  stats: HubStats;
  log: Logger;
  onConnect?: (instanceId: string) => void;
  onDisconnect?: (instanceId: string) => void;
  onPing?: (instanceId: string) => void;
  /** Invalid messages per 10 s after which a connection is closed (default 200). */
  abuseLimit?: number;
  /** Time a connection has to complete its CONNECT (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
}

/** The embedded broker plus the port it listens on. */
export interface EmbeddedBroker extends BrokerLink {
  port: number;
  aedes: Aedes;
}

const authError = (code: number, msg: string) =>
  Object.assign(new Error(msg), { returnCode: code }) as AuthenticateError;

/**
 * aedes (MQTT 3.1.1) with per-instance authentication and the protocol's topic ACL. [SPEC 2.6, 4.5]
 * Sidecar messages are handed to ingest inside `authorizePublish`, i.e. before the PUBACK: when
 * the ingest queue is full the callback waits, which pauses reading from that one connection.
 */
export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const identity = new WeakMap<Client, string>();
  const abuse = new WeakMap<Client, { start: number; count: number }>();
  const connected = new Map<string, number>();
  const rlog = new RateLimitedLog(o.log);
  const abuseLimit = o.abuseLimit ?? 200;
  const deny = (action: string, client: Client | null, detail: string) => {
    o.stats.aclDenied.inc({ action });
    rlog.warn(`acl:${action}`, { action, clientId: client?.id, detail: detail.slice(0, 200) }, 'MQTT access refused');
  };

  /** Sockets whose CONNECT was accepted: they may send packets up to MAX_PACKET_BYTES. */
  const loggedIn = new WeakSet<object>();
  const aedes = await Aedes.createBroker({
    maxClientsIdLength: 128,
    drainTimeout: 30_000,
    connectTimeout: o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    authenticate(client, username, password, cb) {
      const id = username ?? '';
      const secret = password?.toString('utf8') ?? '';
      const fail = (reason: string, code: number) => {
        o.stats.authFailures.inc({ reason });
        rlog.warn(`auth:${reason}`, { clientId: client.id, username: id.slice(0, 64), reason }, 'MQTT login refused');
        cb(authError(code, reason), false);
      };
      if (!id || !secret) return fail('missing_credentials', 4);
      // [SPEC 4.5] the client id is bound to the instance, so nobody can take over another's session.
      if (client.id !== `ds-${id}`) return fail('bad_client_id', 2);
      o.verify(id, secret).then(
        (ok) => {
          if (!ok) return fail('bad_secret', 4);
          identity.set(client, id);
          loggedIn.add(client.conn);
          cb(null, true);
        },
        (e) => {
          o.log.error({ err: (e as Error).message }, 'credential check failed');
          fail('error', 3);
        },
      );
    },
    authorizePublish(client, packet, cb) {
      const id = client ? identity.get(client) : undefined;
      if (!client || !id || !instanceMayPublish(id, packet.topic)) {
        deny('publish', client, packet.topic);
        return cb(new Error('not authorized'));
      }
      // Retained messages stay in the broker's memory after the sender leaves: only the one
      // `status` per instance the protocol retains, and only a small one [SPEC 2.3].
      if (packet.retain && !mayRetain(packet.topic, packet.payload as Buffer)) {
        packet.retain = false;
        o.stats.rejects.inc({ reason: 'retain_dropped' });
      }
      const r = o.sink(packet.topic, packet.payload as Buffer, id);
      if (!r.ok) {
        packet.retain = false;
        const now = Date.now();
        let a = abuse.get(client);
        if (!a || now - a.start > 10_000) {
          a = { start: now, count: 0 };
          abuse.set(client, a);
        }
        if (++a.count > abuseLimit) {
          o.stats.rejects.inc({ reason: 'abusive_disconnect' });
          return cb(new Error('too many invalid messages'));
        }
        return cb(null);
      }
      if (r.wait) r.wait.then(() => cb(null), cb);
      else cb(null);
    },
    authorizeSubscribe(client, sub, cb) {
      const id = identity.get(client);
      if (!id || !instanceMaySubscribe(id, sub.topic)) {
        deny('subscribe', client, sub.topic);
        return cb(null, null); // negative SUBACK, connection stays up
      }
      cb(null, sub);
    },
  });

  aedes.on('clientReady', (client) => {
    const id = identity.get(client);
    if (!id) return;
    connected.set(id, (connected.get(id) ?? 0) + 1);
    o.stats.sidecars.set({}, connected.size);
    o.onConnect?.(id);
  });
  aedes.on('clientDisconnect', (client) => {
    const id = identity.get(client);
    if (!id) return;
    const n = (connected.get(id) ?? 1) - 1;
    if (n <= 0) connected.delete(id);
    else connected.set(id, n);
    o.stats.sidecars.set({}, connected.size);
    if (n <= 0) o.onDisconnect?.(id);
  });
  aedes.on('ping', (_packet, client) => {
    const id = client && identity.get(client);
    if (id) o.onPing?.(id);
  });
  aedes.on('clientError', (client, err) => {
    rlog.warn('client-error', { clientId: client?.id, err: err.message }, 'MQTT client error');
  });

  // Small MQTT packets (PUBACKs, acks, commands) must not wait for Nagle + delayed ACK (~40 ms a hop).
  const handle = (socket: import('node:net').Socket) => {
    socket.setNoDelay(true);
    // Size limits apply while bytes are read, before the parser buffers a packet [SPEC 3.4].
    guardPacketSizes(
      socket,
      () => (loggedIn.has(socket) ? MAX_PACKET_BYTES : MAX_PREAUTH_PACKET_BYTES),
      () => {
        o.stats.rejects.inc({ reason: loggedIn.has(socket) ? 'packet_too_large' : 'preauth_packet_too_large' });
        rlog.warn(
          'packet-too-large',
          { authenticated: loggedIn.has(socket) },
          'MQTT packet over the size limit: connection closed',
        );
      },
    );
    aedes.handle(socket);
  };
  const server: Server = o.tls
    ? createTlsServer({ cert: readFileSync(o.tls.certFile), key: readFileSync(o.tls.keyFile) }, handle)
    : createTcpServer(handle);
  let port: number;
  try {
    port = await listenOn(server, o.port, o.bind, 'DS_MQTT_PORT');
  } catch (e) {
    await new Promise<void>((r) => aedes.close(() => r()));
    throw e;
  }
  const host = o.bind === '0.0.0.0' || o.bind === '::' ? '127.0.0.1' : o.bind;
  let closed = false;
  return {
    mode: 'embedded',
    aedes,
    port,
    url: `${o.tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    publish: (topic, payload, { qos, retain = false }) =>
      new Promise((res, rej) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (e) => (e ? rej(e) : res())),
      ),
    connectedCount: () => connected.size,
    ready: () => !closed,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
