import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type BenchHub, startBenchHub } from '../hub/harness.js';
import { type ScenarioInstance, startScenarioInstance } from './instance.js';

/** A JSON call to the hub's API as someone (the admin by default). */
export type Api = <T = unknown>(
  method: string,
  route: string,
  body?: unknown,
  o?: { token?: string; headers?: Record<string, string> },
) => Promise<{ status: number; body: T }>;

/** The hub, its admin, the agents' tokens and the simulated instances of one suite run. */
export interface ScenarioFleet {
  bench: BenchHub;
  api: Api;
  clientId: string;
  /** Minted by the hub for its ops agents (`POST /ops-agents/:name/token`), as `npm start` does. */
  tokens: { orchestrator: string; security: string };
  instances: ScenarioInstance[];
  stop(): Promise<void>;
}

function apiOf(httpUrl: string, adminToken: string): Api {
  return async (method, route, body, o = {}) => {
    const r = await fetch(`${httpUrl}/api/v1${route}`, {
      method,
      headers: {
        // an empty token: an anonymous call (a login)
        ...(o.token === '' ? {} : { authorization: `Bearer ${o.token ?? adminToken}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...o.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
}

const must = <T>(r: { status: number; body: T }, want: number, what: string): T => {
  if (r.status !== want) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/**
 * Starts an embedded hub (PGlite in a temp dir, broker on a random port), one client with a
 * maintenance window open all week (so an approved medium-risk action such as `agent.pause` may
 * run), `hostnames.length` instances made through the API, each a real sidecar with a simulated
 * gateway, and mints the orchestrator's and the security agent's tokens.
 */
export async function startScenarioFleet(hostnames: string[], dir: string): Promise<ScenarioFleet> {
  // One trusted proxy: the login scenario's requests say which address they come from.
  const bench = await startBenchHub({
    mode: 'embedded',
    instances: 0,
    logLevel: 'silent',
    settings: { trustProxy: 1 },
  });
  const instances: ScenarioInstance[] = [];
  try {
    const api = apiOf(bench.hub.httpUrl, bench.token);
    const clientId = must(
      await api<{ id: string }>('POST', '/clients', { name: 'Scenario Co', industry: 'retail', plan: 'growth' }),
      201,
      'client',
    ).id;
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    must(
      await api('POST', '/maintenance-windows', {
        clientId,
        name: 'scenario suite: always open',
        timeZone: 'UTC',
        startDate: yesterday,
        startTime: '00:00',
        durationMin: 7 * 1440,
      }),
      201,
      'maintenance window',
    );
    const token = async (name: string) =>
      must(await api<{ token: string }>('POST', `/ops-agents/${name}/token`), 201, `${name} token`).token;
    const tokens = { orchestrator: await token('orchestrator'), security: await token('security') };
    for (const hostname of hostnames) {
      const made = must(
        await api<{ id: string; secret: string }>('POST', '/instances', { clientId, hostname }),
        201,
        `instance ${hostname}`,
      );
      const stateDir = path.join(dir, hostname);
      mkdirSync(stateDir, { recursive: true });
      instances.push(
        await startScenarioInstance({
          mqttUrl: bench.hub.mqttUrl,
          hubKey: bench.hub.hubPublicKey,
          id: made.id,
          hostname,
          secret: made.secret,
          stateDir,
        }),
      );
    }
    return {
      bench,
      api,
      clientId,
      tokens,
      instances,
      async stop() {
        await Promise.all(instances.map((i) => i.stop()));
        await bench.cleanup();
      },
    };
  } catch (e) {
    await Promise.all(instances.map((i) => i.stop()));
    await bench.cleanup();
    throw e;
  }
}
