import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningHub, startHub } from '@deepsignal/hub';
import { verifyCommand } from '@deepsignal/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { seedPgliteDataDir } from '../../scripts/test/pglite-template.js';

const ADMIN = { email: 'admin@agents.test', password: 'admin-password-1' };

/** A real hub (PGlite in a temp dir, embedded broker, ports 0) and an admin session to set it up. */
export interface AgentTestHub {
  hub: RunningHub;
  adminToken: string;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  /** A client and an instance (of the given client, else the shared one); returns the instance's id and secret. */
  newInstance(hostname: string, forClient?: string): Promise<{ id: string; secret: string; clientId: string }>;
  /** A service account with a token of these scopes, made through the API as an operator would. */
  serviceToken(name: string, scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startAgentHub(settings: Record<string, unknown> = {}): Promise<AgentTestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agents-hub-'));
  if (!settings.databaseUrl) seedPgliteDataDir(dataDir);
  const hub = await startHub({
    ...settings,
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    logLevel: 'silent',
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
  });
  const api = async <T>(method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${hub.httpUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const adminToken = (await api<{ token: string }>('POST', '/auth/login', ADMIN)).body.token;
  let clientId: string | undefined;
  const must = <T>(r: { status: number; body: T }, want: number, what: string): T => {
    if (r.status !== want) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    hub,
    adminToken,
    api: (m, p, b, t = adminToken) => api(m, p, b, t),
    async newInstance(hostname, forClient) {
      if (forClient) {
        const r = must(
          await api<{ id: string; secret: string }>(
            'POST',
            '/instances',
            { clientId: forClient, hostname },
            adminToken,
          ),
          201,
          'instance',
        );
        return { ...r, clientId: forClient };
      }
      clientId ??= must(
        await api<{ id: string }>(
          'POST',
          '/clients',
          { name: 'Acme', industry: 'retail', plan: 'starter' },
          adminToken,
        ),
        201,
        'client',
      ).id;
      const r = must(
        await api<{ id: string; secret: string }>('POST', '/instances', { clientId, hostname }, adminToken),
        201,
        'instance',
      );
      return { ...r, clientId };
    },
    async serviceToken(name, scopes) {
      const acct = must(
        await api<{ id: string }>('POST', '/service-accounts', { name }, adminToken),
        201,
        'service account',
      );
      return must(
        await api<{ token: string }>('POST', `/service-accounts/${acct.id}/tokens`, { name, scopes }, adminToken),
        201,
        'token',
      ).token;
    },
    async close() {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An instance's sidecar over real MQTT: reports status and telemetry, verifies each signed command
 * with the hub's key and answers delivered -> succeeded (or as `answer` says).
 */
export async function simulatedSidecar(mqttUrl: string, hubPublicKey: string, id: string, secret: string) {
  const c: MqttClient = mqtt.connect(mqttUrl, {
    clientId: `ds-${id}`,
    username: id,
    password: secret,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  const seqs: Record<string, number> = {};
  const env = (stream: string) => {
    seqs[stream] = (seqs[stream] ?? -1) + 1;
    return {
      v: 1,
      id: `${stream}-${seqs[stream]}`,
      instanceId: id,
      bootId: 'boot-1',
      seq: seqs[stream],
      ts: Date.now(),
    };
  };
  const pub = (kind: string, body: Record<string, unknown>) =>
    c.publishAsync(`ds/v1/${id}/${kind}`, JSON.stringify({ ...env(kind), ...body }), { qos: 1 });
  const received: { id: string; type: string }[] = [];
  c.on('message', (topic, payload) => {
    if (!topic.endsWith('/cmd')) return;
    const v = verifyCommand(JSON.parse(payload.toString()), {
      instanceId: id,
      publicKeys: [hubPublicKey],
      now: Date.now(),
      seen: () => false,
    });
    if (!v.ok) {
      void pub('cmd-result', {
        commandId: v.commandId ?? 'x',
        state: 'rejected',
        error: { code: v.reason, message: v.message },
      });
      return;
    }
    received.push({ id: v.command.id, type: v.command.type });
    void pub('cmd-result', { commandId: v.command.id, state: 'delivered' }).then(() =>
      pub('cmd-result', {
        commandId: v.command.id,
        state: 'succeeded',
        result: { method: 'gateway', readyAfterMs: 1200 },
      }),
    );
  });
  await c.subscribeAsync(`ds/v1/${id}/cmd`, { qos: 1 });
  return {
    received,
    status: (state: 'online' | 'offline') => pub('status', { state }),
    hello: (v: { sidecarVersion: string; openclawVersion: string | null }) =>
      pub('hello', { ...v, protocolVersion: 1, capabilities: [], hostname: id }),
    openclaw: (data: Record<string, unknown>) =>
      pub('events', { events: [{ t: Date.now(), type: 'openclaw.state', data }] }),
    /** Conversation messages (timestamps may lie in the past: the hub meters them where they fall). */
    conversations: (messages: Record<string, unknown>[]) => pub('conversations', { messages }),
    logs: (lines: { level: string; subsystem: string; msg: string }[]) =>
      pub('logs', { lines: lines.map((l) => ({ t: Date.now(), ...l })) }),
    metrics: (diskPct: number, memPct: number) =>
      pub('metrics', {
        samples: [
          {
            t: Date.now(),
            cpu: 10,
            load1: 0.2,
            memUsed: memPct * 1e7,
            memTotal: 1e9,
            disks: [{ mount: '/', used: diskPct * 1e8, total: 1e10 }],
          },
        ],
      }),
    /** A metric history in one message: CPU % and memory % at each time (e.g. the last half hour). */
    history: (samples: { t: number; cpu: number; memPct: number }[]) =>
      pub('metrics', {
        samples: samples.map((x) => ({
          t: x.t,
          cpu: x.cpu,
          load1: 0.2,
          memUsed: x.memPct * 1e7,
          memTotal: 1e9,
          disks: [{ mount: '/', used: 30e8, total: 1e10 }],
        })),
      }),
    close: () => c.endAsync(),
  };
}

/** Polls until `check` returns true (hooks cannot use expect.poll). */
export async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
