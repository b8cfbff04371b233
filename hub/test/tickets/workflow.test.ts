import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant, type Tenant } from '../security/tenants.js';

const SECRET = 'inbound-secret-workflow-0123';

interface T {
  id: string;
  state: string;
  assigneeId: string | null;
  thread: { kind: string; author: string; body: string; via: string }[];
  attachments: { id: string; filename: string; contentType: string; internal: boolean }[];
}

/**
 * What an operator does with a ticket beside answering it: assign it to an operator and find it
 * again by assignee; attach the linked instance's recent logs in one step; and how any client
 * reply (dashboard or mail) brings a ticket back into the inbox.
 */
describe('tickets: assignee, log excerpts and reopening on a client reply', () => {
  let hub: TestHub;
  let a: Tenant;
  let b: Tenant;
  let support: string;
  let supportId: string;

  beforeAll(async () => {
    hub = await startTestHub({ inboundMailSecret: SECRET, supportReplyAddress: 'support@hub.example.test' });
    a = await makeTenant(hub, 'wfalpha');
    b = await makeTenant(hub, 'wfbeta');
    const s = await hub.api<{ id: string }>('POST', '/users', {
      email: 'desk@ops.test',
      password: 'password-123',
      role: 'support',
    });
    expect(s.status).toBe(201);
    supportId = s.body.id;
    support = await login(hub, 'desk@ops.test');
  });
  afterAll(async () => hub?.close());

  const open = async (subject: string, token = a.owner, instanceId: string | null = a.inst) => {
    const r = await hub.api<T>(
      'POST',
      '/tickets',
      { subject, body: `${subject}: please help`, instanceId: instanceId ?? undefined },
      token,
    );
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const get = async (id: string, token = support) => (await hub.api<T>('GET', `/tickets/${id}`, undefined, token)).body;
  const listIds = async (query: string, token = support) =>
    (await hub.api<T[]>('GET', `/tickets${query}`, undefined, token)).body.map((t) => t.id);

  it('assigns to operators only, and the inbox filters by assignee: someone, me, nobody', async () => {
    const people = await hub.api<{ id: string; email: string; role: string }[]>(
      'GET',
      '/tickets/assignees',
      undefined,
      support,
    );
    expect(people.status).toBe(200);
    expect(people.body.map((p) => p.email)).toEqual(expect.arrayContaining(['desk@ops.test']));
    expect(people.body.every((p) => p.role === 'admin' || p.role === 'support')).toBe(true);
    expect((await hub.api('GET', '/tickets/assignees', undefined, a.owner)).status).toBe(403);

    const mine = await open('Assigned to the desk');
    const nobodys = await open('Nobody has it yet');
    const set = await hub.api<T>('PATCH', `/tickets/${mine}`, { assigneeId: supportId }, support);
    expect(set.status).toBe(200);
    expect(set.body.assigneeId).toBe(supportId);
    // A client user is no assignee, nor is a name that does not exist.
    expect((await hub.api('PATCH', `/tickets/${nobodys}`, { assigneeId: a.ownerId }, support)).status).toBe(400);
    expect((await hub.api('PATCH', `/tickets/${nobodys}`, { assigneeId: 'usr-nope' }, support)).status).toBe(400);
    expect(
      (await get(mine)).thread.some((e) => e.kind === 'system' && e.body.includes('assigned to desk@ops.test')),
    ).toBe(true);

    expect(await listIds(`?assigneeId=${supportId}`)).toEqual([mine]);
    expect(await listIds('?assigneeId=me', support)).toEqual([mine]);
    expect(await listIds('?assigneeId=me', hub.token)).not.toContain(mine); // the admin has none
    const unassigned = await listIds('?assigneeId=none');
    expect(unassigned).toContain(nobodys);
    expect(unassigned).not.toContain(mine);

    // Unassigning puts it back among the unassigned.
    await hub.api('PATCH', `/tickets/${mine}`, { assigneeId: null }, support);
    expect(await listIds('?assigneeId=none')).toContain(mine);
  });

  it('attaches the recent logs of the linked instance in one step, for the client or internally', async () => {
    const now = Date.now();
    for (const [ago, level, msg] of [
      [30, 'info', 'gateway ready'],
      [20, 'error', 'telegram: 401 Unauthorized'],
      [7200, 'error', 'an old line, outside the excerpt'],
    ] as const)
      await hub.db.query(
        "INSERT INTO log_lines (instance_id, t, level, subsystem, msg) VALUES ($1,$2,$3,'gateway',$4)",
        [a.inst, new Date(now - ago * 1000), level, msg],
      );
    const id = await open('Telegram stopped');

    // The client attaches it from their help page.
    const byClient = await hub.api<T['attachments'][number]>('POST', `/tickets/${id}/log-excerpt`, {}, a.owner);
    expect(byClient.status).toBe(201);
    expect(byClient.body).toMatchObject({ contentType: 'text/plain', internal: false });
    expect(byClient.body.filename).toMatch(/^logs-.+\.txt$/);
    const file = await fetch(`${hub.httpUrl}/api/v1/tickets/${id}/attachments/${byClient.body.id}`, {
      headers: { authorization: `Bearer ${a.owner}` },
    });
    expect(file.status).toBe(200);
    const text = await file.text();
    expect(text).toContain('ERROR [gateway] telegram: 401 Unauthorized');
    expect(text.indexOf('gateway ready')).toBeLessThan(text.indexOf('401 Unauthorized')); // oldest first
    expect(text).not.toContain('outside the excerpt');

    // An operator's internal excerpt is a note's: the client never sees it.
    const internal = await hub.api<T['attachments'][number]>(
      'POST',
      `/tickets/${id}/log-excerpt`,
      { minutes: 180, internal: true },
      support,
    );
    expect(internal.status).toBe(201);
    expect((await get(id, a.owner)).attachments.map((x) => x.id)).toEqual([byClient.body.id]);
    expect((await get(id)).attachments.map((x) => x.id)).toEqual([byClient.body.id, internal.body.id]);
    const wide = await fetch(`${hub.httpUrl}/api/v1/tickets/${id}/attachments/${internal.body.id}`, {
      headers: { authorization: `Bearer ${support}` },
    });
    expect(await wide.text()).toContain('outside the excerpt');

    // Refusals: a client cannot make it internal, another client cannot reach it, bad input is a 400,
    // a ticket without an instance has no logs to take.
    expect((await hub.api('POST', `/tickets/${id}/log-excerpt`, { internal: true }, a.owner)).status).toBe(403);
    expect((await hub.api('POST', `/tickets/${id}/log-excerpt`, {}, b.owner)).status).toBe(404);
    const theirs = await fetch(`${hub.httpUrl}/api/v1/tickets/${id}/attachments/${byClient.body.id}`, {
      headers: { authorization: `Bearer ${b.owner}` },
    });
    expect(theirs.status).toBe(404);
    expect((await hub.api('POST', `/tickets/${id}/log-excerpt`, { minutes: 0 }, a.owner)).status).toBe(400);
    expect((await hub.api('POST', `/tickets/${id}/log-excerpt`, { minutes: 'x' }, a.owner)).status).toBe(400);
    const noInstance = await open('A billing question', a.owner, null);
    const none = await hub.api<{ error: { message: string } }>(
      'POST',
      `/tickets/${noInstance}/log-excerpt`,
      {},
      a.owner,
    );
    expect(none.status).toBe(409);
    expect(none.body.error.message).toMatch(/no instance/);
    // A client viewer may attach it too (they see their instance's logs anyway).
    expect((await hub.api('POST', `/tickets/${id}/log-excerpt`, {}, a.viewer)).status).toBe(201);
  });

  it('any client reply in the dashboard reopens a ticket waiting on them, snoozed or resolved', async () => {
    const id = await open('Reopen me');
    const reply = (token: string, body: string) =>
      hub.api<{ ticket: T }>('POST', `/tickets/${id}/replies`, { body }, token);

    expect((await reply(support, 'Can you check the QR code?')).body.ticket.state).toBe('waiting_on_client');
    expect((await reply(a.owner, 'Checked, still broken.')).body.ticket.state).toBe('open');

    const until = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      (await hub.api<T>('PATCH', `/tickets/${id}`, { state: 'snoozed', snoozedUntil: until }, support)).body.state,
    ).toBe('snoozed');
    expect((await reply(a.viewer, 'Any news?')).body.ticket.state).toBe('open');
    expect((await hub.api('GET', `/tickets/${id}`, undefined, support)).body).toMatchObject({ snoozedUntil: null });

    expect((await hub.api<T>('PATCH', `/tickets/${id}`, { state: 'resolved' }, support)).body.state).toBe('resolved');
    expect((await reply(a.owner, 'It broke again.')).body.ticket.state).toBe('open');

    // A closed ticket stays closed: the client is told to open a new one.
    await hub.api('PATCH', `/tickets/${id}`, { state: 'closed' }, support);
    expect((await reply(a.owner, 'Hello?')).status).toBe(409);
    expect((await get(id)).state).toBe('closed');
  });

  it('any client reply by mail reopens a ticket waiting on them, snoozed or resolved', async () => {
    const id = await open('Reopen me by mail');
    const [{ reply_token }] = await hub.db.query<{ reply_token: string }>(
      'SELECT reply_token FROM tickets WHERE id = $1',
      [id],
    );
    let n = 0;
    const mail = async (text: string) => {
      n++;
      const raw = `From: client_owner@wfalpha.test\r\nTo: support+t${reply_token}@hub.example.test\r\nSubject: Re: ticket\r\nMessage-ID: <wf-${n}@wfalpha.test>\r\nContent-Type: text/plain\r\n\r\n${text}\r\n`;
      const res = await fetch(`${hub.httpUrl}/api/v1/inbound/mail`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', 'x-ds-inbound-secret': SECRET },
        body: raw,
      });
      return res.status;
    };
    const until = new Date(Date.now() + 86_400_000).toISOString();
    for (const [change, body] of [
      [{}, 'waiting'],
      [{ state: 'snoozed', snoozedUntil: until }, 'snoozed'],
      [{ state: 'resolved' }, 'resolved'],
    ] as const) {
      const r = await hub.api<{ ticket: T }>('POST', `/tickets/${id}/replies`, { body: `operator: ${body}` }, support);
      expect(r.body.ticket.state).toBe('waiting_on_client');
      if ('state' in change)
        expect((await hub.api<T>('PATCH', `/tickets/${id}`, change, support)).body.state).toBe(body);
      expect(await mail(`client answers a ${body} ticket`)).toBe(201);
      const t = await get(id);
      expect(t.state, `after a mail on a ${body} ticket`).toBe('open');
      expect(t.thread.at(-1)).toMatchObject({
        author: 'client',
        via: 'email',
        body: `client answers a ${body} ticket`,
      });
    }
    await hub.api('PATCH', `/tickets/${id}`, { state: 'closed' }, support);
    expect(await mail('after closing')).toBe(422);
    expect((await get(id)).state).toBe('closed');
  });
});
