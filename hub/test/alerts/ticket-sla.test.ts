import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant, type Tenant } from '../security/tenants.js';
import { alertsOf, cycle } from './helpers.js';

const PUBLIC = 'https://hub.example.test';
const at = (iso: string) => Date.parse(iso);

/**
 * The built-in `ticket_sla_breached` rule over real tickets: the tickets' clock and the alert
 * engine's clock are both fake, so business hours (UTC 9-17, Monday to Friday; the growth plan
 * answers in 4 h and resolves in 16 h) pass in steps.
 */
describe('a support ticket past its SLA raises an alert', () => {
  let hub: TestHub;
  let a: Tenant;
  let support: string;
  let ticketNow = at('2026-11-30T09:00:00Z'); // a Monday, 09:00
  let alertNow = ticketNow;

  beforeAll(async () => {
    hub = await startTestHub({ alertsEvalSec: 3600, publicUrl: PUBLIC });
    hub.ctx.tickets.now = () => new Date(ticketNow);
    hub.ctx.alerts.now = () => alertNow;
    a = await makeTenant(hub, 'slaalert');
    await hub.api('POST', '/users', { email: 'sla-alert@ops.test', password: 'password-123', role: 'support' });
    support = await login(hub, 'sla-alert@ops.test');
  });
  afterAll(async () => hub?.close());

  const open = async (subject: string) => {
    const r = await hub.api<{ id: string }>('POST', '/tickets', { subject, body: 'Please help.' }, a.owner);
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const evaluateAt = async (iso: string) => {
    alertNow = at(iso);
    await cycle(hub);
  };
  const alertOf = async (ticket: string) =>
    (await alertsOf(hub, '?ruleId=ticket_sla_breached')).find(
      (x) => (x as unknown as { labels: Record<string, string> }).labels.ticket === ticket,
    ) as
      | (Awaited<ReturnType<typeof alertsOf>>[number] & {
          labels: Record<string, string>;
          annotations: Record<string, string>;
          clientId: string | null;
        })
      | undefined;
  const history = async (ticket: string) =>
    (
      await hub.db.query<{ to_state: string }>(
        `SELECT h.to_state FROM alert_history h JOIN alert_instances i ON i.id = h.alert_id
         WHERE i.labels->>'ticket' = $1 ORDER BY h.t, h.id`,
        [ticket],
      )
    ).map((r) => r.to_state);

  it('fires once when the first response is late, with client and ticket labels and a link, and resolves on the answer', async () => {
    const id = await open('Nobody answers');
    await evaluateAt('2026-11-30T12:00:00Z'); // 3 business hours: within the 4 h target
    expect(await alertOf(id)).toBeUndefined();
    await evaluateAt('2026-11-30T17:30:00Z'); // 8 business hours
    const fired = await alertOf(id);
    expect(fired).toMatchObject({ state: 'firing', clientId: a.client, labels: { client: a.client, ticket: id } });
    expect(fired?.annotations.summary).toContain('Nobody answers');
    expect(fired?.annotations.summary).toContain('first-response');
    expect(fired?.annotations.summary).toContain('slaalert'); // the client's name
    expect(fired?.annotations.link).toBe(`${PUBLIC}/support/?ticket=${id}`);
    const alert = hub.ctx.alerts.engine.alerts.get(fired?.id as string);
    expect(alert && hub.ctx.alerts.notifier.link(alert)).toBe(`${PUBLIC}/support/?ticket=${id}`);

    // Evaluated again (the next morning, still unanswered): the same alert, not a second one.
    await evaluateAt('2026-12-01T10:00:00Z');
    expect((await alertsOf(hub, '?ruleId=ticket_sla_breached')).filter((x) => x.state === 'firing')).toHaveLength(1);
    expect(await history(id)).toEqual(['pending', 'firing']);

    // The operator answers: the first-response clock stops; 9 of 16 resolution hours used.
    ticketNow = at('2026-12-01T10:05:00Z');
    expect((await hub.api('POST', `/tickets/${id}/replies`, { body: 'On it.' }, support)).status).toBe(201);
    await evaluateAt('2026-12-01T10:10:00Z');
    expect((await alertOf(id))?.state).toBe('resolved');
    expect(await history(id)).toEqual(['pending', 'firing', 'resolved']);
  });

  it('fires when the resolution target passes on an answered ticket and resolves when it is resolved', async () => {
    ticketNow = at('2026-12-07T09:00:00Z'); // the next Monday
    const id = await open('Still broken');
    ticketNow = at('2026-12-07T09:30:00Z');
    // Answered in time, kept open: only the resolution clock runs.
    await hub.api('POST', `/tickets/${id}/replies`, { body: 'Looking.', state: 'open' }, support);
    await evaluateAt('2026-12-08T16:00:00Z'); // 15 business hours
    expect(await alertOf(id)).toBeUndefined();
    await evaluateAt('2026-12-08T17:00:00Z'); // 16 h: at the target, not past it
    expect(await alertOf(id)).toBeUndefined();
    await evaluateAt('2026-12-09T10:00:00Z'); // 17 h
    const fired = await alertOf(id);
    expect(fired).toMatchObject({ state: 'firing', labels: { ticket: id } });
    expect(fired?.annotations.description).toContain('resolution SLA');

    ticketNow = at('2026-12-09T10:30:00Z');
    expect((await hub.api('PATCH', `/tickets/${id}`, { state: 'resolved' }, support)).status).toBe(200);
    await evaluateAt('2026-12-09T10:35:00Z');
    expect((await alertOf(id))?.state).toBe('resolved');
  });

  it('a client sees the alert of its own ticket only', async () => {
    ticketNow = at('2026-12-14T09:00:00Z');
    const other = await makeTenant(hub, 'slaother');
    const mine = await open('Mine is late');
    await evaluateAt('2026-12-15T09:00:00Z');
    expect((await alertOf(mine))?.state).toBe('firing');
    const ticketsIn = async (token: string) =>
      (await alertsOf(hub, '?ruleId=ticket_sla_breached', token)).map(
        (x) => (x as unknown as { labels: Record<string, string> }).labels.ticket,
      );
    expect(await ticketsIn(a.owner)).toContain(mine);
    expect(await ticketsIn(other.owner)).not.toContain(mine);
  });
});
