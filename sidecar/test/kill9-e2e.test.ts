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

function runCli(ms: number, signal: NodeJS.Signals): Promise<void> {
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
    setTimeout(() => child.kill(signal), ms);
    child.on('exit', (code, sig) =>
      sig === signal || code === 0 ? resolve() : reject(new Error(`exit ${code} ${sig}: ${err}`)),
    );
  });
}

describe('sidecar process under kill -9', () => {
  it('loses nothing and stores nothing twice across kills, with acks switched off and on', async () => {
    await runCli(2500, 'SIGKILL');
    hub.acking = false; // the next run's data waits in the outbox
    await runCli(2000, 'SIGKILL');
    hub.acking = true;
    await runCli(4000, 'SIGTERM');
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
  }, 60_000);
});
