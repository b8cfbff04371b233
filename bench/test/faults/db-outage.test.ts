import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubScenario, settle } from '../../src/fault/scenario.js';
import { type SimInstance, startSimInstance } from '../../src/fault/sim-instance.js';
import { TcpFaultProxy } from '../../src/fault/tcp-proxy.js';
import { checkSamples, FAULT, waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';

const hasPg = await pgAvailable();

describe.skipIf(!hasPg)('fault: the database unavailable', () => {
  let s: HubScenario | undefined;
  let inst: SimInstance | undefined;
  let dbProxy: TcpFaultProxy | undefined;
  afterEach(async () => {
    await inst?.stop().catch(() => {});
    await s?.cleanup();
    await dbProxy?.close();
  });

  it(`acks nothing while PostgreSQL is away for ${FAULT.dbOutageMs / 1000} s, then stores everything once`, {
    timeout: FAULT.dbOutageMs + 120_000,
  }, async () => {
    dbProxy = new TcpFaultProxy({ host: '127.0.0.1', port: 5432 });
    await dbProxy.start();
    s = new HubScenario('pg');
    s.store.databaseUrl = `postgres://postgres@127.0.0.1:${dbProxy.port}/test`;
    await s.setup();
    const c = s.creds[0];
    inst = await startSimInstance({
      hub: s.proxy.url(),
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

    dbProxy.cut('reset');
    await new Promise((r) => setTimeout(r, 300));
    const ackedAtCut = inst.sidecar.outbox.counters.acked;
    await new Promise((r) => setTimeout(r, FAULT.dbOutageMs));
    // [SPEC 4.2] nothing is acknowledged while the database cannot commit (a batch already
    // committed when the cut came may still be acked, hence the small allowance)
    expect(inst.sidecar.outbox.counters.acked - ackedAtCut).toBeLessThanOrEqual(2);
    const health = await fetch(`${s.hub.info.httpUrl}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    expect(health).not.toBe(0); // the hub process is still up and answering
    dbProxy.restore();

    const after = await s.ping(c.id).catch(async () => {
      await new Promise((r) => setTimeout(r, 2000));
      return s!.ping(c.id);
    });
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
