import { randomBytes } from 'node:crypto';
import { HUB_SUBSCRIPTIONS, TOPIC_PREFIX } from '@deepsignal/protocol';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { HubStats } from '../stats.js';
import type { BrokerLink, MessageSink } from './types.js';

/**
 * Topics every hub subscribes to (not shared): presence, so each hub knows it for its browsers,
 * and console and transfer output, which only the hub holding that session or transfer can use
 * (the others ignore it). Everything else is split between the hubs by the shared subscription.
 */
const EVERY_HUB: readonly string[] = [
  `${TOPIC_PREFIX}/+/status`,
  `${TOPIC_PREFIX}/+/console/+/out`,
  `${TOPIC_PREFIX}/+/transfer/+/out`,
];
/** Options of the external-broker mode. */
export interface ExternalBrokerOptions {
  url: string;
  shareGroup: string;
  sink: MessageSink;
  stats: HubStats;
  log: Logger;
  fleet: Fleet;
  /** Looks up instances another hub created after this one loaded its fleet. */
  db: Pick<Db, 'query'>;
  onOnline?: (instanceId: string) => void;
}

/**
 * The hub as a client of an external broker (Mosquitto, EMQX). The broker authenticates sidecars
 * and enforces the ACL (see `npm run hub:export-mosquitto`). Data topics are subscribed through
 * the shared subscription `$share/<group>/…`, so several hubs split ingest; `status` is subscribed
 * by every hub (it is retained and small) so each hub knows presence for its own browsers.
 * Backpressure: mqtt.js waits for `handleMessage`'s callback before reading on, and the callback
 * waits for room in the ingest queue.
 */
export async function startExternalBroker(o: ExternalBrokerOptions): Promise<BrokerLink> {
  // MQTT 5 for shared subscriptions; sidecars may still speak 3.1.1 to the same broker.
  let client = mqtt.connect(o.url, clientOptions(5));
  let shares = true;
  try {
    await connected(client, o.url);
  } catch (e) {
    await client.endAsync(true).catch(() => {});
    if (!UNSUPPORTED_VERSION.test((e as Error).message)) throw e;
    // NATS (2.9) and RabbitMQ (3.10) speak MQTT 3.1.1 only, and neither splits `$share/…` between
    // subscribers (NATS grants it and then delivers nothing). Every hub subscribes to everything
    // instead: ingest dedupe stores each message once, each hub does the work of all.
    client = mqtt.connect(o.url, clientOptions(4));
    await connected(client, o.url).catch(async (e3) => {
      await client.endAsync(true).catch(() => {});
      throw e3;
    });
    shares = false;
    o.log.warn(
      { broker: redact(o.url) },
      'external broker speaks MQTT 3.1.1 only: no shared subscriptions, every hub receives every message',
    );
  }
  const known = knownInstances(o);
  client.handleMessage = (packet, cb) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const deliver = () => {
      const r = o.sink(packet.topic, payload, undefined);
      if (r.ok && r.wait)
        r.wait.then(
          () => cb(),
          () => cb(),
        );
      else cb();
    };
    known(packet.topic).then(deliver, deliver);
  };
  client.on('error', (e) => o.log.warn({ err: e.message }, 'external broker error'));
  const shared = HUB_SUBSCRIPTIONS.filter((t) => !EVERY_HUB.includes(t)).map((t) =>
    shares ? `$share/${o.shareGroup}/${t}` : t,
  );
  const subscribe = async () => {
    const granted = await client.subscribeAsync(
      Object.fromEntries([...shared, ...EVERY_HUB].map((topic) => [topic, { qos: 1 as const }])),
    );
    // A refused subscription (ACL, or no shared-subscription support) would silently lose data.
    const refused = granted.filter((g) => g.qos >= 0x80).map((g) => g.topic);
    if (refused.length) throw new Error(`DS_MQTT_URL: the broker refused subscriptions ${refused.join(', ')}`);
  };
  client.on('connect', () => {
    subscribe().catch((e) => o.log.error({ err: (e as Error).message }, 'subscribe failed'));
  });
  await subscribe();
  return {
    mode: 'external',
    url: redact(o.url),
    everyHubReceivesAll: !shares,
    publish: async (topic, payload, { qos, retain = false }) => {
      await client.publishAsync(topic, payload, { qos, retain });
    },
    connectedCount: () => o.fleet.list().filter((s) => s.presence === 'online').length,
    ready: () => client.connected,
    close: () => client.endAsync(),
  };
}

/** A CONNACK refusing MQTT 5 (3.1.1 code 1, MQTT 5 reason 0x84), as mqtt.js reports it. */
const UNSUPPORTED_VERSION = /unacceptable protocol version|unsupported protocol version/i;

const clientOptions = (protocolVersion: 4 | 5): mqtt.IClientOptions => ({
  clientId: `ds-hub-${randomBytes(6).toString('hex')}`,
  protocolVersion,
  clean: true,
  reconnectPeriod: 2000,
  connectTimeout: 10_000,
});

/**
 * Resolves on the first CONNACK. Rejects when the broker refuses the protocol version, either
 * with a CONNACK (NATS) or by closing the connection after our CONNECT (RabbitMQ 3.10), so the
 * caller can try 3.1.1; rejects after 15 s when the broker cannot be reached.
 */
function connected(client: mqtt.MqttClient, url: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sentConnect = false;
    let refused: Error | undefined;
    const done = (e?: Error) => {
      clearTimeout(t);
      client.off('connect', ok);
      client.off('error', fail);
      client.off('packetsend', sent);
      client.off('close', closed);
      if (e) reject(e);
      else resolve();
    };
    const ok = () => done();
    const fail = (e: Error) => {
      if (UNSUPPORTED_VERSION.test(e.message)) done(e);
      else refused = e;
    };
    const sent = (p: { cmd: string }) => {
      if (p.cmd === 'connect') sentConnect = true;
    };
    const closed = () => {
      // A refusal for another reason (credentials) is not worth waiting for: say it now.
      if (refused) done(new Error(`DS_MQTT_URL: ${refused.message}`));
      else if (sentConnect) done(new Error('unsupported protocol version: connection closed after CONNECT'));
    };
    const t = setTimeout(() => done(new Error(`DS_MQTT_URL: cannot reach ${redact(url)}`)), 15_000);
    client.on('connect', ok);
    client.on('error', fail);
    client.on('packetsend', sent);
    client.on('close', closed);
  });
}

/**
 * With several hubs, an instance created on another hub after this one started is not in this
 * hub's fleet yet: before handing a message on, an unknown instance id is looked up once in the
 * database (misses are remembered for 30 s so garbage topics cannot hammer it).
 */
function knownInstances(o: ExternalBrokerOptions): (topic: string) => Promise<void> {
  const misses = new Map<string, number>();
  const prefix = `${TOPIC_PREFIX}/`;
  return async (topic) => {
    if (!topic.startsWith(prefix)) return;
    const id = topic.slice(prefix.length).split('/', 1)[0];
    if (!id || o.fleet.get(id) || (misses.get(id) ?? 0) > Date.now()) return;
    const rows = await o.db.query<Parameters<Fleet['add']>[0]>(
      'SELECT id, client_id, hostname, presence, last_seen, paused, openclaw FROM instances WHERE id = $1',
      [id],
    );
    if (rows[0]) o.fleet.announce(o.fleet.add(rows[0]));
    else {
      if (misses.size > 10_000) misses.clear();
      misses.set(id, Date.now() + 30_000);
    }
  };
}

/** The URL without credentials, for logs and for handing to sidecars. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'the broker';
  }
}
