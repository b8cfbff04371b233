import { describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { startSimInstance } from '../../src/fault/sim-instance.js';
import { checkSamples, FAULT, type Query, storedConversations, waitFor } from '../../src/fault/verify.js';
import { api } from '../../src/hub/harness.js';
import { pgAvailable } from '../../src/pg.js';
import { useProxiedHub } from './helpers.js';

const hasPg = await pgAvailable();

describe.skipIf(!hasPg)('fault: network cut between sidecar and hub', () => {
  const env = useProxiedHub('cut', 'cut');

  it(`loses nothing and runs no command twice across a ${FAULT.cutMs / 1000} s cut`, {
    timeout: FAULT.cutMs + 240_000,
  }, async () => {
    const { h, proxy } = env;
    const c = h.creds[0];
    const inst = await startSimInstance({
      ...env.instanceOptions(),
      sampleIntervalMs: 200,
      batchIntervalMs: 500,
    });
    try {
      expect(await waitFor(() => inst.sidecar.outbox.counters.acked > 2, DEADLINE.sidecarOnline)).toBe(true);
      proxy.cut('drop');
      const cmd = await api<{ id: string; status: string }>(h, 'POST', `/instances/${c.id}/commands`, {
        type: 'ping',
        params: {},
        expiresInSec: 600,
      });
      expect(cmd.status).toBe(202);
      await new Promise((r) => setTimeout(r, FAULT.cutMs));
      expect(proxy.stats.droppedBytes).toBeGreaterThan(0);
      proxy.restore();
      const done = await waitFor(
        async () => (await api<{ status: string }>(h, 'GET', `/commands/${cmd.body.id}`)).body.status === 'succeeded',
        60_000,
      );
      expect(done).toBe(true);
      // quiesce: everything produced so far goes out and is acknowledged
      const required = [...inst.produced];
      inst.sidecar.flush();
      const q: Query = h.hub.db.query.bind(h.hub.db);
      await waitFor(async () => (await checkSamples(q, c.id, required, inst.produced)).missing.length === 0, 60_000);
      console.log(
        (await (await fetch(`${h.hub.httpUrl}/metrics`)).text())
          .split('\n')
          .filter((l) => /reject|duplicate|gap|commit_fail/.test(l))
          .join('\n'),
      );
      console.log(
        JSON.stringify(inst.sidecar.stats()),
        JSON.stringify(await checkSamples(q, c.id, required, inst.produced)).slice(0, 600),
      );
      const convIds = inst.gateway.allMessages().map((m) => m.id);
      await inst.stop();
      const r = await checkSamples(q, c.id, required, inst.produced);
      expect(r.duplicates).toBe(0);
      expect(r.missing).toEqual([]);
      expect(r.unknown).toBe(0);
      expect(r.cursors).toHaveLength(1);
      expect(inst.ran).toEqual([cmd.body.id]);
      const conv = await storedConversations(q, c.id);
      expect(conv.duplicates).toBe(0);
      // conversations are checked when the sidecar's conversation collector is present
      if (conv.ids.size > 0) for (const id of convIds) expect(conv.ids.has(id)).toBe(true);
    } finally {
      await inst.stop().catch(() => {});
    }
  });
});
