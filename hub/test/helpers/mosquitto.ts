import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const haveMosquitto = existsSync(MOSQUITTO);

/** A free TCP port on loopback (mosquitto cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A private mosquitto process on a free port with the given extra config lines. */
export async function startMosquitto(lines: string[]): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mosq-test-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // Run as root here it would switch to the mosquitto user, which cannot read the 0600 files.
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'user root', ...lines, ''].join('\n'),
  );
  const proc: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`mosquitto did not start:\n${log}`)), 10_000);
    proc.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (/Opening ipv[46] listen socket/.test(log)) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`mosquitto exited ${code}:\n${log}`));
    });
  });
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
