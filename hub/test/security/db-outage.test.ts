import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestHub, type TestHub } from '../helpers/hub.js';
import { dropSchema, PG_URL, uniqueSchema } from '../helpers/pg.js';
import { until } from '../helpers/sidecar-proc.js';

/**
 * A TCP relay in front of the machine's PostgreSQL, so the test can cut the database away from
 * a running hub (connections reset, new ones refused) and bring it back.
 */
async function pgRelay() {
  const target = new URL(PG_URL);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((res) => {
      if (server?.listening) return res();
      server = createServer((c) => {
        const up = tcpConnect(Number(target.port || 5432), target.hostname);
        sockets.add(c).add(up);
        c.pipe(up).pipe(c);
        const drop = () => {
          c.destroy();
          up.destroy();
        };
        c.on('error', drop).on('close', drop);
        up.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        port = ((server as Server).address() as { port: number }).port;
        res();
      });
    });
  await listen();
  const url = new URL(PG_URL);
  url.port = String(port);
  return {
    url: url.toString(),
    /** The database goes away: open connections are cut, new ones refused. */
    async cut() {
      const closed = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    },
    restore: listen,
    close() {
      server?.close();
      for (const s of sockets) s.destroy();
    },
  };
}

describe('database outage', () => {
  let relay: Awaited<ReturnType<typeof pgRelay>>;
  let hub: TestHub;
  const schema = uniqueSchema();

  beforeAll(async () => {
    relay = await pgRelay();
    hub = await startTestHub({ databaseUrl: relay.url, dbSchema: schema });
  }, 120_000);
  afterAll(async () => {
    await relay?.restore();
    await hub?.close();
    relay?.close();
    await dropSchema(schema);
  });

  it('answers logins and API calls with 503 while the database is away, not 500; works again after', async () => {
    await relay.cut();
    const login = await hub.api<{ error: { code: string; message: string } }>('POST', '/auth/login', ADMIN, '');
    expect(login.status).toBe(503);
    expect(login.body.error.code).toBe('HUB_ERR_UNAVAILABLE');
    expect((await hub.api('GET', '/clients')).status).toBe(503);
    await relay.restore();
    await until(async () => (await hub.api('POST', '/auth/login', ADMIN, '')).status === 200, 20_000, 'login again');
  });
});
