import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateHubKeyPair, type HubKeyPair } from '@deepsignal/protocol';
import type { CollectorFactory } from '../../src/collectors/types.js';
import { silentLogger } from '../../src/log.js';
import { type Sidecar, type SidecarOptions, startSidecar } from '../../src/sidecar.js';

/** A collector producing deterministic synthetic samples (no /proc), for delivery tests. */
export const syntheticCollector: CollectorFactory = {
  name: 'synthetic',
  create: () => {
    let n = 0;
    return { name: 'synthetic', sample: () => ({ cpu: ++n % 100, memUsed: 1000 + n, memTotal: 1_000_000 }) };
  },
};

let counter = 0;
/** A unique instance id per test (parallel runs share Mosquitto). */
export const uniqueId = (p = 'inst') => `${p}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export interface TestSidecar {
  sidecar: Sidecar;
  keys: HubKeyPair;
  stateDir: string;
  cleanup(): Promise<void>;
}

/** Starts a sidecar with fast timers and synthetic collectors against `hub`. */
export async function startTestSidecar(
  hub: string,
  instanceId: string,
  secret: string,
  extra: Partial<Record<string, unknown>> = {},
  options: SidecarOptions = {},
  keys: HubKeyPair = generateHubKeyPair(),
  stateDir = mkdtempSync(path.join(tmpdir(), 'ds-sidecar-')),
): Promise<TestSidecar> {
  const sidecar = await startSidecar(
    {
      hub,
      instanceId,
      secret,
      hubKey: keys.publicKey,
      stateDir,
      sampleIntervalMs: 100,
      batchIntervalMs: 200,
      ...extra,
    },
    {
      collectors: [syntheticCollector],
      gateway: null,
      log: silentLogger,
      backoffMs: { min: 100, max: 400 },
      ...options,
    },
  );
  return {
    sidecar,
    keys,
    stateDir,
    async cleanup() {
      await sidecar.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
