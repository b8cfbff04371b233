import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/routes/data/export.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { startMailSink } from './mail-sink.js';
import { login, makeTenant, type Tenant } from './tenants.js';

/** Retention per client, export of all a client's data, deletion on request, audited. */
describe('data handling', () => {
  let hub: TestHub;
  let a: Tenant;
  let b: Tenant;
  let sink: Awaited<ReturnType<typeof startMailSink>>;
  const day = 86_400_000;

  const seed = async (inst: string, tag: string) => {
    for (const [i, age] of [0, 10, 40].entries()) {
      const t = new Date(Date.now() - age * day);
      await hub.db.query(
        `INSERT INTO conversation_messages (instance_id, message_id, t, session_key, channel, role, text)
         VALUES ($1,$2,$3,'s','telegram','user',$4)`,
        [inst, `${tag}-m${i}`, t, `${tag} message ${age}d`],
      );
      await hub.db.query("INSERT INTO log_lines (instance_id, t, level, msg) VALUES ($1,$2,'info',$3)", [
        inst,
        t,
        `${tag} log ${age}d`,
      ]);
    }
  };

  beforeAll(async () => {
    sink = await startMailSink();
    hub = await startTestHub({ mailTransport: sink.url });
    a = await makeTenant(hub, 'alpha');
    b = await makeTenant(hub, 'beta');
    await seed(a.inst, 'alpha');
    await seed(b.inst, 'beta');
  });
  afterAll(async () => {
    await hub?.close();
    await sink?.close();
  });

  it('applies each client’s retention to its own conversations and logs only', async () => {
    expect(
      (
        await hub.api(
          'PUT',
          `/clients/${a.client}/settings`,
          { retentionConversationsDays: 30, retentionLogsDays: 7 },
          a.owner,
        )
      ).status,
    ).toBe(200);
    expect(await applyRetention(hub.ctx)).toBe(3); // 1 conversation (40 d), 2 logs (10 d, 40 d)
    const count = async (table: string, inst: string) =>
      Number(
        (await hub.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE instance_id = $1`, [inst]))[0].n,
      );
    expect(await count('conversation_messages', a.inst)).toBe(2);
    expect(await count('log_lines', a.inst)).toBe(1);
    expect(await count('conversation_messages', b.inst)).toBe(3);
  });

  it('exports all of a client’s data as JSON, without hashes, secret values or another client', async () => {
    await hub.api('PUT', `/clients/${a.client}/secrets/anthropic`, { value: 'sk-alpha-value' }, a.owner);
    const r = await hub.api<Record<string, unknown[]> & { client: { id: string } }>(
      'GET',
      `/clients/${a.client}/export`,
      undefined,
      a.owner,
    );
    expect(r.status).toBe(200);
    expect(r.body.client.id).toBe(a.client);
    expect(r.body.conversations).toHaveLength(2);
    expect(r.body.users).toHaveLength(2);
    expect(r.body.secrets).toEqual([expect.objectContaining({ name: 'anthropic' })]);
    const text = JSON.stringify(r.body);
    for (const s of ['sk-alpha-value', 'scrypt$', 'beta', b.inst]) expect(text).not.toContain(s);
    expect((await hub.api('GET', `/clients/${b.client}/export`, undefined, a.owner)).status).toBe(404);
    const audit = await hub.db.query("SELECT 1 FROM audit_log WHERE action = 'data.export' AND client_id = $1", [
      a.client,
    ]);
    expect(audit).toHaveLength(1);
  });

  it('deletes a client’s telemetry, then the whole client, on request with audit entries', async () => {
    expect((await hub.api('DELETE', `/clients/${a.client}/data`, { scope: 'telemetry', confirm: 'nope' })).status).toBe(
      400,
    );
    const t = await hub.api<{ deleted: Record<string, number> }>('DELETE', `/clients/${a.client}/data`, {
      scope: 'telemetry',
      confirm: a.client,
    });
    expect(t.status).toBe(200);
    expect(t.body.deleted).toMatchObject({ conversation_messages: 2, log_lines: 1, commands: 1 });
    expect((await hub.api<unknown[]>('GET', `/instances/${a.inst}/conversations`, undefined, a.owner)).body).toEqual(
      [],
    );
    const left = await hub.db.query('SELECT 1 FROM conversation_messages WHERE instance_id = $1', [b.inst]);
    expect(left).toHaveLength(3);
    const all = await hub.api('DELETE', `/clients/${a.client}/data`, { scope: 'all', confirm: a.client });
    expect(all.status).toBe(200);
    expect((await hub.api('GET', `/instances/${a.inst}`)).status).toBe(404);
    expect(
      (await hub.api('POST', '/auth/login', { email: 'client_owner@alpha.test', password: 'password-123' }, '')).status,
    ).toBe(401);
    expect(await hub.db.query('SELECT 1 FROM client_secrets WHERE client_id = $1', [a.client])).toEqual([]);
    const actions = (
      await hub.db.query<{ action: string }>('SELECT action FROM audit_log WHERE client_id = $1', [a.client])
    ).map((x) => x.action);
    expect(actions.filter((x) => x === 'data.delete')).toHaveLength(2);
  });

  it('as a new user would: the admin creates a client and invites its owner, who sees only their own client', async () => {
    const c = await hub.api<{ id: string }>('POST', '/clients', { name: 'Newco', industry: 'law', plan: 'starter' });
    expect(c.status).toBe(201);
    expect(
      (await hub.api('POST', `/clients/${c.body.id}/users`, { email: 'boss@newco.test', role: 'client_owner' })).status,
    ).toBe(201);
    const token = /token=([A-Za-z0-9_-]+)/.exec(
      sink.mails.find((m) => m.to === 'boss@newco.test')?.text ?? '',
    )?.[1] as string;
    expect(
      (await hub.api('POST', '/auth/password-reset/confirm', { token, password: 'newco-password-1' }, '')).status,
    ).toBe(204);
    const owner = await login(hub, 'boss@newco.test', 'newco-password-1');
    expect((await hub.api<{ id: string }[]>('GET', '/clients', undefined, owner)).body.map((x) => x.id)).toEqual([
      c.body.id,
    ]);
    expect((await hub.api<unknown[]>('GET', '/instances', undefined, owner)).body).toEqual([]);
    expect((await hub.api<{ email: string }[]>('GET', '/users', undefined, owner)).body.map((u) => u.email)).toEqual([
      'boss@newco.test',
    ]);
    for (const p of [
      `/clients/${b.client}`,
      `/instances/${b.inst}`,
      `/commands/${b.cmd}`,
      `/clients/${b.client}/export`,
      `/clients/${b.client}/secrets`,
      `/users/${b.ownerId}`,
    ]) {
      expect((await hub.api('GET', p, undefined, owner)).status, p).toBe(404);
    }
    expect((await hub.api('GET', `/instances?clientId=${b.client}`, undefined, owner)).status).toBe(404);
    expect(
      (await hub.api('POST', '/support-requests', { clientId: b.client, subject: 's', body: 'b' }, owner)).status,
    ).toBe(404);
  });
});
