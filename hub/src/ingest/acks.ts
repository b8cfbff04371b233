import { encodeMessage, topicFor } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { BrokerLink } from '../broker/types.js';
import type { HubStats } from '../stats.js';
import type { AckEntry } from './commit.js';

/** [SPEC 4.2] after the commit, never before; at most 64 entries per message. */
export async function publishAcks(
  broker: BrokerLink | null,
  acks: Iterable<[instanceId: string, entries: AckEntry[]]>,
  stats: HubStats,
  log: Logger,
): Promise<void> {
  if (!broker) return;
  const ts = Date.now();
  const sends: Promise<void>[] = [];
  for (const [instanceId, entries] of acks) {
    for (let i = 0; i < entries.length; i += 64) {
      const payload = encodeMessage({ v: 1, ts, acks: entries.slice(i, i + 64) });
      stats.acks.inc();
      sends.push(
        broker.publish(topicFor(instanceId, 'ack'), payload, { qos: 1 }).catch((err) => {
          log.warn({ err: (err as Error).message, instanceId }, 'ack publish failed; the sidecar will resend');
        }),
      );
    }
  }
  await Promise.all(sends);
}
