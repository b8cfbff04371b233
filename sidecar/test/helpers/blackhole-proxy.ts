import net from 'node:net';

/**
 * A TCP proxy that can pull the cable: `cut()` keeps every connection open but silently drops
 * all bytes both ways (no FIN, no RST), as a dead route does; `restore()` lets new connections
 * through again (connections that lived through the cut stay black-holed until their ends close).
 */
export interface BlackholeProxy {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  let open = true;
  const pairs = new Set<{ a: net.Socket; b: net.Socket; dead: boolean }>();
  const server = net.createServer((a) => {
    const b = net.connect(target.port, target.host);
    const pair = { a, b, dead: !open };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
    a.on('data', (d) => pair.dead || b.write(d));
    b.on('data', (d) => pair.dead || a.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const p of pairs) p.dead = true;
    },
    restore() {
      open = true;
    },
    async close() {
      for (const p of pairs) {
        p.a.destroy();
        p.b.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
