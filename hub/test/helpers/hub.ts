import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandState, TERMINAL_STATES, verifyCommand } from '@deepsignal/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { keepLog, LogRing } from '../../../scripts/test/diagnostics.js';
import { seedPgliteDataDir } from '../../../scripts/test/pglite-template.js';
import { type RunningHub, type StartHubOptions, startHub } from '../../src/index.js';
import { dropSchema, PG_URL, uniqueSchema } from './pg.js';
import { until } from './sidecar-proc.js';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

/** A hub on ports 0 with a temp data dir (PGlite) or a private PostgreSQL schema. */
export interface TestHub extends RunningHub {
  token: string;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  newInstance(clientId?: string): Promise<{ id: string; secret: string; clientId: string }>;
  close(): Promise<void>;
}

export async function startTestHub(opts: { postgres?: boolean } & StartHubOptions = {}): Promise<TestHub> {
  const { postgres, ...rest } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-test-'));
  const schema = postgres ? uniqueSchema() : undefined;
  if (!postgres && !rest.databaseUrl) seedPgliteDataDir(dataDir);
  // The hub logs at info into memory; a failed test prints it (scripts/test/setup.ts).
  const ring = new LogRing();
  const forget = rest.logger || rest.logLevel ? () => {} : keepLog('hub', () => ring.toString());
  const hub = await startHub({
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    logger: rest.logLevel ? undefined : pino({ level: 'info' }, ring.stream()),
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    ...(postgres ? { databaseUrl: PG_URL, dbSchema: schema } : {}),
    ...rest,
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
    // A few routes answer files (YAML, CSV): those come back as text.
    const json = text && (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, body: (json ? JSON.parse(text) : text || null) as T };
  };
  const login = await api<{ token: string }>('POST', '/auth/login', ADMIN);
  const token = login.body.token;
  let defaultClient: string | undefined;
  return {
    ...hub,
    token,
    api: (m, p, b, t = token) => api(m, p, b, t),
    async newInstance(clientId) {
      if (!clientId) {
        defaultClient ??= (
          await api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' }, token)
        ).body.id;
      }
      const cid = clientId ?? (defaultClient as string);
      const r = await api<{ id: string; secret: string }>(
        'POST',
        '/instances',
        { clientId: cid, hostname: 'vps-1' },
        token,
      );
      if (r.status !== 201) throw new Error(`instance create: ${r.status} ${JSON.stringify(r.body)}`);
      return { ...r.body, clientId: cid };
    },
    async close() {
      await hub.stop();
      forget();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

/** An MQTT client logged in as an instance (protocol 3.1.1, client id `ds-<id>`). */
export async function connectSidecar(
  url: string,
  id: string,
  secret: string,
  extra: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    clientId: `ds-${id}`,
    username: id,
    password: secret,
    reconnectPeriod: 0,
    protocolVersion: 4,
    ...extra,
  });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
    c.once('close', () => rej(new Error('closed before connect')));
  });
  return c;
}

/** Collects ack messages; `waitFor` resolves when an ack satisfies the predicate. */
export function ackCollector(c: MqttClient) {
  const acks: { bootId: string; stream: string; seq: number }[][] = [];
  const waiters: { pred: (a: { bootId: string; stream: string; seq: number }) => boolean; res: () => void }[] = [];
  c.on('message', (topic, payload) => {
    if (!topic.endsWith('/ack')) return;
    const m = JSON.parse(payload.toString()) as { acks: { bootId: string; stream: string; seq: number }[] };
    acks.push(m.acks);
    for (const w of [...waiters])
      if (m.acks.some(w.pred)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.res();
      }
  });
  return {
    acks,
    waitFor(pred: (a: { bootId: string; stream: string; seq: number }) => boolean, ms = 10_000): Promise<void> {
      if (acks.some((list) => list.some(pred))) return Promise.resolve();
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error('no matching ack')), ms);
        waiters.push({
          pred,
          res: () => {
            clearTimeout(t);
            res();
          },
        });
      });
    },
  };
}

let seqs = 0;
/** A valid metrics message for an instance. */
export function metricsMsg(
  instanceId: string,
  bootId: string,
  seq: number,
  t = Date.now(),
  extra: Record<string, unknown> = {},
) {
  return {
    v: 1,
    id: `m-${++seqs}`,
    instanceId,
    bootId,
    seq,
    ts: Date.now(),
    samples: [
      {
        t,
        cpu: 12.5,
        load1: 0.4,
        memUsed: 1e9,
        memTotal: 4e9,
        disks: [{ mount: '/', used: 1e10, total: 4e10 }],
        netRx: 100,
        netTx: 200,
        openclaw: { pid: 1, cpu: 3, rss: 9e8 },
      },
      { t: t + 1000, cpu: 20, load1: 0.5, memUsed: 2e9, memTotal: 4e9 },
    ],
    ...extra,
  };
}

export const pub = (c: MqttClient, topic: string, body: unknown) =>
  c.publishAsync(topic, typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), { qos: 1 });

/** Publishes a command's state report (cmd-result) for the instance. */
export type CommandReport = (commandId: string, state: string, extra?: Record<string, unknown>) => Promise<unknown>;

/**
 * Acts as the command side of a sidecar (one boot, `b`): verifies every command sent to the
 * instance with the hub's key and hands the result to `handle`, with `report` to answer it
 * (cmd-result messages numbered from 0). Resolves once the command topic is subscribed.
 */
export async function serveCommands(
  c: MqttClient,
  id: string,
  hubPublicKey: string,
  handle: (v: ReturnType<typeof verifyCommand>, report: CommandReport) => unknown,
): Promise<void> {
  let seq = 0;
  const report: CommandReport = (commandId, state, extra = {}) =>
    pub(c, `ds/v1/${id}/cmd-result`, {
      v: 1,
      id: `r${seq}`,
      instanceId: id,
      bootId: 'b',
      seq: seq++,
      ts: Date.now(),
      commandId,
      state,
      ...extra,
    });
  c.on('message', (topic, payload) => {
    if (!topic.endsWith('/cmd')) return;
    const v = verifyCommand(JSON.parse(payload.toString()), {
      instanceId: id,
      publicKeys: [hubPublicKey],
      now: Date.now(),
      seen: () => false,
    });
    handle(v, report);
  });
  await c.subscribeAsync(`ds/v1/${id}/cmd`, { qos: 1 });
}

/** A command's view once it reaches a final state (polling the API). */
export function commandSettled<T extends { status: string }>(
  hub: TestHub,
  commandId: string,
  ms: number,
  what = 'command settled',
): Promise<T> {
  return until(
    async () => {
      const c = (await hub.api<T>('GET', `/commands/${commandId}`)).body;
      return TERMINAL_STATES.has(c.status as CommandState) ? c : null;
    },
    ms,
    what,
  );
}
