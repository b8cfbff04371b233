import { randomBytes } from 'node:crypto';
import { topicFor } from '@deepsignal/protocol';
import mqtt from 'mqtt';
import type { InstanceCreds } from '../load/lite-sidecar.js';
import { rng } from '../sim/rng.js';

/** One malformed payload and the topic it goes to. */
export interface FuzzCase {
  kind: string;
  topic: string;
  payload: Buffer;
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/**
 * Malformed traffic from an authenticated instance (`self`): random bytes, oversize payloads,
 * deeply nested JSON, wrong types, wrong versions, spoofed instance ids (the body names `victim`),
 * unknown kinds and topics of another instance. Deterministic for a seed.
 */
export function* fuzzCases(self: string, victim: string, seed = 1, acl = false): Generator<FuzzCase> {
  const r = rng(seed);
  const metrics = topicFor(self, 'metrics');
  const env = (extra: Record<string, unknown>) => ({
    v: 1,
    id: `f${Math.floor(r() * 1e9)}`,
    instanceId: self,
    bootId: 'bfuzz',
    seq: Math.floor(r() * 1000),
    ts: Date.now(),
    ...extra,
  });
  // Topics outside the instance's ACL make the broker close the connection, so they get their own phase.
  const kinds = acl
    ? ['unknown-kind', 'other-instance']
    : ['random', 'huge', 'nested', 'types', 'version', 'spoof', 'empty', 'array', 'nan-ish'];
  for (let i = 0; ; i++) {
    const kind = kinds[i % kinds.length];
    switch (kind) {
      case 'random':
        yield { kind, topic: metrics, payload: randomBytes(1 + Math.floor(r() * 2000)) };
        break;
      case 'huge':
        yield { kind, topic: metrics, payload: Buffer.alloc(300 * 1024, 0x7b) };
        break;
      case 'nested':
        yield { kind, topic: topicFor(self, 'events'), payload: Buffer.from(`{"v":1,"events":${nested(20_000)}}`) };
        break;
      case 'types':
        yield {
          kind,
          topic: metrics,
          payload: Buffer.from(JSON.stringify(env({ seq: 'zero', samples: [{ t: 'now', cpu: '99' }] }))),
        };
        break;
      case 'version':
        yield {
          kind,
          topic: metrics,
          payload: Buffer.from(JSON.stringify({ ...env({ samples: [{ t: Date.now(), cpu: 1 }] }), v: 2 })),
        };
        break;
      case 'spoof':
        yield {
          kind,
          topic: metrics,
          payload: Buffer.from(
            JSON.stringify({ ...env({ samples: [{ t: Date.now(), cpu: 1 }] }), instanceId: victim }),
          ),
        };
        break;
      case 'unknown-kind':
        yield { kind, topic: `ds/v1/${self}/telemetry`, payload: Buffer.from('{}') };
        break;
      case 'other-instance':
        yield {
          kind,
          topic: topicFor(victim, 'metrics'),
          payload: Buffer.from(
            JSON.stringify({ ...env({ samples: [{ t: Date.now(), cpu: 1 }] }), instanceId: victim }),
          ),
        };
        break;
      case 'empty':
        yield { kind, topic: metrics, payload: Buffer.alloc(0) };
        break;
      case 'array':
        yield { kind, topic: topicFor(self, 'logs'), payload: Buffer.from(JSON.stringify([env({ lines: [] })])) };
        break;
      default:
        yield {
          kind,
          topic: topicFor(self, 'conversations'),
          payload: Buffer.from(
            JSON.stringify(env({ messages: [{ messageId: 'x', t: 1e30, role: 'robot', text: 5 }] })),
          ),
        };
    }
  }
}

/**
 * Sends `count` fuzz cases as instance `self` over MQTT (QoS 0 and 1 mixed). The hub may close
 * the connection of an abusive client; the fuzzer reconnects and carries on. Returns how many
 * were written and how often it was disconnected.
 */
export async function runFuzzer(
  url: string,
  self: InstanceCreds,
  victim: string,
  count: number,
  budgetMs = 30_000,
  acl = false,
): Promise<{ sent: number; disconnects: number; refusedConnects: number }> {
  let disconnects = 0;
  let refusedConnects = 0;
  let sent = 0;
  const gen = fuzzCases(self.id, victim, 1, acl);
  const until = Date.now() + budgetMs;
  while (sent < count && Date.now() < until) {
    const c = mqtt.connect(url, {
      clientId: `ds-${self.id}`,
      username: self.id,
      password: self.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    c.on('error', () => {});
    const ok = await new Promise<boolean>((res) => {
      c.once('connect', () => res(true));
      c.once('close', () => res(false));
    });
    if (!ok) {
      refusedConnects++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    let closed = false;
    c.once('close', () => {
      closed = true;
      disconnects++;
    });
    while (!closed && sent < count && Date.now() < until) {
      const f = gen.next().value as FuzzCase;
      sent++;
      const qos = sent % 2 === 0 ? 1 : 0;
      if (qos === 1)
        await Promise.race([
          c.publishAsync(f.topic, f.payload, { qos }).catch(() => {}),
          new Promise((r) => setTimeout(r, 1000)),
        ]);
      else c.publish(f.topic, f.payload, { qos });
      if (sent % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    c.end(true);
  }
  return { sent, disconnects, refusedConnects };
}
