import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MiniHub, startMiniHub } from './helpers/mini-hub.js';
import { startTestSidecar, uniqueId } from './helpers/sidecar.js';

/**
 * A warm-pool server's sidecar is refused until a deploy makes its instance: with
 * `firstConnectRetryMaxMs` it keeps trying every few seconds (the normal backoff would be at
 * 16-32 s by the sixth try) and logs in moments after its credentials exist.
 */
describe('first login retry cap', () => {
  const id = uniqueId();
  const creds: Record<string, string> = { someone_else: 'x' };
  let attempts = 0;
  const counted = new Proxy(creds, {
    get(t, k) {
      if (k === id) attempts++;
      return Reflect.get(t, k);
    },
  });
  let hub: MiniHub;
  beforeAll(async () => {
    hub = await startMiniHub(counted);
  });
  afterAll(async () => {
    await hub.close();
  });

  it('retries the refused first login at the cap, then connects soon after it is allowed', async () => {
    const t = await startTestSidecar(
      hub.url,
      id,
      'pool-secret',
      { firstConnectRetryMaxMs: 1500 },
      {
        backoffMs: { min: 1000, max: 60_000 },
      },
    );
    try {
      await hub.waitFor(() => attempts >= 6, 12_000);
      expect(t.sidecar.link.connected).toBe(false);
      creds[id] = 'pool-secret';
      const allowedAt = Date.now();
      await hub.waitFor(() => t.sidecar.link.connected, 5000);
      expect(Date.now() - allowedAt).toBeLessThan(2000);
    } finally {
      await t.cleanup();
    }
  }, 30_000);
});
