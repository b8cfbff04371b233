import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportMosquitto } from '../../src/tools/export-mosquitto.js';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from '../helpers/hub.js';
import { haveMosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { PG_URL, pgAvailable } from '../helpers/pg.js';

/**
 * The exported password and ACL files loaded by a real, separate mosquitto process, with a second
 * hub (same database) running against it in external-broker mode.
 */
const ready = haveMosquitto && (await pgAvailable());
let hub: TestHub;
let external: TestHub;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let out: string;
let a: { id: string; secret: string };
let b: { id: string; secret: string };
let hubPassword: string;

const refused = (url: string, opts: mqtt.IClientOptions) =>
  new Promise<string>((resolve) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
    c.once('connect', () => {
      c.end(true);
      resolve('connected');
    });
    c.once('error', (e) => {
      c.end(true);
      resolve(e.message);
    });
  });

beforeAll(async () => {
  if (!ready) return;
  hub = await startTestHub({ postgres: true });
  a = await hub.newInstance();
  b = await hub.newInstance();
  out = mkdtempSync(join(tmpdir(), 'mosq-export-'));
  const lines: string[] = [];
  const code = await runExportMosquitto(
    ['--out', out, '--database-url', PG_URL, '--db-schema', hub.config.dbSchema],
    {},
    (l) => lines.push(l),
  );
  expect(code, lines.join('\n')).toBe(0);
  hubPassword = readFileSync(join(out, 'hub-password'), 'utf8').trim();
  broker = await startMosquitto(['allow_anonymous false', `password_file ${out}/passwd`, `acl_file ${out}/acl`]);
  external = await startTestHub({
    databaseUrl: PG_URL,
    dbSchema: hub.config.dbSchema,
    mqttUrl: `mqtt://deepsignal-hub:${hubPassword}@127.0.0.1:${broker.port}`,
    shareGroup: `t${process.pid}`,
  });
}, 60_000);
afterAll(async () => {
  await external?.stop();
  await broker?.stop();
  await hub?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe.skipIf(!ready)('export-mosquitto against a real mosquitto', () => {
  it('writes 0600 files in Mosquitto formats with hashes only', () => {
    const passwd = readFileSync(join(out, 'passwd'), 'utf8');
    expect(passwd).toMatch(new RegExp(`^${a.id}:\\$7\\$1000\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$`, 'm'));
    expect(passwd).toMatch(/^deepsignal-hub:\$7\$/m);
    expect(passwd).not.toContain(a.secret);
    expect(passwd).not.toContain(hubPassword);
    for (const f of ['passwd', 'acl', 'deepsignal.conf', 'hub-password'])
      expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
  });

  it('lets an instance publish its own topics (acked by the hub after commit) and refuses the rest', async () => {
    const observer = mqtt.connect(broker.url, {
      username: 'deepsignal-hub',
      password: hubPassword,
      reconnectPeriod: 0,
    });
    await new Promise((r) => observer.once('connect', r));
    const seen: string[] = [];
    observer.on('message', (t) => seen.push(t));
    await observer.subscribeAsync('ds/v1/#', { qos: 1 });

    const c = await connectSidecar(broker.url, a.id, a.secret);
    const acks = ackCollector(c);
    const own = await c.subscribeAsync(`ds/v1/${a.id}/ack`, { qos: 1 });
    expect(own[0].qos).toBe(1);
    // Mosquitto grants the subscription but checks read access per message: nothing of B's arrives.
    const stolen: string[] = [];
    c.on('message', (t) => {
      if (t.includes(b.id)) stolen.push(t);
    });
    await c.subscribeAsync(`ds/v1/${b.id}/cmd`, { qos: 1 });
    const cb = await connectSidecar(broker.url, b.id, b.secret);
    const bGot = new Promise((r) => cb.once('message', r));
    await cb.subscribeAsync(`ds/v1/${b.id}/cmd`, { qos: 1 });
    await observer.publishAsync(`ds/v1/${b.id}/cmd`, '{"probe":1}', { qos: 1 });
    await bGot;
    await cb.endAsync();
    await pub(c, `ds/v1/${a.id}/metrics`, metricsMsg(a.id, 'boot-m', 0));
    await acks.waitFor((x) => x.stream === 'metrics' && x.seq === 0);
    const rows = await hub.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
      [a.id],
    );
    expect(rows[0].n).toBe(2);

    // Publishing as another instance: mosquitto drops it (MQTT 3.1.1 has no negative PUBACK).
    await pub(c, `ds/v1/${b.id}/metrics`, metricsMsg(b.id, 'boot-x', 0));
    await pub(c, `ds/v1/${a.id}/cmd`, '{}'); // a hub -> sidecar topic
    await pub(c, `ds/v1/${a.id}/status`, JSON.stringify({ v: 1 })); // a round trip to order after the two
    // Mosquitto keeps one client's messages in order: once the observer has the marker, it has had
    // its chance at the two before it.
    await expect.poll(() => seen).toContain(`ds/v1/${a.id}/status`);
    expect(seen).toContain(`ds/v1/${a.id}/metrics`);
    expect(seen).not.toContain(`ds/v1/${b.id}/metrics`);
    expect(seen).not.toContain(`ds/v1/${a.id}/cmd`);
    expect(stolen).toEqual([]);
    const bRows = await hub.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
      [b.id],
    );
    expect(bRows[0].n).toBe(0);
    await c.endAsync();
    await observer.endAsync();
  });

  it('refuses wrong passwords, another instance secret and anonymous clients', async () => {
    expect(await refused(broker.url, { clientId: `ds-${a.id}`, username: a.id, password: 'wrong' })).toMatch(
      /Not authorized|Bad username/i,
    );
    expect(await refused(broker.url, { clientId: `ds-${a.id}`, username: a.id, password: b.secret })).toMatch(
      /Not authorized|Bad username/i,
    );
    expect(await refused(broker.url, { clientId: 'anon' })).toMatch(/Not authorized|Bad username/i);
    expect(await refused(broker.url, { clientId: `ds-${b.id}`, username: b.id, password: b.secret })).toBe('connected');
  });

  it('prints help and refuses bad usage', async () => {
    const lines: string[] = [];
    expect(await runExportMosquitto(['--help'], {}, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('--out <dir>');
    expect(await runExportMosquitto([], {}, (l) => lines.push(l))).toBe(2);
    expect(await runExportMosquitto(['--out', out, '--nope'], {}, (l) => lines.push(l))).toBe(2);
  });
});
