/**
 * A minimal hub for sidecar tests: an aedes broker on port 0 that authenticates instances,
 * stores sequenced messages once by (instance, bootId, stream, seq) like the hub's database, and
 * answers with end-to-end acks (highest contiguous seq, honouring `base`). [SPEC 4]
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ACKED_STREAMS, type AckedStream, encodeMessage, parseMessage, TOPIC_PREFIX } from '@deepsignal/protocol';
import { Aedes } from 'aedes';

export interface StoredMessage {
  kind: string;
  instanceId: string;
  bootId: string;
  seq: number;
  message: Record<string, unknown>;
}

export interface MiniHub {
  url: string;
  port: number;
  /** Every distinct sequenced message, in arrival order. */
  stored: StoredMessage[];
  /** Messages received again after being stored (dropped as duplicates, still acked). */
  duplicates: number;
  /** Every status and hello seen, in order. */
  presence: StoredMessage[];
  retainedStatus(instanceId: string): Promise<Record<string, unknown> | null>;
  /** When false, nothing is acknowledged (the database is "down"). */
  acking: boolean;
  rejected: string[];
  publishCmd(instanceId: string, cmd: unknown): Promise<void>;
  /** Drops every client connection (the broker stays). */
  dropClients(): void;
  /** Stops listening (the hub is "down"); `restart` listens again on the same port. */
  pause(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
}

export async function startMiniHub(credentials: Record<string, string> = {}): Promise<MiniHub> {
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, cb) => {
      const ok =
        username !== undefined && credentials[username] !== undefined && password?.toString() === credentials[username];
      cb(null, Object.keys(credentials).length === 0 || ok);
    },
  });
  const sockets = new Set<Socket>();
  const makeServer = () =>
    createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      broker.handle(s);
    });
  let server: Server = makeServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const seen = new Set<string>();
  const contiguous = new Map<string, number>();
  const received = new Map<string, Set<number>>();
  const hub: MiniHub = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stored: [],
    duplicates: 0,
    presence: [],
    acking: true,
    rejected: [],
    async retainedStatus(instanceId) {
      return new Promise((resolve) => {
        let found: Record<string, unknown> | null = null;
        const stream = (
          broker as unknown as { persistence: { createRetainedStream(p: string): NodeJS.EventEmitter } }
        ).persistence.createRetainedStream(`${TOPIC_PREFIX}/${instanceId}/status`);
        stream.on('data', (p: { payload: Buffer }) => {
          found = JSON.parse(p.payload.toString());
        });
        stream.on('end', () => resolve(found));
      });
    },
    publishCmd(instanceId, cmd) {
      return new Promise((resolve) =>
        broker.publish(
          {
            cmd: 'publish',
            topic: `${TOPIC_PREFIX}/${instanceId}/cmd`,
            payload: Buffer.from(JSON.stringify(cmd)),
            qos: 1,
            retain: false,
            dup: false,
          },
          () => resolve(),
        ),
      );
    },
    dropClients() {
      for (const s of sockets) s.destroy();
    },
    async pause() {
      hub.dropClients();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restart() {
      server = makeServer();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    async close() {
      hub.dropClients();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    },
    async waitFor(pred, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > end) throw new Error('timed out waiting');
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };

  const ack = (instanceId: string, bootId: string, stream: AckedStream, seq: number) => {
    broker.publish(
      {
        cmd: 'publish',
        topic: `${TOPIC_PREFIX}/${instanceId}/ack`,
        payload: encodeMessage({ v: 1, ts: Date.now(), acks: [{ bootId, stream, seq }] }),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => {},
    );
  };

  broker.subscribe(
    `${TOPIC_PREFIX}/+/+`,
    (packet, cb) => {
      cb();
      const m = parseMessage(packet.topic, packet.payload as Buffer, 'sidecar->hub');
      if (!m.ok) {
        if (!packet.topic.endsWith('/cmd') && !packet.topic.endsWith('/ack'))
          hub.rejected.push(`${packet.topic}: ${m.error.reason} ${m.error.detail}`);
        return;
      }
      const msg = m.value.message as unknown as Record<string, unknown> & {
        bootId: string;
        seq: number;
        instanceId: string;
        base?: number;
      };
      const kind = m.value.kind;
      const rec = { kind, instanceId: msg.instanceId, bootId: msg.bootId, seq: msg.seq, message: msg };
      if (kind === 'status' || kind === 'hello') {
        hub.presence.push(rec);
        return;
      }
      if (!(ACKED_STREAMS as readonly string[]).includes(kind)) return;
      const key = `${msg.instanceId}/${msg.bootId}/${kind}`;
      const id = `${key}/${msg.seq}`;
      if (!hub.acking) return; // database down: nothing is committed, nothing acknowledged
      if (seen.has(id)) hub.duplicates++;
      else {
        seen.add(id);
        hub.stored.push(rec);
        const got = received.get(key) ?? new Set<number>();
        received.set(key, got);
        got.add(msg.seq);
      }
      // seqs start at 0 [SPEC 3.1]: nothing is contiguous yet at -1
      let c = Math.max(contiguous.get(key) ?? -1, (msg.base ?? 0) - 1);
      const set = received.get(key)!;
      while (set.has(c + 1)) c++;
      contiguous.set(key, c);
      if (c >= 0) ack(msg.instanceId, msg.bootId, kind as AckedStream, c);
    },
    () => {},
  );
  return hub;
}
