import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningHub, type StartHubOptions, startHub } from '@deepsignal/hub';
import type { ConversationMessage } from '@deepsignal/protocol';
import { type CollectorFactory, HANDLERS, type Sidecar, silentLogger, startSidecar } from '@deepsignal/sidecar';
import { seedPgliteDataDir } from '../../../scripts/test/pglite-template.js';
import { OUT_DIR } from './build.js';

export const ADMIN = { email: 'admin@deepsignal.test', password: 'admin-password-123' };

/** Simulated machine figures: real sidecar code, synthetic numbers (no /proc reads). */
const simulatedMachine = (seed: number): CollectorFactory => ({
  name: 'simulated-machine',
  create: () => {
    let n = seed;
    return {
      name: 'simulated-machine',
      sample: () => {
        n++;
        const GB = 1024 ** 3;
        return {
          cpu: 20 + ((n * 7) % 30),
          memUsed: (3 + (n % 5) * 0.1) * GB,
          memTotal: 8 * GB,
          disks: [{ mount: '/', used: 40 * GB, total: 100 * GB }],
          netRx: 1000 + (n % 10) * 200,
          netTx: 500 + (n % 10) * 100,
          load1: 0.5,
          uptime: 3600 + n,
        };
      },
    };
  },
});

/** Emits a short conversation once at start, through the sidecar's real conversation path. */
const simulatedConversations = (prefix: string): CollectorFactory => ({
  name: 'simulated-conversations',
  create: (ctx) => ({
    name: 'simulated-conversations',
    start() {
      const t = Date.now() - 60_000;
      const msgs: ConversationMessage[] = [
        {
          messageId: `${prefix}-1`,
          t,
          sessionKey: `${prefix}:telegram:alice`,
          channel: 'telegram',
          role: 'user',
          text: 'Thanks, this is great and very helpful!',
          tokensIn: 0,
          tokensOut: 0,
          cost: 0,
          model: null,
        },
        {
          messageId: `${prefix}-2`,
          t: t + 1500,
          sessionKey: `${prefix}:telegram:alice`,
          channel: 'telegram',
          role: 'assistant',
          text: 'Happy to help, Alice.',
          tokensIn: 120,
          tokensOut: 40,
          cost: 0.0021,
          model: 'anthropic/claude-sonnet-4-5',
          latencyMs: 1500,
        },
      ];
      ctx.emit.conversations(msgs);
    },
  }),
});

/** A running sidecar plus the commands its recording handlers saw. */
export interface SimSidecar {
  instanceId: string;
  hostname: string;
  sidecar: Sidecar;
  received: string[];
  stop(): Promise<void>;
}

/** A real hub (PGlite in a temp dir, embedded broker, port 0) serving the built dashboard. */
export interface FleetEnv {
  hub: RunningHub;
  baseURL: string;
  adminToken: string;
  api<T = unknown>(method: string, p: string, body?: unknown, token?: string): Promise<T>;
  createClient(name: string): Promise<{ id: string }>;
  addSidecar(clientId: string, hostname: string, seed?: number): Promise<SimSidecar>;
  close(): Promise<void>;
}

/** `overrides` go to startHub as they are (e.g. a mail relay URL for `mailTransport`). */
export async function startFleetEnv(overrides: StartHubOptions = {}): Promise<FleetEnv> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ds-dash-hub-'));
  if (!overrides.databaseUrl) seedPgliteDataDir(dataDir);
  const hub = await startHub({
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    dashboardDir: OUT_DIR,
    logLevel: 'warn',
    heartbeatTimeoutSec: 10,
    ...overrides,
  });
  const sidecars: SimSidecar[] = [];
  const stateDirs: string[] = [];

  const api = async <T>(method: string, p: string, body?: unknown, token?: string): Promise<T> => {
    const res = await fetch(`${hub.httpUrl}/api/v1${p}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} -> ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  const { token: adminToken } = await api<{ token: string }>('POST', '/auth/login', ADMIN);

  const env: FleetEnv = {
    hub,
    baseURL: hub.httpUrl,
    adminToken,
    api,
    createClient: (name) => api('POST', '/clients', { name, industry: 'retail', plan: 'starter' }, adminToken),
    async addSidecar(clientId, hostname, seed = 0) {
      const inst = await api<{ id: string; secret: string; hubPublicKey: string; mqttUrl: string }>(
        'POST',
        '/instances',
        { clientId, hostname },
        adminToken,
      );
      const stateDir = mkdtempSync(path.join(tmpdir(), 'ds-dash-sidecar-'));
      stateDirs.push(stateDir);
      const received: string[] = [];
      const record = (type: string, result: unknown) => async (): Promise<unknown> => {
        received.push(type);
        return result;
      };
      const sidecar = await startSidecar(
        {
          hub: inst.mqttUrl,
          instanceId: inst.id,
          secret: inst.secret,
          hubKey: inst.hubPublicKey,
          stateDir,
          sampleIntervalMs: 500,
          batchIntervalMs: 300,
        },
        {
          collectors: [simulatedMachine(seed), simulatedConversations(inst.id)],
          gateway: null,
          log: silentLogger,
          hostname,
          backoffMs: { min: 100, max: 400 },
          // Without an OpenClaw gateway the real handlers would fall back to the host (systemctl,
          // the openclaw CLI): never let a test touch the machine's own services. These record
          // that the signed command reached the sidecar and answer in the catalog's result shape.
          handlers: {
            ...HANDLERS,
            'agent.pause': record('agent.pause', { paused: true, channels: [] }),
            'agent.resume': record('agent.resume', { paused: false, channels: [] }),
            'openclaw.restart': record('openclaw.restart', { method: 'simulated', readyAfterMs: 0 }),
            'model.set': record('model.set', { model: 'simulated/model', previous: null }),
          },
        },
      );
      let stopped = false;
      const s: SimSidecar = {
        instanceId: inst.id,
        hostname,
        sidecar,
        received,
        async stop() {
          if (stopped) return;
          stopped = true;
          await sidecar.stop();
        },
      };
      sidecars.push(s);
      return s;
    },
    async close() {
      for (const s of sidecars) await s.stop().catch(() => {});
      await hub.stop();
      for (const d of [dataDir, ...stateDirs]) rmSync(d, { recursive: true, force: true });
    },
  };
  return env;
}
