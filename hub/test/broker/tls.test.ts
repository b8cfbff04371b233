import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from '../helpers/hub.js';

/** MQTT over TLS on the embedded broker, with a CA and server certificate made by the openssl CLI. */
let hub: TestHub;
let dir: string;
let ca: Buffer;

function makeCerts(d: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Deep Signal test CA',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'hub.key', '-out', 'hub.csr', '-subj', '/CN=localhost');
  // The client checks the name it dialled: loopback IP and localhost.
  writeFileSync(join(d, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'hub.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'hub.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
}
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-tls-'));
  makeCerts(dir);
  ca = readFileSync(join(dir, 'ca.pem'));
  hub = await startTestHub({ mqttTlsCert: join(dir, 'hub.pem'), mqttTlsKey: join(dir, 'hub.key') });
}, 60_000);
afterAll(async () => {
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

const attempt = (url: string, opts: mqtt.IClientOptions) =>
  new Promise<string>((resolve) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...opts });
    const done = (r: string) => {
      c.end(true);
      resolve(r);
    };
    c.once('connect', () => done('connected'));
    c.once('error', (e) => done(e.message));
    c.once('close', () => done('closed'));
  });

describe('MQTT over TLS (embedded broker)', () => {
  it('hands out an mqtts:// URL and serves a sidecar that trusts the CA, end to end', async () => {
    expect(hub.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const inst = await hub.newInstance();
    expect((inst as { mqttUrl?: string }).mqttUrl).toBe(hub.mqttUrl); // what POST /instances hands out
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret, { ca });
    const acks = ackCollector(c);
    await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
    await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-tls', 0));
    await acks.waitFor((a) => a.stream === 'metrics' && a.seq === 0);
    await c.endAsync();
  });

  it('refuses clients that do not trust the certificate and plaintext MQTT on the port', async () => {
    const inst = await hub.newInstance();
    const creds = { clientId: `ds-${inst.id}`, username: inst.id, password: inst.secret };
    expect(await attempt(hub.mqttUrl, creds)).toMatch(/self.signed|unable to verify|certificate/i);
    expect(await attempt(hub.mqttUrl.replace('mqtts:', 'mqtt:'), creds)).not.toBe('connected');
    expect(await attempt(hub.mqttUrl, { ...creds, ca, password: 'wrong' })).toMatch(/Bad username|Not authorized/i);
  });
});
