import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, measureNodeExporter } from '../baselines/node-exporter.js';
import { startBenchHub } from '../hub/harness.js';
import { watchProcess } from '../proc-stats.js';
import { type BenchResult, round } from '../results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Bundles the sidecar CLI with the build script the installer uses (`sidecar/scripts/build.mjs`),
 * so the figure is the cost of what a VPS runs and not tsx's on-the-fly TypeScript compiler.
 */
export async function bundleSidecar(): Promise<string> {
  const outdir = path.join(ROOT, 'bench/.cache');
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'sidecar.mjs');
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'sidecar/scripts/build.mjs'), '--outfile', outfile]);
  return outfile;
}

/** The node options of the systemd unit that `install/sidecar/install.sh` writes (its default `NODE_FLAGS`). */
export function installerNodeFlags(): string[] {
  const script = readFileSync(path.join(ROOT, 'install/sidecar/install.sh'), 'utf8');
  const m = /^NODE_FLAGS="([^"]*)"/m.exec(script);
  if (!m) throw new Error('install/sidecar/install.sh: no NODE_FLAGS="…" line');
  return m[1].split(/\s+/).filter(Boolean);
}

/**
 * `sidecar.rss_mb` / `sidecar.cpu_pct`: the real sidecar (bundled, its own process, 1 s sampling,
 * connected to a hub, no OpenClaw on the machine) measured from /proc over `seconds`, while
 * Debian's prometheus-node-exporter runs beside it in the same window, scraped every second.
 */
export async function sidecarBenchmark(log: (s: string) => void, seconds = 60): Promise<BenchResult[]> {
  const bundle = await bundleSidecar();
  const h = await startBenchHub({ mode: 'pg', instances: 2, prefix: 'sc' });
  const state = mkdtempSync(path.join(tmpdir(), 'ds-bench-sidecar-'));
  const closedPort = await freePort();
  const run = (i: number, v8: string[]) => {
    const c = h.creds[i];
    const args = ['--hub', h.hub.mqttUrl, '--instance', c.id, '--secret', c.secret, '--hub-key', h.hub.hubPublicKey];
    args.push(
      '--state-dir',
      path.join(state, String(i)),
      '--openclaw-url',
      `ws://127.0.0.1:${closedPort}`,
      '--log-level',
      'error',
    );
    return spawn(process.execPath, [...v8, bundle, ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
  };
  const child = run(0, []);
  // The same sidecar as the installer's systemd unit starts it (a small V8 young generation and heap cap).
  const TUNED = installerNodeFlags();
  const tuned = run(1, TUNED);
  try {
    await new Promise((r) => setTimeout(r, 5000)); // start-up (module loading, first connect) is not steady state
    if (child.exitCode !== null) throw new Error(`sidecar exited with ${child.exitCode}`);
    const [sc, tu, ne] = await Promise.all([
      (async () => {
        const w = watchProcess(child.pid!, 1000);
        await new Promise((r) => setTimeout(r, seconds * 1000));
        return w.stop();
      })(),
      (async () => {
        const w = watchProcess(tuned.pid!, 1000);
        await new Promise((r) => setTimeout(r, seconds * 1000));
        return w.stop();
      })(),
      measureNodeExporter(seconds * 1000).catch((e: Error) => {
        log(`  node-exporter baseline unavailable: ${e.message}`);
        return null;
      }),
    ]);
    const rows = Number(
      (
        await h.hub.db.query<{ n: string }>('SELECT count(*)::bigint AS n FROM metric_samples WHERE instance_id = $1', [
          h.creds[0].id,
        ])
      )[0].n,
    );
    log(
      `  sidecar: ${round(sc.rssMaxMb, 1)} MB max RSS, ${round(sc.cpuPct, 2)}% CPU; node-exporter: ${ne ? `${round(ne.rssMaxMb, 1)} MB, ${round(ne.cpuPct, 2)}%` : 'n/a'}; ${rows} samples stored`,
    );
    const note = `${seconds} s at 1 s sampling, bundled sidecar, no OpenClaw present; ${rows} samples reached the hub. Baseline: prometheus-node-exporter (cpu, meminfo, loadavg, filesystem, netdev, stat, time collectors) scraped every 1 s in the same window.`;
    return [
      {
        name: 'sidecar.rss_mb',
        value: round(sc.rssMaxMb, 1),
        unit: 'MB (max RSS)',
        baseline: ne ? round(ne.rssMaxMb, 1) : undefined,
        baselineName: 'node-exporter',
        goal: '<= 60',
        note,
      },
      {
        name: 'sidecar.cpu_pct',
        value: round(sc.cpuPct, 3),
        unit: '% of a core',
        baseline: ne ? round(ne.cpuPct, 3) : undefined,
        baselineName: 'node-exporter',
        goal: '<= 0.5',
      },
      {
        name: 'sidecar.rss_mb_v8_flags',
        value: tuned.exitCode === null ? round(tu.rssMaxMb, 1) : null,
        unit: 'MB (max RSS)',
        baseline: ne ? round(ne.rssMaxMb, 1) : undefined,
        baselineName: 'node-exporter',
        note: `the same sidecar started as the installer's systemd unit starts it, node ${TUNED.join(' ')} (CPU ${round(tu.cpuPct, 3)}% of a core)${tuned.exitCode === null ? '' : `; it exited (${tuned.exitCode})`}.`,
      },
    ];
  } finally {
    child.kill('SIGKILL');
    tuned.kill('SIGKILL');
    rmSync(state, { recursive: true, force: true });
    await h.cleanup();
  }
}
