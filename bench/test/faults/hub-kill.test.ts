import { afterEach, describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { HubScenario } from '../../src/fault/scenario.js';
import type { SimInstance } from '../../src/fault/sim-instance.js';
import { storedConversations, waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';
import { commandSucceeds, expectDeliveredOnce, settleAndStop, startScenarioInstance } from './helpers.js';

const hasPg = await pgAvailable();

/**
 * kill -9 of the hub during ingest, then a restart on the same data: every sample the sidecar
 * produced before settling is stored exactly once, conversations are whole, no command ran twice.
 */
describe.each([
  { mode: 'embedded' as const, skip: false },
  { mode: 'pg' as const, skip: !hasPg },
])('fault: kill -9 of the hub ($mode)', ({ mode, skip }) => {
  let s: HubScenario | undefined;
  let inst: SimInstance | undefined;
  afterEach(async () => {
    await inst?.stop().catch(() => {});
    await s?.cleanup();
  });

  it.skipIf(skip)('restarts and loses nothing', { timeout: 300_000 }, async () => {
    s = new HubScenario(mode);
    await s.setup();
    const c = s.creds[0];
    inst = await startScenarioInstance(s);
    expect(await waitFor(() => inst!.sidecar.outbox.counters.acked > 3, DEADLINE.sidecarOnline)).toBe(true);
    const before = await s.ping(c.id);
    expect(await commandSucceeds(s, before, DEADLINE.command)).toBe(true);
    // Kill mid-ingest: at a moment when the sidecar has published messages the hub has not acked.
    const outbox = inst.sidecar.outbox;
    const unacked = () => [...outbox.entries()].filter((e) => e.state > 0).length;
    expect(await waitFor(() => unacked() > 0, 20_000)).toBe(true);
    const inFlight = unacked();
    await s.hub.kill9();
    expect(inFlight).toBeGreaterThan(0);
    // The sidecar keeps sampling into its outbox while the hub is down.
    const appended = outbox.counters.appended;
    expect(await waitFor(() => outbox.counters.appended >= appended + 2, 20_000)).toBe(true);
    await s.startHub();
    const after = await s.ping(c.id);
    expect(await commandSucceeds(s, after, DEADLINE.command)).toBe(true);
    expect(await s.commandStatus(before)).toBe('succeeded');
    const scenario = s;
    const { required, ran, convIds } = await settleAndStop(inst, () => scenario.conversationIds(c.id));
    inst = undefined;
    // Read through the API while the hub runs (the embedded database belongs to the hub process).
    const conv = await scenario.conversationIds(c.id);
    expect(convIds.length).toBeGreaterThan(0);
    for (const id of convIds) expect(conv.has(id)).toBe(true);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const logs = await scenario.api<unknown[]>(
      'GET',
      `/instances/${c.id}/logs?from=${from}&to=${new Date().toISOString()}`,
    );
    expect(logs.status).toBe(200);
    expect(logs.body.length).toBeGreaterThan(0);
    await s.hub.stop();
    await expectDeliveredOnce(s, c.id, required, ran);
    expect(ran).toEqual(expect.arrayContaining([before, after]));
    const stored = await s.withDb((q) => storedConversations(q, c.id));
    expect(stored.duplicates).toBe(0);
  });
});
