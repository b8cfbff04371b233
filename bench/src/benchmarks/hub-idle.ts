import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../baselines/node-exporter.js';
import { waitFor } from '../fault/verify.js';
import { dropSchema, PG_URL } from '../pg.js';
import { watchProcess } from '../proc-stats.js';
import { type BenchResult, round } from '../results.js';

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

/**
 * Starts the hub as `npm start` does (tsx, no dashboard build) on PostgreSQL with no sidecars, and
 * reports its resident memory over `seconds` once it has settled. Run twice: the first start
 * compiles the sources into tsx's cache and creates the schema, the second is what an operator's
 * restarted hub holds.
 */
async function idleHubRss(seconds: number, schema: string): Promise<number> {
  let rss = 0;
  for (let round = 0; round < 2; round++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ds-idle-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'hub/src/server.ts')], {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        DATABASE_URL: PG_URL,
        DS_DB_SCHEMA: schema,
        DS_DATA_DIR: dataDir,
        DS_HTTP_PORT: String(port),
        DS_MQTT_PORT: String(await freePort()),
        DS_DASHBOARD_DIR: path.join(dataDir, 'no-dashboard'),
        DS_LOG_LEVEL: 'warn',
      },
    });
    try {
      await waitHealthy(port, child, 120_000);
      // Settle: start-up work (migrations check, first alert evaluation, timers) is over.
      await new Promise((r) => setTimeout(r, 10_000));
      const w = watchProcess(child.pid as number, 1000);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      rss = w.stop().rssMeanMb;
    } finally {
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return rss;
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

/** `hub.idle_rss_mb`: what a hub with nothing to do keeps resident, beside a bare Node process. */
export async function hubIdleBenchmark(log: (s: string) => void, seconds = 20): Promise<BenchResult[]> {
  const schema = `bench_idle_${process.pid}`;
  try {
    const hub = await idleHubRss(seconds, schema);
    const node = await bareNodeRss(seconds);
    log(`  idle hub ${round(hub, 1)} MB resident, bare node ${round(node, 1)} MB`);
    return [
      {
        name: 'hub.idle_rss_mb',
        value: round(hub, 1),
        unit: 'MB (mean RSS)',
        baseline: round(node, 1),
        baselineName: 'bare node',
        note: `hub on PostgreSQL through tsx as npm start runs it, no sidecars, ${seconds} s after 10 s of settling (second start)`,
      },
    ];
  } finally {
    await dropSchema(schema);
  }
}
