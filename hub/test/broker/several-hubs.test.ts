import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSidecar, metricsMsg, pub, serveCommands, startTestHub, type TestHub } from '../helpers/hub.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.js';
import { reachable } from '../helpers/reachable.js';
import { type SidecarProc, spawnSidecar, until } from '../helpers/sidecar-proc.js';
import { browserLogin, startProvider } from '../security/oidc-idp.js';
import { makeTenant } from '../security/tenants.js';

/**
 * Several hubs as an operator runs them: one Mosquitto (shared subscriptions), one PostgreSQL
 * schema and one Redis carrying the live stream between them. A browser on either hub sees
 * everything; a console opened through one hub is driven from a socket on the other and closed
 * through its API, and its recording is served by either; commands issued on one hub whose results the other ingests read the same on
 * both; an SSO login started on one hub completes on the other.
 */
const BROKER = process.env.DS_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const REDIS = process.env.DS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ready = (await reachable(BROKER, 1883)) && (await reachable(REDIS, 6379)) && (await pgAvailable());

let h1: TestHub;
let h2: TestHub;
let idp: Awaited<ReturnType<typeof startProvider>>;
const sockets: Socket[] = [];
const sidecars: SidecarProc[] = [];
const clients: MqttClient[] = [];
const schema = uniqueSchema('hubs');
// Its own shared-subscription group, and so its own live stream on Redis: parallel runs stay apart.
const group = `t${randomBytes(5).toString('hex')}`;

const openSocket = async (hub: TestHub) => {
  const s = io(hub.httpUrl, { path: '/socket.io', auth: { token: hub.token }, transports: ['websocket'] });
  sockets.push(s);
  await new Promise<void>((res, rej) => {
    s.once('connect', () => res());
    s.once('connect_error', rej);
  });
  return s;
};

beforeAll(async () => {
  if (!ready) return;
  const common = {
    databaseUrl: PG_URL,
    dbSchema: schema,
    mqttUrl: BROKER,
    shareGroup: group,
    redisUrl: REDIS,
    ssoAllowInsecureIssuers: true,
    // Hubs of one deployment share the master key (secrets sealed by one are opened by another).
    masterKey: `k1:${randomBytes(32).toString('base64')}`,
    // Client API keys on the growth plan: 3 calls per key in a window that cannot roll over here.
    apiRateLimits: 'growth=3/100',
    apiRateWindowSec: 600,
  };
  h2 = await startTestHub(common);
  // Behind one address, as behind a load balancer: the SSO callback names hub 2.
  h1 = await startTestHub({ ...common, publicUrl: h2.httpUrl });
  idp = await startProvider(`${h2.httpUrl}/api/v1/auth/sso/callback`);
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const s of sidecars) await s.dispose();
  for (const c of clients) await c.endAsync(true).catch(() => {});
  await h1?.stop();
  await h2?.stop();
  await idp?.close();
  if (ready) await dropSchema(schema);
});

describe.skipIf(!ready)('several hubs (Mosquitto, PostgreSQL, Redis)', () => {
  it('a browser on one hub gets the live frames of messages the other hub ingested, and one status change each', async () => {
    const socket = await openSocket(h2);
    const framesFor = new Set<string>();
    const statusCount = new Map<string, number>();
    socket.on('metrics', (e: { instanceId: string }) => framesFor.add(e.instanceId));
    socket.on('instance.status', (e: { instanceId: string; status: string }) => {
      if (e.status === 'online') statusCount.set(e.instanceId, (statusCount.get(e.instanceId) ?? 0) + 1);
    });
    const committed = (h: TestHub) => h.ctx.stats.value(h.ctx.stats.committed, { stream: 'metrics' });
    const before = await Promise.all([h1, h2].map(committed));
    // Mosquitto hands a shared subscription's messages out in turn: a dozen instances land on both hubs.
    const K = 12;
    const ids: string[] = [];
    for (let k = 0; k < K; k++) {
      const inst = await h1.newInstance();
      ids.push(inst.id);
      const c = await connectSidecar(BROKER, inst.id, inst.secret);
      await pub(c, `ds/v1/${inst.id}/status`, {
        v: 1,
        id: `st-${k}`,
        instanceId: inst.id,
        bootId: 'boot-h',
        seq: 0,
        ts: Date.now(),
        state: 'online',
      });
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-h', 0, Date.now()));
      await c.endAsync();
    }
    await until(() => ids.every((id) => framesFor.has(id)), 60_000, 'a frame for every instance on hub 2');
    // A frame can reach the browser before the hub that ingested it has counted the commit.
    const perHub = async () => (await Promise.all([h1, h2].map(committed))).map((n, i) => n - before[i]);
    await until(async () => (await perHub()).reduce((a, b) => a + b) >= K, 30_000, 'every batch counted');
    const per = await perHub();
    // Some of those frames came from hub 1's ingest: that is what the shared stream is for.
    expect(per[0]).toBeGreaterThan(0);
    expect(per[1]).toBeGreaterThan(0);
    expect(per[0] + per[1]).toBe(K);
    // Presence is worked out by every hub: the browser hears it from its own hub only, once.
    await until(() => ids.every((id) => statusCount.has(id)), 30_000, 'online status for every instance');
    expect([...statusCount.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('a console opened through one hub is driven from a socket on the other', async () => {
    const inst = await h1.newInstance();
    const sc = spawnSidecar(
      { mqttUrl: BROKER, id: inst.id, secret: inst.secret, hubKey: h1.hubPublicKey },
      { SHELL: '/bin/sh' },
    );
    sidecars.push(sc);
    await until(() => h1.ctx.fleet.get(inst.id)?.presence === 'online', 90_000, 'sidecar online');
    const socket = await openSocket(h2);
    let output = '';
    socket.on('console.output', (e: { data: string }) => {
      output += e.data;
    });
    const open = await h1.api<{ sessionId: string }>('POST', `/instances/${inst.id}/console`, { cols: 80, rows: 24 });
    expect(open.status).toBe(201);
    const sid = open.body.sessionId;
    await until(
      async () => {
        socket.emit('console.input', { sessionId: sid, data: 'echo across-$((6*7))\r' });
        await new Promise((r) => setTimeout(r, 300));
        return output.includes('across-42');
      },
      60_000,
      'echo through the other hub',
    );
    socket.emit('console.input', { sessionId: sid, data: 'exit 0\r' });
    await until(
      async () =>
        (await h2.api<{ id: string; status: string }[]>('GET', `/instances/${inst.id}/console`)).body.find(
          (s) => s.id === sid,
        )?.status === 'closed',
      30_000,
      'session closed, as both hubs report it',
    );
    // Its recording, written by the hub that opened it, is served by the other one too.
    const rec = await fetch(`${h2.httpUrl}/api/v1/instances/${inst.id}/console/${sid}/recording`, {
      headers: { authorization: `Bearer ${h2.token}` },
    });
    expect(rec.status).toBe(200);
    expect(rec.headers.get('content-type')).toContain('application/x-asciicast');
    const cast = (await rec.text()).trim().split('\n');
    expect(JSON.parse(cast[0])).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(cast.slice(1).some((l) => l.includes('across-42'))).toBe(true);
    // Closing through the API of the hub that did not open the session reaches the one that did.
    const second = await h1.api<{ sessionId: string }>('POST', `/instances/${inst.id}/console`, { cols: 80, rows: 24 });
    expect(second.status).toBe(201);
    const sid2 = second.body.sessionId;
    await until(
      async () =>
        (await h1.api<{ id: string; status: string }[]>('GET', `/instances/${inst.id}/console`)).body.find(
          (s) => s.id === sid2,
        )?.status === 'open',
      60_000,
      'second session open',
    );
    const closed = await h2.api<{ closed: boolean }>('DELETE', `/instances/${inst.id}/console/${sid2}`);
    expect(closed.status).toBe(200);
    expect(closed.body.closed).toBe(true);
    await until(
      async () =>
        (await h1.api<{ id: string; status: string }[]>('GET', `/instances/${inst.id}/console`)).body.find(
          (s) => s.id === sid2,
        )?.status === 'closed',
      30_000,
      'closed through the other hub',
    );
    // A session that is not open (or not of this instance) stays a 404 on any hub.
    expect((await h2.api('DELETE', `/instances/${inst.id}/console/${sid2}`)).status).toBe(404);
  }, 180_000);

  it('commands issued on one hub whose results land on the other are reported right by both hubs', async () => {
    const results = (h: TestHub) => h.ctx.stats.value(h.ctx.stats.committed, { stream: 'cmd-result' });
    const before = await Promise.all([h1, h2].map(results));
    // Mosquitto hands the shared subscription's messages out in turn: results land on both hubs.
    const K = 6;
    const ids: string[] = [];
    for (let k = 0; k < K; k++) {
      const inst = await h1.newInstance();
      const c = await connectSidecar(BROKER, inst.id, inst.secret, { clean: true });
      clients.push(c);
      // Commands are sent to an instance once it is online.
      await pub(c, `ds/v1/${inst.id}/status`, {
        v: 1,
        id: `cst-${k}`,
        instanceId: inst.id,
        bootId: 'boot-c',
        seq: 0,
        ts: Date.now(),
        state: 'online',
      });
      await until(() => h1.ctx.fleet.get(inst.id)?.presence === 'online', 30_000, 'instance online on hub 1');
      await serveCommands(c, inst.id, h1.hubPublicKey, (v, report) => {
        if (v.ok) void report(v.command.id, 'succeeded', { result: { pong: k } });
      });
      const r = await h1.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, { type: 'ping', params: {} });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    for (const h of [h1, h2])
      await until(
        async () => {
          for (const id of ids)
            if ((await h.api<{ status: string }>('GET', `/commands/${id}`)).body.status !== 'succeeded') return false;
          return true;
        },
        60_000,
        'every command succeeded, through either hub',
      );
    const per = (await Promise.all([h1, h2].map(results))).map((n, i) => n - before[i]);
    expect(per[0], 'results ingested by the issuing hub').toBeGreaterThan(0);
    expect(per[1], 'results ingested by the other hub').toBeGreaterThan(0);
  }, 300_000);

  it('an SSO login started on one hub completes on the other, once', async () => {
    const a = await makeTenant(h1, 'multi');
    const cfg = await h1.api(
      'PUT',
      `/clients/${a.client}/sso`,
      {
        issuer: idp.issuer,
        clientId: 'deepsignal-hub',
        clientSecret: 'sso-client-secret-123',
        allowedDomain: 'multi.test',
      },
      a.owner,
    );
    expect(cfg.status).toBe(200);
    expect((await h1.api('POST', `/clients/${a.client}/sso/domains/multi.test/approve`)).status).toBe(200);
    const r = await browserLogin(`${h1.httpUrl}/api/v1/auth/sso/${a.client}/start`, 'client_viewer@multi.test');
    expect(r.status, r.body).toBe(302);
    const cookie = r.cookies.find((c) => c.startsWith('ds_session='))?.split(';')[0] as string;
    const me = await fetch(`${h1.httpUrl}/api/v1/auth/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ email: 'client_viewer@multi.test', clientId: a.client });
    const left = await h1.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sso_logins_pending WHERE client_id = $1',
      [a.client],
    );
    expect(left[0].n).toBe(0);
  }, 120_000);
  it("a client API key's rate limit holds across hubs: its calls through either are counted together", async () => {
    const t = await makeTenant(h1, 'limits');
    const key = (
      await h1.api<{ token: string }>(
        'POST',
        `/clients/${t.client}/api-keys`,
        { name: 'crm', scopes: ['read'] },
        t.owner,
      )
    ).body.token;
    const call = (hub: TestHub) =>
      fetch(`${hub.httpUrl}/api/v1/instances`, { headers: { authorization: `Bearer ${key}` } });
    const statuses = [];
    for (const hub of [h1, h2, h1]) statuses.push((await call(hub)).status);
    expect(statuses).toEqual([200, 200, 200]);
    // The fourth call, through the hub that has served only one of them, is over the key's limit.
    const over = await call(h2);
    expect(over.status).toBe(429);
    expect(over.headers.get('ratelimit')).toMatch(/^"key";r=0;/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });
  it("an address's login throttle holds across hubs: guesses spread over both are counted together", async () => {
    // Each guess is for another unknown email, so the per-account lockout never answers first.
    const guess = (hub: TestHub, i: number) =>
      fetch(`${hub.httpUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `guess-${group}-${i}@example.test`, password: 'not-it' }),
      });
    // 30 a minute per address (routes/auth). Counted per hub, alternating would pass 60 before a 429;
    // earlier logins of this file from the same address may already be in the window, so the 429
    // comes at the 31st guess or before.
    let first429 = 0;
    const served = { h1: 0, h2: 0 };
    for (let i = 1; i <= 40 && !first429; i++) {
      const hub = i % 2 ? h1 : h2;
      const r = await guess(hub, i);
      if (r.status === 429) {
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('HUB_ERR_RATE_LIMITED');
        first429 = i;
      } else {
        expect(r.status).toBe(401);
        served[hub === h1 ? 'h1' : 'h2']++;
      }
    }
    expect(first429).toBeGreaterThan(0);
    expect(first429).toBeLessThanOrEqual(31);
    expect(served.h1).toBeGreaterThan(0);
    expect(served.h2).toBeGreaterThan(0);
  });
});
