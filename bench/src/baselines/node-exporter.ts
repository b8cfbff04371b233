import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { type ProcUsage, watchProcess } from '../proc-stats.js';

const BIN_CANDIDATES = ['/usr/bin/prometheus-node-exporter', '/usr/sbin/prometheus-node-exporter'];

/** The collectors that cover what the sidecar samples: cpu, memory, load, disks, network, uptime. */
export const NODE_EXPORTER_COLLECTORS = ['cpu', 'meminfo', 'loadavg', 'filesystem', 'netdev', 'stat', 'time'];

function findBin(): string | undefined {
  return BIN_CANDIDATES.find((p) => existsSync(p));
}

/**
 * Debian's prometheus-node-exporter, installed with apt-get when missing (the bench runs as a
 * user who may; otherwise the baseline is reported as missing with the reason).
 */
export function ensureNodeExporter(): string {
  const have = findBin();
  if (have) return have;
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus-node-exporter'], {
    stdio: 'ignore',
    timeout: 180_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const bin = findBin();
  if (!bin) throw new Error('prometheus-node-exporter is not installed and apt-get could not install it');
  return bin;
}

/** A free TCP port on loopback (the exporter cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

/** A running exporter; `stop()` kills the process it started. */
export interface RunningExporter {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts the exporter as its own process with a minimal collector set on a free port. */
export async function startNodeExporter(): Promise<RunningExporter> {
  const bin = ensureNodeExporter();
  const port = await freePort();
  const args = [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    ...NODE_EXPORTER_COLLECTORS.map((c) => `--collector.${c}`),
  ];
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${port}/metrics`;
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {}
    if (Date.now() > until || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error('prometheus-node-exporter did not answer within 10 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    url,
    stop: () =>
      new Promise<void>((res) => {
        if (proc.exitCode !== null) return res();
        proc.once('exit', () => res());
        proc.kill('SIGTERM');
      }),
  };
}

/**
 * Scrapes the exporter every `intervalMs` (as a Prometheus at 1 s would) for `durationMs`, and
 * measures the exporter's own CPU and RSS from /proc. The scraper's cost is not counted.
 */
export async function measureNodeExporter(
  durationMs: number,
  intervalMs = 1000,
): Promise<ProcUsage & { scrapes: number; bytesPerScrape: number }> {
  const ex = await startNodeExporter();
  let scrapes = 0;
  let bytes = 0;
  try {
    // one warm-up scrape, then measure
    await (await fetch(ex.url)).text();
    const watch = watchProcess(ex.proc.pid!, 1000);
    const until = performance.now() + durationMs;
    while (performance.now() < until) {
      const t0 = performance.now();
      const body = await (await fetch(ex.url)).text();
      scrapes++;
      bytes += body.length;
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - t0))));
    }
    const usage = watch.stop();
    return { ...usage, scrapes, bytesPerScrape: scrapes ? Math.round(bytes / scrapes) : 0 };
  } finally {
    await ex.stop();
  }
}
