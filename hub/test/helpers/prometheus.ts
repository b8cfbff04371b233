import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mosquitto.js';
import { until } from './sidecar-proc.js';

/** Whether a command is on the PATH. */
export const haveCommand = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * Debian's `prometheus` package (promtool and the server). Tests that need it skip without it on a
 * developer machine, and run (and fail) without it in CI, where `.ci/run` installs it.
 */
export const havePrometheus = haveCommand('promtool') && haveCommand('prometheus');
export const runPrometheusTests = havePrometheus || process.env.CI === 'true';

/** Runs promtool with `input` on stdin; resolves with its exit code and everything it printed. */
export function promtool(args: string[], input = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => {
      output += d;
    });
    p.stderr.on('data', (d) => {
      output += d;
    });
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, output }));
    p.stdin.end(input);
  });
}

/** A Prometheus server of our own: random port, temp config and storage. */
export interface PrometheusServer {
  url: string;
  /** An instant query; resolves with the result vector (throws on an error answer). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  log(): string;
  stop(): Promise<void>;
}

/** Starts `prometheus` with the given scrape configs (YAML text under `scrape_configs:`). */
export async function startPrometheus(
  scrapeConfigs: string,
  files: Record<string, string> = {},
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'prom-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${scrapeConfigs.replaceAll('{dir}', dir)}\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-20_000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${log}`);
        return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
      },
      90_000,
      'prometheus ready',
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data?.resultType === 'vector' ? (body.data.result ?? []) : [];
    },
    log: () => log,
    stop,
  };
}
