import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../baselines/node-exporter.js';

/**
 * A private Mosquitto for broker-restart tests: its own process on a free loopback port,
 * anonymous, no persistence (a restart forgets every session and queued message, the worst case).
 */
export class MosquittoProcess {
  proc?: ChildProcess;
  port = 0;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const conf = path.join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      `listener ${this.port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n`,
    );
    this.proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'ignore'] });
    const until = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((res) => {
        const s = net.connect(this.port, '127.0.0.1', () => {
          s.destroy();
          res(true);
        });
        s.on('error', () => res(false));
      });
      if (ok) return;
      if (Date.now() > until || this.proc.exitCode !== null) throw new Error(`mosquitto did not start on ${this.port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGKILL');
    });
  }
}
