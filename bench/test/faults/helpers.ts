import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { type HubScenario, settle } from '../../src/fault/scenario.js';
import { type SimInstance, type SimInstanceOptions, startSimInstance } from '../../src/fault/sim-instance.js';
import { TcpFaultProxy } from '../../src/fault/tcp-proxy.js';
import { checkSamples, waitFor } from '../../src/fault/verify.js';
import { type BenchHub, startBenchHub } from '../../src/hub/harness.js';

/** An in-process hub with one instance, reached through a fault proxy, and a sidecar state dir. */
export interface ProxiedHub {
  h: BenchHub;
  proxy: TcpFaultProxy;
  dir: string;
  /** Settings for a sidecar of the hub's first instance that talks to the hub through the proxy. */
  instanceOptions(): Pick<SimInstanceOptions, 'hub' | 'instanceId' | 'secret' | 'hubKey' | 'stateDir'>;
}

/**
 * Starts a PostgreSQL-backed bench hub with one instance behind a `TcpFaultProxy` before the
 * suite's tests and tears everything down after them. The fields are set once `beforeAll` ran.
 */
export function useProxiedHub(prefix: string, dirName: string): ProxiedHub {
  let h: BenchHub | undefined;
  let proxy: TcpFaultProxy | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    h = await startBenchHub({ mode: 'pg', instances: 1, prefix });
    const u = new URL(h.hub.mqttUrl);
    proxy = new TcpFaultProxy({ host: u.hostname, port: Number(u.port) });
    await proxy.start();
    dir = mkdtempSync(path.join(tmpdir(), `ds-fault-${dirName}-`));
  });
  afterAll(async () => {
    await proxy?.close();
    await h?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useProxiedHub: used before beforeAll ran');
    return v;
  };
  return {
    get h() {
      return started(h);
    },
    get proxy() {
      return started(proxy);
    },
    get dir() {
      return started(dir);
    },
    instanceOptions() {
      const c = this.h.creds[0];
      return {
        hub: this.proxy.url(),
        instanceId: c.id,
        secret: c.secret,
        hubKey: this.h.hub.hubPublicKey,
        stateDir: this.dir,
      };
    },
  };
}

/** A sidecar of the scenario's first instance sending to `hub` (by default the scenario's proxy). */
export function startScenarioInstance(s: HubScenario, hub = s.proxy.url()): Promise<SimInstance> {
  const c = s.creds[0];
  return startSimInstance({
    hub,
    instanceId: c.id,
    secret: c.secret,
    hubKey: s.hub.info.hubPublicKey,
    stateDir: path.join(s.dir, 'sidecar'),
    sampleIntervalMs: 200,
    batchIntervalMs: 400,
  });
}

/** Whether the command reached `succeeded` within `timeoutMs`. */
export function commandSucceeds(s: HubScenario, id: string, timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await s.commandStatus(id)) === 'succeeded', timeoutMs);
}

/**
 * Lets the instance deliver everything it produced (asserting that it did), then stops it.
 * Returns the samples it had to deliver, the commands it ran and its conversation message ids.
 */
export async function settleAndStop(
  inst: SimInstance,
  /** The conversation message ids the hub holds: when given, every message the agent had is waited for. */
  storedConversationIds?: () => Promise<Set<string>>,
): Promise<{ required: number[]; ran: string[]; convIds: string[] }> {
  const { required, settled } = await settle(inst, DEADLINE.command);
  expect(settled).toBe(true);
  const convIds = inst.gateway.allMessages().map((m) => m.id);
  if (storedConversationIds) {
    // The collector reads the gateway's history on its own schedule: wait for it, not for a time.
    const all = await waitFor(async () => {
      const stored = await storedConversationIds();
      return convIds.every((id) => stored.has(id));
    }, DEADLINE.command);
    expect(all, 'every conversation message the agent had reached the hub').toBe(true);
  }
  const ran = [...inst.ran];
  await inst.stop();
  return { required, ran, convIds };
}

/** Every required sample is stored exactly once and no command ran twice. */
export async function expectDeliveredOnce(
  s: HubScenario,
  instanceId: string,
  required: number[],
  ran: string[],
): Promise<void> {
  const r = await s.withDb((q) => checkSamples(q, instanceId, required));
  expect(r.duplicates).toBe(0);
  expect(r.missing).toEqual([]);
  expect(new Set(ran).size).toBe(ran.length);
}
