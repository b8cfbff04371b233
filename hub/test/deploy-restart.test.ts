import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { ADMIN, startTestHub, type TestHub } from './helpers/hub.js';
import { dropSchema, PG_URL, uniqueSchema } from './helpers/pg.js';
import { until } from './helpers/sidecar-proc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

/**
 * The hub is killed (SIGKILL) while Hetzner is creating the server, before the hub has its
 * answer. A new hub on the same database resumes the deployment, finds the server by its label
 * and goes on: exactly one server, and the agent turns live.
 */
describe('deploy: hub killed mid-deploy', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  // The create answer takes long enough for the hub to die waiting for it.
  const hetzner = new FakeHetzner({
    bootMs: 500,
    actionMs: 100,
    onBoot: sim.boot,
    answerDelayMs: (m, p) => (m === 'POST' && p === '/v1/servers' ? 5000 : 0),
  });
  const schema = uniqueSchema('deploykill');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'deploy-kill-'));
  let first: ChildProcess | null = null;
  let second: TestHub | null = null;
  let httpPort = 0;
  let mqttPort = 0;
  let firstErr = '';

  const settings = () => ({
    hetznerToken: 'test-token',
    hetznerUrl: hetzner.url,
    tailscaleApiKey: 'tskey-api-test',
    tailscaleTailnet: 'example.com',
    tailscaleUrl: tailscale.url,
    deployPollMs: 100,
    deployConnectTimeoutSec: 120,
  });

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    [httpPort, mqttPort] = [await freePort(), await freePort()];
  });
  afterAll(async () => {
    if (first && first.exitCode === null) first.kill('SIGKILL');
    await sim.dispose();
    await second?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
    await dropSchema(schema).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes on the same database with exactly one server', async () => {
    const s = settings();
    first = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'hub/src/server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DS_HTTP_PORT: String(httpPort),
        DS_MQTT_PORT: String(mqttPort),
        DS_DATA_DIR: dataDir,
        DATABASE_URL: PG_URL,
        DS_DB_SCHEMA: schema,
        DS_ADMIN_EMAIL: ADMIN.email,
        DS_ADMIN_PASSWORD: ADMIN.password,
        DS_LOG_LEVEL: 'warn',
        DS_HETZNER_TOKEN: s.hetznerToken,
        DS_HETZNER_URL: s.hetznerUrl,
        DS_TAILSCALE_API_KEY: s.tailscaleApiKey,
        DS_TAILSCALE_TAILNET: s.tailscaleTailnet,
        DS_TAILSCALE_URL: s.tailscaleUrl,
        DS_DEPLOY_POLL_MS: '100',
        DS_DEPLOY_CONNECT_TIMEOUT_SEC: '120',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    first.stderr?.on('data', (d) => {
      firstErr = (firstErr + d).slice(-5000);
    });
    const base = `http://127.0.0.1:${httpPort}/api/v1`;
    const token = await until(
      async () => {
        const r = await fetch(`${base}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        return r.ok ? ((await r.json()) as { token: string }).token : null;
      },
      120_000,
      `first hub up (${firstErr})`,
    );
    const call = async (method: string, p: string, body?: unknown) => {
      const r = await fetch(`${base}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return (await r.json()) as Record<string, string>;
    };
    const client = (await call('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' })).id;
    const dep = await call('POST', `/clients/${client}/deployments`, { location: 'fsn1', serverType: 'cx22' });
    expect(dep.status).toBe('queued');
    // Hetzner has made the server; the hub is still waiting for the answer: kill it now.
    await until(
      () => hetzner.serversMatching(`deepsignal/deployment=${dep.id}`).length === 1,
      120_000,
      'server created',
    );
    first.kill('SIGKILL');
    await new Promise((r) => first?.once('exit', r));

    second = await startTestHub({ ...s, httpPort, mqttPort, dataDir, databaseUrl: PG_URL, dbSchema: schema });
    const d = await until(
      async () => {
        const x = (
          await second?.api<{ status: string; error: unknown; steps: { name: string; detail: string | null }[] }>(
            'GET',
            `/deployments/${dep.id}`,
          )
        )?.body;
        if (x?.status === 'failed') throw new Error(`failed: ${JSON.stringify(x.error)} ${sim.errors.join('; ')}`);
        return x?.status === 'live' ? x : null;
      },
      120_000,
      'deployment live after the restart',
    );
    expect(hetzner.servers.size).toBe(1);
    expect(hetzner.log.filter((l) => l === 'POST /v1/servers')).toHaveLength(1);
    expect(d.steps.find((x) => x.name === 'create_server')?.detail).toMatch(/already made for this deployment/);
  }, 300_000);
});
