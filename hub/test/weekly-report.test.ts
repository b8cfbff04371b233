import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeek, type WeeklyReport } from '../src/experiments/weekly-report.js';
import { connectSidecar, pub, startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';
import { type LocalSmtp, startSmtp } from './helpers/smtp.js';

describe('weekly report per client', () => {
  let hub: TestHub;
  let smtp: LocalSmtp;
  let clientId: string;
  let owner: string;
  const lastWeek = new Date(Date.now() - 7 * 86_400_000);

  beforeAll(async () => {
    smtp = await startSmtp();
    hub = await startTestHub({ mailTransport: smtp.url });
    clientId = (
      await hub.api<{ id: string }>('POST', '/clients', { name: 'Bakery', industry: 'food', plan: 'starter' })
    ).body.id;
    await hub.api('POST', `/clients/${clientId}/users`, {
      email: 'owner@bakery.test',
      password: 'password-123',
      role: 'client_owner',
    });
    owner = (
      await hub.api<{ token: string }>(
        'POST',
        '/auth/login',
        { email: 'owner@bakery.test', password: 'password-123' },
        '',
      )
    ).body.token;
    const inst = await hub.newInstance(clientId);
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    // Conversations of last week: 3 about opening hours (one handed off), 1 unhappy.
    const t = isoWeek(lastWeek).monday.getTime() + 86_400_000;
    const key = (s: string) => `agent:main:telegram:direct:${s}`;
    const m = (id: string, s: string, role: string, text: string, dt: number) => ({
      messageId: id,
      t: t + dt,
      sessionKey: key(s),
      channel: 'telegram',
      role,
      text,
      cost: role === 'assistant' ? 0.01 : 0,
    });
    const messages = [
      m('1', 'a', 'user', 'When do you open on Saturday?', 0),
      m('2', 'a', 'assistant', 'At 7 am.', 1000),
      m('3', 'b', 'user', 'when do you open on saturday', 2000),
      m('4', 'b', 'assistant', 'At 7 am, until noon.', 3000),
      m('5', 'c', 'user', 'Saturday: when do you open?', 4000),
      m('6', 'c', 'assistant', 'I will pass this to a colleague.', 5000),
      m('7', 'd', 'user', 'Your bread was stale and awful, terrible.', 6000),
      m('8', 'd', 'assistant', 'Sorry to hear that, we will refund it.', 7000),
    ];
    await pub(c, `ds/v1/${inst.id}/conversations`, {
      v: 1,
      id: 'c0',
      instanceId: inst.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      messages,
    });
    await until(
      async () => {
        const rows = await hub.db.query<{ n: string }>(
          'SELECT count(*) AS n FROM conversation_messages WHERE instance_id = $1',
          [inst.id],
        );
        return Number(rows[0].n) === messages.length || null;
      },
      60_000,
      'conversations stored',
    );
    await c.endAsync();
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await smtp?.close();
  });

  it('the dashboard reads the week: volume, satisfaction, top topics', async () => {
    const r = await hub.api<WeeklyReport>(
      'GET',
      `/clients/${clientId}/weekly-report?at=${lastWeek.toISOString()}`,
      undefined,
      owner,
    );
    expect(r.status).toBe(200);
    expect(r.body.week).toBe(isoWeek(lastWeek).week);
    expect(r.body.volume).toMatchObject({ conversations: 4, userMessages: 4, assistantMessages: 4 });
    expect(r.body.volume.costUsd).toBeCloseTo(0.04, 6);
    expect(r.body.satisfaction.resolutionRate).toBeCloseTo(0.75, 6);
    expect(r.body.satisfaction.negativeShare).toBeGreaterThan(0);
    expect(r.body.topTopics[0]).toMatchObject({ count: 3 });
    expect(r.body.topTopics[0].example).toMatch(/open on Saturday/i);
    const other = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Other', industry: 'x', plan: 'starter' }))
      .body.id;
    await hub.api('POST', `/clients/${other}/users`, {
      email: 'o@o.test',
      password: 'password-123',
      role: 'client_owner',
    });
    const o = (
      await hub.api<{ token: string }>('POST', '/auth/login', { email: 'o@o.test', password: 'password-123' }, '')
    ).body.token;
    expect((await hub.api('GET', `/clients/${clientId}/weekly-report`, undefined, o)).status).toBe(404);
  });

  it('mails the owner once per week, however often it runs', async () => {
    const sent = await hub.ctx.weeklyReports?.sendDue(new Date());
    expect(sent).toBeGreaterThanOrEqual(1);
    const mail = await smtp.waitFor((x) => x.to.includes('owner@bakery.test'), 60_000);
    expect(mail.parsed.subject).toBe(`Bakery: your assistant's week ${isoWeek(lastWeek).week}`);
    expect(mail.parsed.text).toMatch(/4 conversations/);
    expect(mail.parsed.text).toMatch(/resolved without a person: 75 %/);
    expect(mail.parsed.text).toMatch(/3× "When do you open on Saturday\?"/);
    expect(await hub.ctx.weeklyReports?.sendDue(new Date())).toBe(0);
    const again = await hub.api<{ sent: boolean }>('POST', `/clients/${clientId}/weekly-report/send`, {
      at: lastWeek.toISOString(),
    });
    expect(again.body.sent).toBe(false);
    expect(smtp.mails.filter((x) => x.to.includes('owner@bakery.test'))).toHaveLength(1);
    // Once sent, the week's report is the stored one.
    const kept = await hub.api<WeeklyReport>(
      'GET',
      `/clients/${clientId}/weekly-report?at=${lastWeek.toISOString()}`,
      undefined,
      owner,
    );
    expect(kept.body.volume.conversations).toBe(4);
  });
});
