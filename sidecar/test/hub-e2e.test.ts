/**
 * The sidecar against the REAL hub (startHub from @deepsignal/hub, PGlite, embedded broker):
 * provisioning through the API, presence, metrics through the outbox and acks, a signed ping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHub, startHub } from '../../hub/src/index.js';
import { seedPgliteDataDir } from '../../scripts/test/pglite-template.js';
import { silentLogger } from '../src/log.js';
import { type Sidecar, startSidecar } from '../src/sidecar.js';
import { syntheticCollector } from './helpers/sidecar.js';

const ADMIN = { email: 'admin@sidecar-e2e.local', password: 'sidecar-e2e-password-1' };
const dataDir = mkdtempSync(path.join(tmpdir(), 'ds-e2e-hub-'));
const stateDir = mkdtempSync(path.join(tmpdir(), 'ds-e2e-sidecar-'));
let hub: RunningHub;
let sidecar: Sidecar | undefined;
let token = '';

async function api<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${hub.httpUrl}/api/v1${p}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
async function until<T>(fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  seedPgliteDataDir(dataDir);
  hub = await startHub({
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    logLevel: 'silent',
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
  });
  token = (await api<{ token: string }>('POST', '/auth/login', ADMIN)).body.token;
}, 120_000);
afterAll(async () => {
  await sidecar?.stop();
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

describe('sidecar with the real hub', () => {
  it('is provisioned by the API, comes online, streams metrics and answers a signed ping', async () => {
    const client = await api<{ id: string }>('POST', '/clients', { name: 'E2E', industry: 'test', plan: 'starter' });
    expect(client.status).toBe(201);
    const inst = await api<{ id: string; secret: string; hubPublicKey: string; mqttUrl: string }>(
      'POST',
      '/instances',
      { clientId: client.body.id, hostname: 'vps-e2e' },
    );
    expect(inst.status).toBe(201);
    sidecar = await startSidecar(
      {
        hub: hub.mqttUrl,
        instanceId: inst.body.id,
        secret: inst.body.secret,
        hubKey: inst.body.hubPublicKey,
        stateDir,
        sampleIntervalMs: 200,
        batchIntervalMs: 400,
      },
      { collectors: [syntheticCollector], gateway: null, log: silentLogger, backoffMs: { min: 100, max: 500 } },
    );
    const online = await until(async () => {
      const r = await api<{ status: string; metrics?: Record<string, number> }>('GET', `/instances/${inst.body.id}`);
      return r.body?.status === 'online' && r.body.metrics && 'cpu' in r.body.metrics ? r.body : undefined;
    });
    expect(online.metrics?.cpu).toBeGreaterThanOrEqual(0);
    await until(async () => sidecar!.outbox.size() <= 2 && sidecar!.stats().link);
    const cmd = await api<{ id: string }>('POST', `/instances/${inst.body.id}/commands`, { type: 'ping', params: {} });
    expect(cmd.status).toBe(202);
    const done = await until(async () => {
      const r = await api<{ status: string; result?: { pong?: boolean } }>('GET', `/commands/${cmd.body.id}`);
      return r.body?.status === 'succeeded' ? r.body : undefined;
    });
    expect(done.result?.pong).toBe(true);
  }, 90_000);
});
