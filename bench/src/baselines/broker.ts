import mqtt from 'mqtt';

/** Throughput of one MQTT broker: one publisher, one subscriber, fixed payload. */
export interface BrokerResult {
  messages: number;
  seconds: number;
  /** Publishes acknowledged by the broker (PUBACK) per second. */
  msgsPerSec: number;
  /** Messages the subscriber got (a broker may drop for a slow subscriber past its queue limit). */
  delivered: number;
}

function connect(url: string, opts: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  return new Promise((res, rej) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => res(c));
    c.once('error', rej);
  });
}

/**
 * Publishes `messages` payloads of `payloadBytes` at QoS `qos` with at most `window` awaiting
 * PUBACK (a tight loop without a window makes clients time out, see FACTS), and times until the
 * subscriber has them all. Used on Mosquitto as the broker baseline and on the hub's broker.
 */
export async function brokerThroughput(opts: {
  url: string;
  messages: number;
  payloadBytes?: number;
  qos?: 0 | 1;
  window?: number;
  auth?: { username: string; password: string };
  timeoutMs?: number;
}): Promise<BrokerResult> {
  const qos = opts.qos ?? 1;
  const topic = `bench/${process.pid}/${Math.random().toString(36).slice(2)}`;
  const sub = await connect(opts.url, { ...opts.auth, clientId: `bench-sub-${Math.random()}` });
  const pub = await connect(opts.url, { ...opts.auth, clientId: `bench-pub-${Math.random()}` });
  try {
    await sub.subscribeAsync(topic, { qos });
    const payload = Buffer.alloc(opts.payloadBytes ?? 290, 'x');
    let received = 0;
    sub.on('message', () => {
      received++;
    });
    const window = opts.window ?? 500;
    const started = performance.now();
    let sent = 0;
    let outstanding = 0;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(
        () => rej(new Error(`broker bench timed out at ${sent}/${opts.messages}`)),
        opts.timeoutMs ?? 60_000,
      );
      const pump = () => {
        while (outstanding < window && sent < opts.messages) {
          outstanding++;
          sent++;
          pub.publish(topic, payload, { qos }, (e) => {
            if (e) return rej(e);
            outstanding--;
            if (sent < opts.messages) pump();
            else if (outstanding === 0) {
              clearTimeout(t);
              res();
            }
          });
        }
      };
      pump();
    });
    const seconds = (performance.now() - started) / 1000;
    // let the subscriber drain what is still on its way
    for (let last = -1; last !== received && received < opts.messages; ) {
      last = received;
      await new Promise((r) => setTimeout(r, 300));
    }
    return { messages: opts.messages, seconds, msgsPerSec: opts.messages / seconds, delivered: received };
  } finally {
    await Promise.all([pub.endAsync(true), sub.endAsync(true)]).catch(() => {});
  }
}
