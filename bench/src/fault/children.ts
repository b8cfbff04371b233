import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArgv } from '../../../scripts/test/processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A child process started with `node --import tsx <entry>` (or, in a test run, its bundle) that
 * printed a JSON line when ready.
 */
export interface Child<T> {
  proc: ChildProcess;
  info: T;
  /** SIGKILL, then wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after `ms`. */
  stop(ms?: number): Promise<void>;
}

const exited = (p: ChildProcess) =>
  new Promise<void>((res) => (p.exitCode !== null || p.signalCode !== null ? res() : p.once('exit', () => res())));

/** Starts `entry` (path from the repo root) and waits for its first JSON line on stdout. */
export async function startChild<T>(
  entry: string,
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<Child<T>> {
  const proc = spawn(process.execPath, entryArgv(entry), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => {
    err = (err + d.toString()).slice(-4000);
  });
  const info = await new Promise<T>((res, rej) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`${entry} not ready within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(t);
      try {
        res(JSON.parse(buf.slice(0, nl)) as T);
      } catch {
        rej(new Error(`${entry} printed ${buf.slice(0, 200)}`));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`${entry} exited with ${code}: ${err}`));
    });
  });
  proc.stdout!.resume();
  // A child that dies on its own is a finding: say so with its last words, so one failed run
  // shows why a later request to it could not connect.
  let stopping = false;
  proc.once('exit', (code, signal) => {
    if (!stopping) console.error(`${entry} exited unexpectedly (${code ?? signal}); its stderr ended with:\n${err}`);
  });
  return {
    proc,
    info,
    async kill9() {
      stopping = true;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async stop(ms = 10_000) {
      stopping = true;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), ms);
      await exited(proc);
      clearTimeout(t);
    },
  };
}
