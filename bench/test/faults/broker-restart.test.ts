import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { MosquittoProcess } from '../../src/fault/mosquitto.js';
import { HubScenario } from '../../src/fault/scenario.js';
import type { SimInstance } from '../../src/fault/sim-instance.js';
import { waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';
import { commandSucceeds, expectDeliveredOnce, settleAndStop, startScenarioInstance } from './helpers.js';

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

  it('hub and sidecar reconnect; nothing lost or doubled; no command runs twice', { timeout: 240_000 }, async () => {
    s = new HubScenario('pg');
    mosq = new MosquittoProcess(s.dir);
    await mosq.start();
    await s.setup(1, { DS_MQTT_URL: mosq.url });
    const c = s.creds[0];
    // the sidecar talks to Mosquitto directly (the proxy in the scenario fronts the hub's own port)
    inst = await startScenarioInstance(s, mosq.url);
    expect(await waitFor(() => inst!.sidecar.outbox.counters.acked > 3, DEADLINE.sidecarOnline)).toBe(true);
    const before = await s.ping(c.id);
    expect(await commandSucceeds(s, before, DEADLINE.command)).toBe(true);
    await mosq.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await mosq.start();
    const after = await s.ping(c.id);
    expect(await commandSucceeds(s, after, DEADLINE.command)).toBe(true);
    const { required, ran } = await settleAndStop(inst);
    inst = undefined;
    await expectDeliveredOnce(s, c.id, required, ran);
    expect(ran).toEqual([before, after]);
  });
});
