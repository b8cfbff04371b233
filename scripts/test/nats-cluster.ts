import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';

/** One node of the cluster: its process and loopback ports. */
interface NatsNode {
  name: string;
  clientPort: number;
  routePort: number;
  mqttPort: number;
  proc?: ChildProcess;
}

const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });

const portOpen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });

/**
 * A NATS cluster on loopback with its MQTT gateway on every node (Debian's nats-server 2.9):
 * distinct ports and a store directory per node. NATS's MQTT needs JetStream, and JetStream in a
 * cluster needs a `server_name` per node; sessions, retained messages and QoS 1 queues are
 * JetStream streams replicated across the nodes.
 */
export class NatsCluster {
  readonly nodes: NatsNode[] = [];

  constructor(
    private readonly dir: string,
    private readonly size = 3,
  ) {}

  static available(): Promise<boolean> {
    return new Promise((res) => {
      const p = spawn('nats-server', ['--version'], { stdio: 'ignore' });
      p.on('error', () => res(false));
      p.on('exit', (code) => res(code === 0));
    });
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++)
      this.nodes.push({
        name: `n${i + 1}`,
        clientPort: await freePort(),
        routePort: await freePort(),
        mqttPort: await freePort(),
      });
    for (const n of this.nodes) this.spawn(n);
    for (const n of this.nodes) await this.waitUp(n);
    await this.waitMqttReady();
  }

  /** MQTT URL of node `i`. */
  url(i: number): string {
    return `mqtt://127.0.0.1:${this.nodes[i].mqttPort}`;
  }

  /** SIGKILL of node `i`, waiting for its exit. */
  async kill(i: number): Promise<void> {
    const p = this.nodes[i].proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGKILL');
    });
  }

  /** Starts node `i` again on the same ports and store. */
  async restart(i: number): Promise<void> {
    this.spawn(this.nodes[i]);
    await this.waitUp(this.nodes[i]);
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.nodes.length; i++) await this.kill(i);
  }

  private spawn(n: NatsNode): void {
    const store = path.join(this.dir, n.name);
    mkdirSync(store, { recursive: true });
    const routes = this.nodes.map((o) => `nats-route://127.0.0.1:${o.routePort}`).join(', ');
    const conf = path.join(this.dir, `${n.name}.conf`);
    writeFileSync(
      conf,
      [
        `server_name: ${n.name}`,
        `listen: 127.0.0.1:${n.clientPort}`,
        // Telemetry messages are small, consoles and transfers up to 1 MiB chunks: keep 8 MiB.
        'max_payload: 8MB',
        `jetstream { store_dir: "${store}" }`,
        `cluster { name: deepsignal, listen: 127.0.0.1:${n.routePort}, routes: [${routes}] }`,
        `mqtt { listen: 127.0.0.1:${n.mqttPort} }`,
        '',
      ].join('\n'),
    );
    n.proc = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'ignore'] });
  }

  private async waitUp(n: NatsNode): Promise<void> {
    const until = Date.now() + 30_000;
    while (!(await portOpen(n.mqttPort))) {
      if (Date.now() > until || n.proc?.exitCode !== null) throw new Error(`nats node ${n.name} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * The MQTT gateway answers CONNECT only once JetStream has a meta leader and its streams:
   * waits until a client can connect and subscribe with QoS 1 on every node.
   */
  private async waitMqttReady(): Promise<void> {
    const until = Date.now() + 60_000;
    for (let i = 0; i < this.nodes.length; i++) {
      for (;;) {
        const ok = await new Promise<boolean>((res) => {
          const c = mqtt.connect(this.url(i), { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 });
          let settled = false;
          const done = (v: boolean) => {
            if (settled) return;
            settled = true;
            void c.endAsync(true).then(
              () => res(v),
              () => res(v),
            );
          };
          c.once('connect', () =>
            c.subscribeAsync('ds-ready/probe', { qos: 1 }).then(
              () => done(true),
              () => done(false),
            ),
          );
          c.once('error', () => done(false));
          c.once('close', () => done(false));
        });
        if (ok) break;
        if (Date.now() > until) throw new Error(`nats node ${this.nodes[i].name}: MQTT not ready`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}
