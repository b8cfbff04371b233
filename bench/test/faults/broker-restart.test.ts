import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MosquittoProcess } from '../../src/fault/mosquitto.js';
import { HubScenario, settle } from '../../src/fault/scenario.js';
import { type SimInstance, startSimInstance } from '../../src/fault/sim-instance.js';
import { checkSamples, waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';

const hasPg = await pgAvailable();
const hasMosquitto = (() => {
  try {
    execFileSync('which', ['mosquitto'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasPg || !hasMosquitto)('fault: broker restart (external Mosquitto)', () => {
  let s: HubScenario | undefined;
  let inst: SimInstance | undefined;
  let mosq: MosquittoProcess | undefined;
  afterEach(async () => {
    await inst?.stop().catch(() => {});
    await s?.cleanup();
    await mosq?.kill();
  });

  it('hub and sidecar reconnect; nothing lost or doubled; no command runs twice', { timeout: 120_000 }, async () => {
    s = new HubScenario('pg');
    mosq = new MosquittoProcess(s.dir);
    await mosq.start();
    await s.setup(1, { DS_MQTT_URL: mosq.url });
    const c = s.creds[0];
    // the sidecar talks to Mosquitto directly (the proxy in the scenario fronts the hub's own port)
    inst = await startSimInstance({
      hub: mosq.url,
      instanceId: c.id,
      secret: c.secret,
      hubKey: s.hub.info.hubPublicKey,
      stateDir: path.join(s.dir, 'sidecar'),
      sampleIntervalMs: 200,
      batchIntervalMs: 400,
    });
    expect(await waitFor(() => inst!.sidecar.outbox.counters.acked > 3, 30_000)).toBe(true);
    const before = await s.ping(c.id);
    expect(await waitFor(async () => (await s!.commandStatus(before)) === 'succeeded', 20_000)).toBe(true);
    await mosq.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await mosq.start();
    const after = await s.ping(c.id);
    expect(await waitFor(async () => (await s!.commandStatus(after)) === 'succeeded', 60_000)).toBe(true);
    const { required, settled } = await settle(inst, 60_000);
    expect(settled).toBe(true);
    const ran = [...inst.ran];
    await inst.stop();
    inst = undefined;
    const r = await s.withDb((q) => checkSamples(q, c.id, required));
    expect(r.duplicates).toBe(0);
    expect(r.missing).toEqual([]);
    expect(new Set(ran).size).toBe(ran.length);
    expect(ran).toEqual([before, after]);
  });
});
