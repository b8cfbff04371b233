import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../helpers/fake-alert-receivers.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/sidecar-proc.js';

interface DeliveryView {
  id: string;
  messageId: string;
  status: string;
  attempts: number;
}

/**
 * A retry waiting in the outbox outlives the hub: a new hub on the same database sends it when
 * it is due.
 */
describe('client webhook retries across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hooks-restart-'));
  let first: TestHub | undefined;
  let second: TestHub | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
  afterAll(async () => {
    await first?.stop().catch(() => {});
    await second?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 600_000);

  it('completes a pending retry on the next hub', async () => {
    receiver = await startWebhookReceiver();
    first = await startTestHub({ dataDir, webhooksAllowPrivateTargets: true, alertsEvalSec: 3600 });
    const client = (
      await first.api<{ id: string }>('POST', '/clients', { name: 'Restart', industry: 'x', plan: 'starter' })
    ).body.id;
    const hook = await first.api<{ id: string; secret: string }>('POST', `/clients/${client}/webhooks`, {
      url: `${receiver.url}/later`,
      events: ['ticket.updated'],
    });
    expect(hook.status).toBe(201);
    receiver.setSecret(hook.body.secret);
    receiver.failNext(1, 503);
    const ticket = (await first.api<{ id: string }>('POST', '/tickets', { subject: 's', body: 'b', clientId: client }))
      .body.id;
    await first.api('PATCH', `/tickets/${ticket}`, { priority: 'high' });
    const log = `/clients/${client}/webhooks/${hook.body.id}/deliveries`;
    const hub1 = first;
    const pending = await until(
      async () =>
        (await hub1.api<DeliveryView[]>('GET', log)).body.find((d) => d.attempts === 1 && d.status === 'pending'),
      60_000,
      'first try failed',
    );
    await first.stop();
    first = undefined;

    second = await startTestHub({ dataDir, webhooksAllowPrivateTargets: true, alertsEvalSec: 3600 });
    const hub2 = second;
    const delivered = await receiver.waitFor((r) => r.path === '/later' && r.status === 204, 120_000);
    expect(delivered.headers['webhook-id']).toBe(pending.messageId);
    const after = await until(
      async () => (await hub2.api<DeliveryView[]>('GET', log)).body.find((d) => d.status === 'sent'),
      60_000,
      'sent',
    );
    expect(after).toMatchObject({ id: pending.id, attempts: 2 });
  }, 900_000);
});
