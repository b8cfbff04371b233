import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningHub, type StartHubOptions, startHub } from '../../../hub/src/hub.js';
import type { InstanceCreds } from '../load/lite-sidecar.js';
import { dropSchema, PG_URL, uniqueSchema } from '../pg.js';
import { type HubStore, provisionInstances } from './provision.js';

/** Admin login every bench hub is created with. */
export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-123' };

/** A hub started for one benchmark, with its provisioned instances and an admin token. */
export interface BenchHub {
  hub: RunningHub;
  store: HubStore;
  creds: InstanceCreds[];
  token: string;
  /** Stops the hub (keeps the data, so it can be started again with `restart`). */
  stop(): Promise<void>;
  /** Stops the hub and removes its schema / data dir. */
  cleanup(): Promise<void>;
}

/** Logs in through the API and returns the bearer token. */
export async function login(httpUrl: string, who = BENCH_ADMIN): Promise<string> {
  const r = await fetch(`${httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/**
 * Starts a hub in this process on free ports: on the machine's PostgreSQL in a fresh schema
 * (`pg`), or embedded (PGlite in a temp dir + aedes). `instances` are provisioned before the
 * start so the hub's fleet cache loads them.
 */
export async function startBenchHub(opts: {
  mode: 'pg' | 'embedded';
  instances: number;
  prefix?: string;
  mqttUrl?: string;
  logLevel?: 'warn' | 'error' | 'silent' | 'info';
  /** Further hub settings (e.g. a local PagerDuty's URL). */
  settings?: StartHubOptions;
}): Promise<BenchHub> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ds-bench-hub-'));
  const store: HubStore = {
    databaseUrl: opts.mode === 'pg' ? PG_URL : undefined,
    dbSchema: opts.mode === 'pg' ? uniqueSchema('bench') : 'public',
    dataDir,
  };
  let hub: RunningHub | undefined;
  try {
    const creds = await provisionInstances(store, opts.instances, opts.prefix ?? 'sim');
    hub = await startHub({
      httpPort: 0,
      mqttPort: 0,
      bind: '127.0.0.1',
      dataDir,
      databaseUrl: store.databaseUrl,
      dbSchema: store.dbSchema,
      mqttUrl: opts.mqttUrl,
      adminEmail: BENCH_ADMIN.email,
      adminPassword: BENCH_ADMIN.password,
      logLevel: opts.logLevel ?? 'error',
      ...opts.settings,
    });
    const token = await login(hub.httpUrl);
    const running = hub;
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await running.stop();
    };
    return {
      hub: running,
      store,
      creds,
      token,
      stop,
      async cleanup() {
        await stop();
        if (store.databaseUrl) await dropSchema(store.dbSchema);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await hub?.stop().catch(() => {});
    // The start failed: say so if the schema stays behind too, but keep the start's error.
    if (store.databaseUrl)
      await dropSchema(store.dbSchema).catch((d) => console.error(`bench: ${(d as Error).message}`));
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** A JSON call to the hub's API with the bench token. */
export async function api<T>(
  h: BenchHub,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const r = await fetch(`${h.hub.httpUrl}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${h.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}
