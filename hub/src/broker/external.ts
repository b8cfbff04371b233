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
  const client = mqtt.connect(o.url, {
    clientId: `ds-hub-${randomBytes(6).toString('hex')}`,
    // MQTT 5 for shared subscriptions; sidecars may still speak 3.1.1 to the same broker.
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
  });
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
  const shared = HUB_SUBSCRIPTIONS.filter((t) => !EVERY_HUB.includes(t)).map((t) => `$share/${o.shareGroup}/${t}`);
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
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`DS_MQTT_URL: cannot reach ${redact(o.url)}`)), 15_000);
    client.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
  });
  await subscribe();
  return {
    mode: 'external',
    url: redact(o.url),
    publish: async (topic, payload, { qos, retain = false }) => {
      await client.publishAsync(topic, payload, { qos, retain });
    },
    connectedCount: () => o.fleet.list().filter((s) => s.presence === 'online').length,
    ready: () => client.connected,
    close: () => client.endAsync(),
  };
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
