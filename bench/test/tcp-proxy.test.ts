import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpFaultProxy } from '../src/fault/tcp-proxy.js';

const servers: net.Server[] = [];
const proxies: TcpFaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function echoServer(): Promise<number> {
  const s = net.createServer((c) => {
    c.on('error', () => {});
    c.pipe(c);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as net.AddressInfo).port;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((res, rej) => {
    const c = net.connect(port, '127.0.0.1', () => res(c));
    c.on('error', rej);
  });
}

const nextData = (c: net.Socket, ms = 300) =>
  new Promise<string | null>((res) => {
    const t = setTimeout(() => res(null), ms);
    c.once('data', (d) => {
      clearTimeout(t);
      res(d.toString());
    });
  });

describe('TcpFaultProxy', () => {
  it('passes traffic, blackholes it while cut, and lets new connections through after restore', async () => {
    const proxy = new TcpFaultProxy({ host: '127.0.0.1', port: await echoServer() });
    proxies.push(proxy);
    await proxy.start();
    const c = await connect(proxy.port);
    c.write('hello');
    expect(await nextData(c)).toBe('hello');

    proxy.cut('drop');
    c.write('lost');
    expect(await nextData(c)).toBeNull();
    expect(proxy.stats.droppedBytes).toBeGreaterThanOrEqual(4);
    // a new connection during the cut is accepted but goes nowhere
    const during = await connect(proxy.port);
    during.write('nothing');
    expect(await nextData(during)).toBeNull();

    const closed = new Promise((r) => c.once('close', r));
    proxy.restore();
    await closed; // a connection that lived through the cut is closed, as after a timeout
    const after = await connect(proxy.port);
    after.write('back');
    expect(await nextData(after)).toBe('back');
    after.destroy();
    during.destroy();
  });

  it('reset mode closes open connections and refuses new ones', async () => {
    const proxy = new TcpFaultProxy({ host: '127.0.0.1', port: await echoServer() });
    proxies.push(proxy);
    await proxy.start();
    const c = await connect(proxy.port);
    const closed = new Promise((r) => c.once('close', r));
    proxy.cut('reset');
    await closed;
    const refused = await connect(proxy.port).then(
      (s) => new Promise((r) => s.once('close', () => r('closed'))),
      () => 'error',
    );
    expect(['closed', 'error']).toContain(refused);
    expect(proxy.stats.refusedWhileCut).toBe(1);
  });
});
