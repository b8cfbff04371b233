import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileThisProcess } from '../cpu-profile.js';
import { watchCpuShares } from '../cpu-shares.js';
import { startBenchHub } from '../hub/harness.js';
import { request } from '../ipc.js';
import { percentile } from '../load/lite-sidecar.js';
import type { BenchResult } from '../results.js';

const SIM = path.join(path.dirname(fileURLToPath(import.meta.url)), '../sim');
const WORKER = path.join(SIM, 'fleet-worker.ts');
const BROWSER = path.join(SIM, 'browser-probe.ts');
const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../results');
/**
 * Simulator processes by default: one. On 2 cores, three of them (2026-12-04) took 80 % of the
 * machine at 4,000 instances and starved the hub and PostgreSQL; one is held to a core.
 * DS_BENCH_FLEET_WORKERS sets another number.
 */
const DEFAULT_WORKERS = Number(process.env.DS_BENCH_FLEET_WORKERS) || 1;

/** What the worker reports at the end of a step's window. */
interface WorkerReport {
  commitMs: number[];
  earlierMs: number[];
  commitP99: number;
  commitP50: number;
  commits: number;
  publishes: [string, number][];
  earlierP99: number;
  earlier: number;
  connected: number;
  held: number;
}

/** A step: the worker's figures plus publish→browser, joined with the browser probe's frames. */
type StepReport = Omit<WorkerReport, 'publishes' | 'commitMs' | 'earlierMs'> & {
  browserP99: number;
  browserP50: number;
  frames: number;
  published: number;
};

function joinFrames(w: WorkerReport, frames: [string, number][]): StepReport {
  const received = new Map(frames);
  const browserMs: number[] = [];
  for (const [key, at] of w.publishes) {
    const got = received.get(key);
    if (got !== undefined) browserMs.push(got - at);
  }
  const { publishes, commitMs, earlierMs, ...rest } = w;
  return {
    ...rest,
    browserP99: percentile(browserMs, 99),
    browserP50: percentile(browserMs, 50),
    frames: browserMs.length,
    published: publishes.length,
  };
}

/** The workers' reports as one: percentiles over every worker's latencies. */
function mergeReports(rs: WorkerReport[]): WorkerReport {
  const commitMs = rs.flatMap((r) => r.commitMs);
  const earlierMs = rs.flatMap((r) => r.earlierMs);
  const sum = (k: 'connected' | 'held') => rs.reduce((a, r) => a + r[k], 0);
  return {
    commitMs,
    earlierMs,
    commitP99: percentile(commitMs, 99),
    commitP50: percentile(commitMs, 50),
    commits: commitMs.length,
    publishes: rs.flatMap((r) => r.publishes),
    earlierP99: percentile(earlierMs, 99),
    earlier: earlierMs.length,
    connected: sum('connected'),
    held: sum('held'),
  };
}

/** How many of the first `n` instances worker `w` of `workers` holds (instance i goes to i % workers). */
const shareOf = (n: number, w: number, workers: number) => Math.max(0, Math.ceil((n - w) / workers));

/**
 * `fleet.max_instances`: one hub (PostgreSQL) and child processes of simulated instances (real
 * sidecar code, 1 s sampling, 5 s batches). N steps up; at
 * each step, after the new instances settle, latencies of the batches published in the next
 * `measureSec` are measured (acks that arrive then for batches published while instances were
 * still connecting are reported apart), with each process's share of the CPU; the largest N with
 * p99 publish→committed < 2 s and p99 publish→browser < 500 ms (and every instance connected, and
 * at least 95% of the published batches seen by the browser as a frame) is the figure; a step that
 * misses gets one more window (the queue growth left behind), and fails if that misses too.
 * Stops at the first failing step or when `budgetSec` is spent. The hub is profiled over one more
 * window at the step that failed (or the last step): the log says what its event loop did.
 */
export async function fleetBenchmark(
  log: (s: string) => void,
  opts: { steps?: number[]; measureSec?: number; budgetSec?: number; workers?: number } = {},
): Promise<BenchResult[]> {
  const steps = opts.steps ?? [250, 1000, 2000, 4000, 6000, 8000, 10000];
  const max = steps[steps.length - 1];
  const workers = opts.workers ?? DEFAULT_WORKERS;
  const deadline = Date.now() + (opts.budgetSec ?? 300) * 1000;
  const h = await startBenchHub({ mode: 'pg', instances: max, prefix: 'fl' });
  // thousands of credentials are too big for the environment (E2BIG): hand them over in a file
  const tmp = mkdtempSync(path.join(tmpdir(), 'ds-fleet-'));
  const children = Array.from({ length: workers }, (_, w) => {
    const settingsFile = path.join(tmp, `worker-${w}.json`);
    writeFileSync(
      settingsFile,
      JSON.stringify({
        hub: h.hub.mqttUrl,
        hubKey: h.hub.hubPublicKey,
        httpUrl: h.hub.httpUrl,
        token: h.token,
        creds: h.creds.filter((_, i) => i % workers === w),
        rampPerSec: Math.ceil(250 / workers),
      }),
      { mode: 0o600 },
    );
    return fork(WORKER, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
      env: { ...process.env, DS_FLEET_WORKER_FILE: settingsFile },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  });
  const all = <T>(msg: (w: number) => unknown, key: string, timeoutMs: number) =>
    Promise.all(children.map((c, w) => request<T>(c, msg(w), key, timeoutMs)));
  // The browser: its own process, as a real one is on another machine (browser-probe.ts).
  const browser = fork(BROWSER, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DS_PROBE_URL: h.hub.httpUrl, DS_PROBE_TOKEN: h.token },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const browserReady = new Promise((r) => browser.once('message', r));
  const shares = () =>
    watchCpuShares({
      pids: { hub: [process.pid], simulator: children.map((c) => c.pid ?? 0), browser: [browser.pid ?? 0] },
      commands: { postgres: 'postgres' },
    });
  const fmtShares = (c: Record<string, number>) =>
    `cpu % of a core: hub ${c.hub}, simulator ${c.simulator} (${workers} processes), browser ${c.browser}, PostgreSQL ${c.postgres}; machine ${c.machine} of 200`;
  const curve: string[] = [];

  /** One window at the current size: the workers' latencies joined with the browser's frames. */
  const measure = async () => {
    await request(browser, { measure: 'start' }, 'probing', 60_000);
    await all(() => ({ measure: 'start' }), 'measuring', 60_000);
    const cpu = shares();
    await new Promise((r) => setTimeout(r, (opts.measureSec ?? 15) * 1000));
    const w = mergeReports(await all<WorkerReport>(() => ({ measure: 'stop' }), 'commitP99', 60_000));
    const used = cpu.stop();
    // Frames still on their way get a moment (a late frame counts with its full latency).
    await new Promise((r) => setTimeout(r, 1000));
    const seen = await request<{ frames: [string, number][] }>(browser, { measure: 'stop' }, 'frames', 30_000);
    return { rep: joinFrames(w, seen.frames), used };
  };

  let best = 0;
  let last: (StepReport & { n: number }) | null = null;
  let why = '';
  try {
    await all(() => ({}), 'ready', 30_000).catch(() => {});
    await Promise.race([browserReady, new Promise((r) => setTimeout(r, 30_000))]);
    for (const n of steps) {
      if (Date.now() > deadline) {
        why = `time budget spent before ${n}`;
        break;
      }
      await all((w) => ({ grow: shareOf(n, w, workers) }), 'grown', 180_000);
      // Let the new instances settle: at least 8 s, then until what their outboxes hold while
      // connecting is delivered (at most 40 s), so the window measures the steady state.
      const settleStart = Date.now();
      await new Promise((r) => setTimeout(r, 8000));
      while (Date.now() - settleStart < 40_000) {
        const held = await all<{ heldNow: number }>(() => ({ held: true }), 'heldNow', 60_000);
        if (held.reduce((a, x) => a + x.heldNow, 0) <= Math.max(5, n * 0.02)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      // A live view that misses frames is not live: nearly every batch must reach the browser.
      const passes = (r: StepReport) =>
        r.commitP99 < 2000 &&
        r.browserP99 < 500 &&
        r.connected >= n &&
        r.commits > 0 &&
        (r.published ? r.frames / r.published : 0) >= 0.95;
      const logStep = (r: StepReport, used: Record<string, number>, label: string) =>
        log(
          `  fleet ${n}${label}: commit p50/p99 ${Math.round(r.commitP50)}/${Math.round(r.commitP99)} ms, browser p50/p99 ${Math.round(r.browserP50)}/${Math.round(r.browserP99)} ms, frames ${r.frames}/${r.published} batches, connected ${r.connected}, held ${r.held}; ${r.earlier} acks in the window for batches published while connecting, p99 ${Math.round(r.earlierP99 || 0)} ms; ${fmtShares(used)}`,
        );
      let { rep, used } = await measure();
      logStep(rep, used, '');
      if (!passes(rep)) {
        // Growing by thousands leaves a queue behind (logins, replayed outboxes, the new rows'
        // first commits) that a settled fleet does not have: the step gets a second window, and
        // fails only if that one fails too. Both are logged.
        ({ rep, used } = await measure());
        logStep(rep, used, ', second window');
      }
      curve.push(
        `${n}: ${Math.round(rep.commitP99)}/${Math.round(rep.browserP99)} ms (hub ${used.hub}%, sim ${used.simulator}%, pg ${used.postgres}%)`,
      );
      last = { ...rep, n };
      const ok = passes(rep);
      if (!ok) {
        why = `at ${n}: commit p99 ${Math.round(rep.commitP99)} ms, browser p99 ${Math.round(rep.browserP99)} ms, frames ${Math.round((rep.frames / (rep.published || 1)) * 1000) / 10}% of batches, connected ${rep.connected}/${n}`;
      } else best = n;
      if (!ok || n === max) {
        // What the hub's event loop does at this size: one more window, profiled.
        const prof = await profileThisProcess();
        const again = await measure();
        const file = path.join(RESULTS, `fleet-${n}.cpuprofile`);
        const { areas, functions } = await prof.stop(file);
        logStep(again.rep, again.used, ', profiled window');
        log(
          `  hub self time at ${n} (${path.relative(process.cwd(), file)}): ${areas.map((t) => `${t.what} ${t.pct}%`).join(', ')}; functions: ${functions.map((t) => `${t.what} ${t.pct}%`).join(', ')}`,
        );
      }
      if (!ok) break;
    }
  } finally {
    await all(() => ({ exit: true }), 'never', 60_000).catch(() => {});
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (browser.connected) browser.send({ exit: true });
    setTimeout(() => browser.exitCode === null && browser.kill('SIGKILL'), 5000).unref();
    await h.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
  return [
    {
      name: 'fleet.max_instances',
      value: best,
      unit: 'instances',
      goal: '>= 5000',
      note: `steps ${steps.join(', ')}; ${why ? `stopped ${why}` : 'every step passed'}${last ? `; last step p99 commit ${Math.round(last.commitP99)} ms, browser ${Math.round(last.browserP99)} ms, and p99 ${Math.round(last.earlierP99 || 0)} ms for ${last.earlier} batches published while instances were connecting` : ''}. Curve (p99 commit/browser, cpu % of a core): ${curve.join('; ')}. Simulator (${workers} processes), browser probe, hub and PostgreSQL share the 2 cores.`,
    },
  ];
}
