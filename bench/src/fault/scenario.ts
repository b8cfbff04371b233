import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPglite } from '../../../hub/src/db/client.js';
import { seedPgliteDataDir } from '../../../scripts/test/pglite-template.js';
import { BENCH_ADMIN, login } from '../hub/harness.js';
import { type HubStore, provisionInstances } from '../hub/provision.js';
import type { InstanceCreds } from '../load/lite-sidecar.js';
import { dropSchema, PG_URL, uniqueSchema, withClient } from '../pg.js';
import { type Child, startChild } from './children.js';
import type { SimInstance } from './sim-instance.js';
import { TcpFaultProxy } from './tcp-proxy.js';
import { type Query, waitFor } from './verify.js';

/** What the hub child prints when it is up. */
export interface HubInfo {
  httpUrl: string;
  mqttUrl: string;
  hubPublicKey: string;
}

/**
 * A fault scenario's fixture: a hub as a child process (PostgreSQL schema or PGlite dir), one
 * provisioned instance, and a TCP proxy that sidecars connect through, so the hub can be killed,
 * restarted on new ports (the proxy follows it) or cut off.
 */
export class HubScenario {
  readonly store: HubStore;
  readonly dir: string;
  hub!: Child<HubInfo>;
  proxy!: TcpFaultProxy;
  creds!: InstanceCreds[];
  token = '';
  extraEnv: Record<string, string> = {};

  constructor(readonly mode: 'pg' | 'embedded') {
    this.dir = mkdtempSync(path.join(tmpdir(), `ds-fault-${mode}-`));
    this.store = {
      databaseUrl: mode === 'pg' ? PG_URL : undefined,
      dbSchema: mode === 'pg' ? uniqueSchema('fault') : 'public',
      dataDir: path.join(this.dir, 'hub'),
    };
    if (mode === 'embedded') seedPgliteDataDir(this.store.dataDir);
  }

  async setup(instances = 1, extraEnv: Record<string, string> = {}): Promise<void> {
    this.extraEnv = extraEnv;
    this.creds = await provisionInstances(this.store, instances, 'f');
    await this.startHub();
    const u = new URL(this.hub.info.mqttUrl);
    this.proxy = new TcpFaultProxy({ host: u.hostname, port: Number(u.port) });
    await this.proxy.start();
  }

  /** Starts (or restarts) the hub child and points the proxy at it. */
  async startHub(): Promise<void> {
    this.hub = await this.startHubChild(this.store.dataDir);
    const u = new URL(this.hub.info.mqttUrl);
    this.proxy?.retarget({ host: u.hostname, port: Number(u.port) });
    this.token = await login(this.hub.info.httpUrl);
  }

  /** A hub process on the scenario's database (and `extraEnv`) with its own data directory. */
  startHubChild(dataDir: string): Promise<Child<HubInfo>> {
    return startChild<HubInfo>(
      'bench/src/hub/hub-process.ts',
      {
        DS_HTTP_PORT: '0',
        DS_MQTT_PORT: '0',
        DS_BIND: '127.0.0.1',
        DS_DATA_DIR: dataDir,
        DATABASE_URL: this.store.databaseUrl,
        DS_DB_SCHEMA: this.store.dbSchema,
        DS_ADMIN_EMAIL: BENCH_ADMIN.email,
        DS_ADMIN_PASSWORD: BENCH_ADMIN.password,
        ...this.extraEnv,
      },
      // A busy shared machine can take minutes to compile and start a hub child.
      180_000,
    );
  }

  /** A JSON call to the hub's API. */
  async api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r = await fetch(`${this.hub.info.httpUrl}/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Issues a ping (long expiry) and returns its id. */
  async ping(instanceId: string): Promise<string> {
    const r = await this.api<{ id: string }>('POST', `/instances/${instanceId}/commands`, {
      type: 'ping',
      params: {},
      expiresInSec: 600,
    });
    if (r.status !== 202) throw new Error(`ping refused: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  }

  /** The conversation message ids the hub holds for an instance (through its API, so any mode, hub running). */
  async conversationIds(instanceId: string): Promise<Set<string>> {
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const r = await this.api<{ messageId: string }[]>(
      'GET',
      `/instances/${instanceId}/conversations?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}&limit=2000`,
    );
    return new Set((r.status === 200 ? r.body : []).map((m) => m.messageId));
  }

  async commandStatus(id: string): Promise<string> {
    return (await this.api<{ status: string }>('GET', `/commands/${id}`)).body.status;
  }

  /** Runs `fn` with a query function on the hub's database. PGlite: the hub must be stopped. */
  async withDb<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    if (this.mode === 'pg') {
      return withClient(async (c) => {
        await c.query(`SET search_path TO "${this.store.dbSchema}"`);
        return fn(async (sql, p) => (await c.query(sql, p as unknown[])).rows);
      });
    }
    const db = await openPglite(this.store.dataDir);
    try {
      return await fn((sql, p) => db.query(sql, p));
    } finally {
      await db.close();
    }
  }

  async cleanup(): Promise<void> {
    await this.proxy?.close().catch(() => {});
    await this.hub?.kill9().catch(() => {});
    if (this.store.databaseUrl) await dropSchema(this.store.dbSchema);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Flushes a simulated instance and waits until the hub acknowledged everything it held at that
 * moment (outbox entries before the flush's end are gone). Returns the samples that must be stored.
 */
export async function settle(inst: SimInstance, timeoutMs = 60_000): Promise<{ required: number[]; settled: boolean }> {
  const required = [...inst.produced];
  inst.sidecar.flush();
  const end = inst.sidecar.outbox.endOrd;
  const settled = await waitFor(() => {
    for (const e of inst.sidecar.outbox.entries()) if (e.ord < end) return false;
    return true;
  }, timeoutMs);
  return { required, settled };
}
