import type { Logger } from 'pino';

/** Retry delay of a lost Redis connection: 200 ms doubling up to 5 s (node-redis reconnects by itself). */
export const redisReconnect = (attempt: number) => Math.min(200 * 2 ** attempt, 5_000);

/** A node-redis client as far as outages go. */
interface Watchable {
  on(event: 'error', f: (e: Error) => void): unknown;
  on(event: 'ready', f: () => void): unknown;
}

/**
 * One warning when Redis becomes unreachable and one line when it is back, however many retries
 * or failed calls there are in between: `what` names the part of the hub (`live stream`,
 * `rate limits`), `meanwhile` what it does until then. Callers report failed calls with `down`.
 */
export function redisOutages(log: Logger, what: string, meanwhile: string) {
  let isDown = false;
  const down = (e: Error, fields: Record<string, unknown> = {}) => {
    if (!isDown) log.warn({ err: e.message, ...fields }, `${what}: Redis unreachable, ${meanwhile}`);
    isDown = true;
  };
  const up = (fields: Record<string, unknown> = {}) => {
    if (isDown) log.info(fields, `${what}: Redis reachable again`);
    isDown = false;
  };
  return {
    down,
    /** Follows a client's own error and ready events. */
    watch(client: Watchable, fields: Record<string, unknown> = {}) {
      client.on('error', (e: Error) => down(e, fields));
      client.on('ready', () => up(fields));
    },
  };
}
