import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHubKeyPair } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MiniHub, startMiniHub } from './helpers/mini-hub.js';
import { uniqueId } from './helpers/sidecar.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');
const id = uniqueId('kill');
let hub: MiniHub;
const stateDir = mkdtempSync(path.join(tmpdir(), 'ds-kill9-'));
beforeAll(async () => {
  hub = await startMiniHub({ [id]: 'pw' });
});
afterAll(async () => {
  await hub.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Metrics messages of one boot the hub has stored. */
const storedOf = (bootId: string) =>
  hub.stored.filter((m) => m.instanceId === id && m.kind === 'metrics' && m.bootId === bootId).length;
const knownBoots = new Set<string>();

/**
 * Runs the sidecar CLI and sends `signal` once `enough` holds for the boot it announced in its
 * hello (not after a fixed time: on a loaded machine a start-up alone can take seconds).
 */
function runCli(signal: NodeJS.Signals, enough: (bootId: string, sinceHelloMs: number) => boolean): Promise<string> {
  const env = {
    ...process.env,
    DS_HUB: hub.url,
    DS_INSTANCE_ID: id,
    DS_INSTANCE_SECRET: 'pw',
    DS_HUB_PUBLIC_KEY: generateHubKeyPair().publicKey,
    DS_STATE_DIR: stateDir,
    DS_OPENCLAW_URL: 'ws://127.0.0.1:9',
    DS_OPENCLAW_CONFIG: path.join(stateDir, 'no-openclaw.json'),
    DS_OPENCLAW_LOG_DIR: path.join(stateDir, 'no-logs'),
    DS_SAMPLE_INTERVAL_MS: '100',
    DS_BATCH_INTERVAL_MS: '150',
    DS_LOG_LEVEL: 'error',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    let boot: { id: string; at: number } | null = null;
    const started = Date.now();
    const poll = setInterval(() => {
      if (!boot) {
        const hello = hub.presence.find((p) => p.instanceId === id && p.kind === 'hello' && !knownBoots.has(p.bootId));
        if (hello) {
          boot = { id: hello.bootId, at: Date.now() };
          knownBoots.add(hello.bootId);
        }
      }
      if ((boot && enough(boot.id, Date.now() - boot.at)) || Date.now() - started > 45_000) {
        clearInterval(poll);
        child.kill(boot ? signal : 'SIGKILL');
      }
    }, 25);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      if (!boot) reject(new Error(`the sidecar never said hello within 45 s: ${err}`));
      else if (sig === signal || code === 0) resolve(boot.id);
      else reject(new Error(`exit ${code} ${sig}: ${err}`));
    });
  });
}

describe('sidecar process under kill -9', () => {
  it('loses nothing and stores nothing twice across kills, with acks switched off and on', async () => {
    // Killed in the middle of delivering: several batches stored, more on the way.
    await runCli('SIGKILL', (b) => storedOf(b) >= 5);
    hub.acking = false; // the next run's data waits in the outbox
    const unacked = await runCli('SIGKILL', (_b, ms) => ms >= 1500);
    expect(storedOf(unacked)).toBe(0);
    hub.acking = true;
    // The outbox is replayed, then this boot's own data is delivered.
    await runCli('SIGTERM', (b) => storedOf(unacked) >= 5 && storedOf(b) >= 5);
    const boots = new Map<string, number[]>();
    for (const m of hub.stored.filter((m) => m.instanceId === id && m.kind === 'metrics')) {
      boots.set(m.bootId, [...(boots.get(m.bootId) ?? []), m.seq]);
    }
    expect(boots.size).toBe(3);
    for (const seqs of boots.values()) {
      const sorted = [...seqs].sort((a, b) => a - b);
      expect(new Set(sorted).size).toBe(sorted.length);
      // contiguous from 0: nothing lost in the middle [SPEC 3.1]
      expect(sorted[0]).toBe(0);
      expect(sorted[sorted.length - 1]).toBe(sorted.length - 1);
    }
    const presence = hub.presence.filter((p) => p.instanceId === id && p.kind === 'status').map((p) => p.message.state);
    expect(presence[presence.length - 1]).toBe('offline');
  }, 150_000);
});
