import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessMsBetween } from '../../src/tickets/business-hours.js';
import type { SlaBreach } from '../../src/tickets/service.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant, type Tenant } from '../security/tenants.js';

const H = 3_600_000;
const BERLIN = { timeZone: 'Europe/Berlin', dayStartHour: 9, dayEndHour: 17, workDays: [1, 2, 3, 4, 5] };

describe('business hours', () => {
  it('counts only working hours on working days, in the zone, across a weekend', () => {
    // Friday 4 Dec 2026 16:00 Berlin (15:00 UTC) to Monday 7 Dec 10:00 Berlin: 1 h + 1 h.
    expect(businessMsBetween(Date.parse('2026-12-04T15:00:00Z'), Date.parse('2026-12-07T09:00:00Z'), BERLIN)).toBe(
      2 * H,
    );
    // Saturday to Sunday: nothing.
    expect(businessMsBetween(Date.parse('2026-12-05T08:00:00Z'), Date.parse('2026-12-06T20:00:00Z'), BERLIN)).toBe(0);
    // The same instants in another zone count differently (Tokyo: 9-17 JST is 0-8 UTC).
    const tokyo = { ...BERLIN, timeZone: 'Asia/Tokyo' };
    expect(businessMsBetween(Date.parse('2026-12-07T00:00:00Z'), Date.parse('2026-12-07T12:00:00Z'), tokyo)).toBe(
      8 * H,
    );
  });

  it('keeps the working day in local time across a DST change', () => {
    // New York moved to summer time on Sunday 8 March 2026; Monday 9-17 local is 13:00-21:00 UTC.
    const ny = { ...BERLIN, timeZone: 'America/New_York' };
    expect(businessMsBetween(Date.parse('2026-03-09T12:00:00Z'), Date.parse('2026-03-09T14:00:00Z'), ny)).toBe(1 * H);
    // The Friday before, still winter time: 9:00 local is 14:00 UTC.
    expect(businessMsBetween(Date.parse('2026-03-06T13:00:00Z'), Date.parse('2026-03-06T15:00:00Z'), ny)).toBe(1 * H);
  });
});

describe('SLA clocks with a fake clock', () => {
  let hub: TestHub;
  let a: Tenant;
  let support: string;
  let now = Date.parse('2026-12-04T15:00:00Z'); // Friday 16:00 in Berlin
  const breaches: SlaBreach[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    hub.ctx.tickets.now = () => new Date(now);
    hub.ctx.tickets.onBreach((b) => breaches.push(b));
    a = await makeTenant(hub, 'alpha'); // growth plan: first reply 4 h, resolution 16 h
    expect((await hub.api('PUT', `/clients/${a.client}/support-hours`, BERLIN)).status).toBe(200);
    await hub.api('POST', '/users', { email: 'sla@ops.test', password: 'password-123', role: 'support' });
    support = await login(hub, 'sla@ops.test');
  });
  afterAll(async () => hub?.close());

  type T = {
    id: string;
    state: string;
    sla: {
      state: string;
      paused: boolean;
      firstResponse: { state: string; elapsedMs: number };
      resolution: { state: string; elapsedMs: number };
    };
  };
  const get = async (id: string) => (await hub.api<T>('GET', `/tickets/${id}`, undefined, support)).body;

  it('first response: ok over the weekend, at risk at 3 h, breached past 4 h, the breach raised once', async () => {
    const t = (await hub.api<T>('POST', '/tickets', { subject: 'Down', body: 'It is down' }, a.owner)).body;
    now = Date.parse('2026-12-07T09:00:00Z'); // Monday 10:00 Berlin: 1 h Friday + 1 h Monday
    let v = await get(t.id);
    expect(v.sla.firstResponse).toMatchObject({ state: 'ok', elapsedMs: 2 * H });
    now = Date.parse('2026-12-07T10:00:00Z'); // 3 h
    expect((await get(t.id)).sla.state).toBe('at_risk');
    const inbox = await hub.api<T[]>('GET', '/tickets?sla=at_risk', undefined, support);
    expect(inbox.body.map((x) => x.id)).toContain(t.id);
    now = Date.parse('2026-12-07T11:30:00Z'); // 4.5 h
    v = await get(t.id);
    expect(v.sla.state).toBe('breached');
    // The hub's own sweep may run meanwhile too: however many sweeps, the breach is raised once.
    await hub.ctx.tickets.sweep();
    await hub.ctx.tickets.sweep();
    expect(breaches.filter((b) => b.ticketId === t.id)).toEqual([
      expect.objectContaining({ clock: 'first_response', clientId: a.client }),
    ]);
    const thread = await hub.api<{ thread: { kind: string; body: string }[] }>(
      'GET',
      `/tickets/${t.id}`,
      undefined,
      support,
    );
    expect(thread.body.thread.filter((e) => e.body.startsWith('SLA breached'))).toHaveLength(1);
    // The inbox puts the breached ticket first.
    const all = await hub.api<T[]>('GET', '/tickets', undefined, support);
    expect(all.body[0].id).toBe(t.id);
  });

  it('the resolution clock stops while waiting on the client and runs again when they answer', async () => {
    now = Date.parse('2026-12-07T08:00:00Z'); // Monday 9:00 Berlin
    const t = (await hub.api<T>('POST', '/tickets', { subject: 'Slow', body: 'Replies are slow' }, a.owner)).body;
    now = Date.parse('2026-12-07T10:00:00Z'); // 11:00: 2 h in, the operator asks a question
    const r = await hub.api<{ ticket: T }>('POST', `/tickets/${t.id}/replies`, { body: 'Which channel?' }, support);
    expect(r.body.ticket.state).toBe('waiting_on_client');
    now = Date.parse('2026-12-09T10:00:00Z'); // Wednesday 11:00: two days later, still waiting
    let v = await get(t.id);
    expect(v.sla.paused).toBe(true);
    expect(v.sla.resolution).toMatchObject({ state: 'ok', elapsedMs: 2 * H });
    expect(v.sla.firstResponse.state).toBe('ok');
    await hub.api('POST', `/tickets/${t.id}/replies`, { body: 'Telegram' }, a.owner);
    now = Date.parse('2026-12-09T12:00:00Z'); // Wednesday 13:00: 2 h more count
    v = await get(t.id);
    expect(v.state).toBe('open');
    expect(v.sla.paused).toBe(false);
    expect(v.sla.resolution.elapsedMs).toBe(4 * H);
  });

  it('a snoozed ticket wakes at its time', async () => {
    const t = (await hub.api<T>('POST', '/tickets', { subject: 'Later', body: 'No rush' }, a.owner)).body;
    const until = new Date(now + 2 * H).toISOString();
    const p = await hub.api<T>('PATCH', `/tickets/${t.id}`, { state: 'snoozed', snoozedUntil: until }, support);
    expect(p.body.state).toBe('snoozed');
    expect((await hub.api('PATCH', `/tickets/${t.id}`, { state: 'snoozed' }, support)).status).toBe(400);
    await hub.ctx.tickets.sweep();
    expect((await get(t.id)).state).toBe('snoozed');
    now += 2 * H + 1000;
    await hub.ctx.tickets.sweep();
    expect((await get(t.id)).state).toBe('open');
  });
});
