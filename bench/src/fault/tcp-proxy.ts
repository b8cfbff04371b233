import net from 'node:net';

/** Counters of a proxy, for assertions and reports. */
export interface ProxyStats {
  accepted: number;
  refusedWhileCut: number;
  bytesUp: number;
  bytesDown: number;
  droppedBytes: number;
}

/**
 * An in-process TCP proxy between a client (the sidecar) and a server (the broker) that can cut
 * the network. `cut('drop')` behaves like a pulled cable: open connections stay open but every
 * byte is silently discarded in both directions (so the client only notices through its
 * keepalive), and new connections are accepted and then blackholed. `cut('reset')` destroys every
 * connection at once and refuses new ones. `restore()` lets traffic through again; connections
 * that were blackholed are destroyed so both ends reconnect cleanly.
 */
export class TcpFaultProxy {
  private server?: net.Server;
  private readonly pairs = new Set<{ a: net.Socket; b?: net.Socket; blackholed: boolean }>();
  private mode: 'open' | 'drop' | 'reset' = 'open';
  readonly stats: ProxyStats = { accepted: 0, refusedWhileCut: 0, bytesUp: 0, bytesDown: 0, droppedBytes: 0 };
  port = 0;

  constructor(
    private target: { host: string; port: number },
    private readonly bindHost = '127.0.0.1',
  ) {}

  /** Listens on a free port; returns it. */
  async start(): Promise<number> {
    this.server = net.createServer((a) => this.accept(a));
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(0, this.bindHost, () => res());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** The URL a client should use, e.g. `mqtt://127.0.0.1:<port>`. */
  url(scheme = 'mqtt'): string {
    return `${scheme}://${this.bindHost}:${this.port}`;
  }

  /** Points new connections at another server (e.g. a restarted hub on a new port). */
  retarget(target: { host: string; port: number }): void {
    this.target = target;
  }

  /** Whether traffic currently flows. */
  get isOpen(): boolean {
    return this.mode === 'open';
  }

  private accept(a: net.Socket): void {
    this.stats.accepted++;
    a.on('error', () => {});
    if (this.mode === 'reset') {
      this.stats.refusedWhileCut++;
      a.destroy();
      return;
    }
    const pair: { a: net.Socket; b?: net.Socket; blackholed: boolean } = { a, blackholed: this.mode === 'drop' };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      a.destroy();
      pair.b?.destroy();
    };
    a.on('close', end);
    if (pair.blackholed) {
      a.on('data', (d) => {
        this.stats.droppedBytes += d.length;
      });
      return;
    }
    const b = net.connect(this.target.port, this.target.host);
    pair.b = b;
    b.on('error', () => {});
    b.on('close', end);
    a.on('data', (d) => {
      if (this.mode !== 'open' || pair.blackholed) {
        this.stats.droppedBytes += d.length;
        return;
      }
      this.stats.bytesUp += d.length;
      b.write(d);
    });
    b.on('data', (d) => {
      if (this.mode !== 'open' || pair.blackholed) {
        this.stats.droppedBytes += d.length;
        return;
      }
      this.stats.bytesDown += d.length;
      a.write(d);
    });
  }

  /** Cuts the network: `drop` blackholes (default), `reset` closes everything. */
  cut(how: 'drop' | 'reset' = 'drop'): void {
    this.mode = how;
    for (const p of this.pairs) {
      p.blackholed = true;
      if (how === 'reset') {
        p.a.destroy();
        p.b?.destroy();
      }
    }
  }

  /** Restores traffic; connections that lived through a cut are closed so both ends start fresh. */
  restore(): void {
    this.mode = 'open';
    for (const p of [...this.pairs]) {
      if (p.blackholed) {
        p.a.destroy();
        p.b?.destroy();
        this.pairs.delete(p);
      }
    }
  }

  /** Open connections (pairs) right now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Closes every connection and the listener. */
  async close(): Promise<void> {
    for (const p of this.pairs) {
      p.a.destroy();
      p.b?.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }
}
