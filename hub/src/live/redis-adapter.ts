import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { redisOutages, redisReconnect } from '../util/redis-outages.js';

/** How long a hub waits for Redis at start before refusing to run with a live stream it cannot share. */
const CONNECT_TIMEOUT_MS = 10_000;

const redact = (url: string) => url.replace(/\/\/([^@/]*)@/, '//***@');

/**
 * Shares the live stream between several hubs through Redis (Socket.IO's Redis adapter): an event
 * emitted to a room on one hub reaches that room's sockets on every hub, so a browser sees the
 * frames of instances whose messages another hub ingested. Redis pub/sub only: nothing is stored.
 * Chosen over the PostgreSQL adapter by measurement (hub/README.md, several hubs): at fleet rate
 * every frame would be a NOTIFY through the database the ingest already keeps busy.
 */
export async function shareLiveThroughRedis(
  io: { adapter(factory: ReturnType<typeof createAdapter>): unknown },
  url: string,
  group: string,
  log: Logger,
): Promise<() => Promise<void>> {
  const pub = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: redisReconnect } });
  const sub = pub.duplicate();
  const outages = redisOutages(log, 'live stream', 'retrying');
  outages.watch(pub, { connection: 'publish' });
  outages.watch(sub, { connection: 'subscribe' });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`DS_REDIS_URL: cannot reach ${redact(url)} within ${CONNECT_TIMEOUT_MS / 1000} s`)),
      CONNECT_TIMEOUT_MS,
    ).unref(),
  );
  try {
    await Promise.race([Promise.all([pub.connect(), sub.connect()]), timeout]);
  } catch (e) {
    await Promise.allSettled([pub.destroy(), sub.destroy()]);
    throw e;
  }
  // Hubs of one deployment share `DS_SHARE_GROUP`; another group on the same Redis is another stream.
  io.adapter(createAdapter(pub, sub, { key: `deepsignal-live-${group}` }));
  log.info({ redis: redact(url) }, 'live stream shared between hubs through Redis');
  return async () => {
    await Promise.allSettled([pub.quit(), sub.quit()]);
  };
}
