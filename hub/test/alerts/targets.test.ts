import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../helpers/fake-alert-receivers.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * Without DS_ALERTS_ALLOW_PRIVATE_TARGETS, webhook and Slack channels only call public https
 * URLs: refused when saved (400), and refused again at delivery when a stored URL points inward.
 */
describe('alert channel targets', () => {
  let hub: TestHub;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    hub = await startTestHub({ alertsEvalSec: 3600, alertsRetrySec: 0 });
  });
  afterAll(async () => {
    await hub?.close();
    await hook?.close();
  });

  const create = (type: string, url: string) =>
    hub.api<{ error: { code: string; message: string } }>('POST', '/notification-channels', {
      type,
      name: `${type} ${url}`,
      config: { url },
    });

  it('refuses http and inward addresses when a channel is created or changed, with the reason', async () => {
    const refused: [string, string, RegExp][] = [
      ['webhook', `${hook.url}/a`, /http: URLs are refused: use https/],
      ['webhook', 'https://127.0.0.1:8443/a', /127\.0\.0\.1 is a loopback address/],
      ['webhook', 'https://localhost/a', /localhost resolves to .*, a loopback address/],
      ['slack', 'https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
      ['slack', 'https://10.0.0.8/services/T/B/X', /10\.0\.0\.8 is a private \(RFC 1918\) address/],
      ['webhook', 'https://100.64.1.1/a', /carrier-grade NAT/],
      ['webhook', 'https://[fd00::1]/a', /unique-local/],
      ['webhook', 'https://0.0.0.0/a', /unspecified/],
      ['webhook', 'https://224.0.0.1/a', /multicast/],
    ];
    for (const [type, url, why] of refused) {
      const r = await create(type, url);
      expect([url, r.status]).toEqual([url, 400]);
      expect(r.body.error.code).toBe('HUB_ERR_VALIDATION');
      expect(r.body.error.message).toMatch(/^config\.url: /);
      expect(r.body.error.message).toMatch(why);
    }
    // A public https URL is accepted (nothing is sent on create); moving it inward is refused.
    const ok = await hub.api<{ id: string }>('POST', '/notification-channels', {
      type: 'webhook',
      name: 'public',
      config: { url: 'https://93.184.216.34/hooks/alerts' },
    });
    expect(ok.status).toBe(201);
    const moved = await hub.api<{ error: { message: string } }>('PATCH', `/notification-channels/${ok.body.id}`, {
      config: { url: 'https://192.168.1.20/hooks' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toMatch(/192\.168\.1\.20 is a private \(RFC 1918\) address/);
    expect((await hub.db.query('SELECT count(*)::int AS n FROM notification_channels')).at(0)?.n).toBe(1);
  });

  it('refuses at delivery a stored URL that points inward, without calling it and without retrying', async () => {
    // As if saved when the hub allowed private targets (or by a name that has moved since).
    await hub.db.query(
      `INSERT INTO notification_channels (id, type, name, config, created_by)
       VALUES ('nch-inward', 'webhook', 'inward', $1::jsonb, 'test')`,
      [JSON.stringify({ url: `${hook.url.replace('http:', 'https:')}/a`, secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' })],
    );
    await hub.ctx.alerts.reloadChannels();
    const r = await hub.api<{ status: string; lastError: string; attempts: number }>(
      'POST',
      '/notification-channels/nch-inward/test',
    );
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('failed');
    expect(r.body.lastError).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    expect(hook.received).toHaveLength(0);
  });
});
