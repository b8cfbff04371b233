import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../baselines/node-exporter.js';
import { waitFor } from '../fault/verify.js';
import { provisionInstances } from '../hub/provision.js';
import { type InstanceCreds, LiteSidecar } from '../load/lite-sidecar.js';
import { dropSchema, PG_URL } from '../pg.js';
import { watchProcess } from '../proc-stats.js';
import { type BenchResult, round } from '../results.js';
import { SyntheticMachine } from '../sim/synthetic-metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Waits for /healthz; fails early if the hub exits. */
async function waitHealthy(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const up = await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode} before answering /healthz`);
    return fetch(`http://127.0.0.1:${port}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
  }, deadlineMs);
  if (!up) throw new Error(`hub did not answer /healthz within ${deadlineMs / 1000} s`);
}

const stop = (child: ChildProcess) =>
  new Promise<void>((res) => {
    if (child.exitCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGTERM');
  });

/** One hub measured: its backend and how many instances it serves. */
interface HubShape {
  backend: 'pg' | 'embedded';
  /** Provisioned instances, each connected and sending a 5-sample batch every 5 s (0: idle). */
  instances: number;
}

/**
 * Starts the hub as `npm start` does (tsx, no dashboard build) and reports its resident memory
 * over `seconds` once it has settled. With `instances`, they are provisioned before the start and
 * each one connects and sends what a live sidecar sends (1 s samples in 5 s batches) from this
 * process. `rounds` > 1 restarts the same hub: the first start compiles the sources into tsx's
 * cache and creates the schema, the later ones are what an operator's restarted hub holds.
 */
async function hubRss(shape: HubShape, seconds: number, schema: string, rounds: number): Promise<number> {
  let rss = 0;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ds-idle-'));
  try {
    const store = { databaseUrl: shape.backend === 'pg' ? PG_URL : undefined, dbSchema: schema, dataDir };
    const creds = shape.instances ? await provisionInstances(store, shape.instances, 'rss') : [];
    for (let round = 0; round < rounds; round++) {
      const port = await freePort();
      const mqttPort = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'hub/src/server.ts')], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          DATABASE_URL: store.databaseUrl ?? '',
          DS_DB_SCHEMA: schema,
          DS_DATA_DIR: dataDir,
          DS_HTTP_PORT: String(port),
          DS_MQTT_PORT: String(mqttPort),
          DS_DASHBOARD_DIR: path.join(dataDir, 'no-dashboard'),
          DS_LOG_LEVEL: 'warn',
        },
      });
      // The end of stderr says why a hub that exits early did.
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
      });
      const load = new LiveLoad(creds, `mqtt://127.0.0.1:${mqttPort}`);
      try {
        await waitHealthy(port, child, 180_000).catch((e) => {
          throw new Error(`${(e as Error).message}: ${stderr.trim()}`);
        });
        await load.start();
        // Settle: start-up work (migrations check, first alert evaluation, timers, logins) is over.
        await new Promise((r) => setTimeout(r, 10_000));
        const w = watchProcess(child.pid as number, 1000);
        await new Promise((r) => setTimeout(r, seconds * 1000));
        rss = w.stop().rssMeanMb;
      } finally {
        await load.stop();
        await stop(child);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rss;
}

/** Connected instances sending a live fleet's traffic: a 5-sample metrics batch every 5 s each. */
class LiveLoad {
  private readonly subs: LiteSidecar[];
  private timer: NodeJS.Timeout | undefined;

  constructor(creds: InstanceCreds[], url: string) {
    this.subs = creds.map((c) => new LiteSidecar(c, url));
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.subs.length; i += 50)
      await Promise.all(this.subs.slice(i, i + 50).map((s) => s.connect()));
    if (!this.subs.length) return;
    const machines = this.subs.map((s) => new SyntheticMachine(s.creds.id, Date.now()));
    let turn = 0;
    // Spread over the 5 s: a fifth of the fleet sends each second.
    this.timer = setInterval(() => {
      const now = Date.now();
      for (let i = turn % 5; i < this.subs.length; i += 5) {
        const samples = [4, 3, 2, 1, 0].map((k) => machines[i].sample(now - k * 1000));
        void this.subs[i].publishMetrics(samples).catch(() => {});
      }
      turn++;
    }, 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.subs.map((s) => s.close().catch(() => {})));
  }
}

/** An idle bare Node process: the floor every Node service starts from, measured the same way. */
async function bareNodeRss(seconds: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const w = watchProcess(child.pid as number, 1000);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return w.stop().rssMeanMb;
  } finally {
    await stop(child);
  }
}

const SHAPES: { name: string; shape: HubShape; note: string }[] = [
  { name: 'hub.idle_rss_mb', shape: { backend: 'pg', instances: 0 }, note: 'PostgreSQL, no instances' },
  {
    name: 'hub.idle_rss_mb.embedded',
    shape: { backend: 'embedded', instances: 0 },
    note: 'embedded (PGlite in the process), no instances',
  },
  {
    name: 'hub.rss_mb_1000',
    shape: { backend: 'pg', instances: 1000 },
    note: 'PostgreSQL, 1,000 instances connected, each sending 5-sample batches every 5 s',
  },
  {
    name: 'hub.rss_mb_1000.embedded',
    shape: { backend: 'embedded', instances: 1000 },
    note: 'embedded, 1,000 instances connected, each sending 5-sample batches every 5 s',
  },
];

/**
 * `hub.idle_rss_mb` and `hub.rss_mb_1000` (PostgreSQL and embedded): what a hub keeps resident with
 * nothing to do and with a live fleet of 1,000, beside a bare Node process.
 */
export async function hubIdleBenchmark(log: (s: string) => void, seconds = 20): Promise<BenchResult[]> {
  const node = await bareNodeRss(seconds);
  const out: BenchResult[] = [];
  for (const [i, { name, shape, note }] of SHAPES.entries()) {
    const schema = `bench_idle_${process.pid}_${i}`;
    try {
      // The first start of the first hub also fills tsx's cache, and an embedded hub's first start
      // also runs PGlite's initdb, whose memory the process keeps: those hubs are measured restarted,
      // as an operator's hub runs after its first day.
      const mb = await hubRss(shape, seconds, schema, i === 0 || shape.backend === 'embedded' ? 2 : 1);
      log(`  ${name}: ${round(mb, 1)} MB resident (bare node ${round(node, 1)} MB)`);
      out.push({
        name,
        value: round(mb, 1),
        unit: 'MB (mean RSS)',
        baseline: round(node, 1),
        baselineName: 'bare node',
        note: `hub through tsx as npm start runs it, ${note}, ${seconds} s after 10 s of settling`,
      });
    } finally {
      if (shape.backend === 'pg') await dropSchema(schema);
    }
  }
  return out;
}
