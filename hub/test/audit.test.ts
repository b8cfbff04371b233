import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

let hub: TestHub;
let instanceId: string;
let clientId: string;
let ownerToken: string;
beforeAll(async () => {
  hub = await startTestHub();
  const inst = await hub.newInstance();
  instanceId = inst.id;
  clientId = inst.clientId;
  await hub.api('POST', `/clients/${clientId}/users`, {
    email: 'owner@acme.test',
    password: 'owner-password-1',
    role: 'client_owner',
  });
  ownerToken = (
    await hub.api<{ token: string }>('POST', '/auth/login', { email: 'owner@acme.test', password: 'owner-password-1' })
  ).body.token;
  // Queued (the instance is offline), with a secret param that must not show.
  await hub.api('POST', `/instances/${instanceId}/commands`, { type: 'ping', params: {} });
  await hub.api('POST', `/instances/${instanceId}/commands`, {
    type: 'credentials.rotate',
    params: { secret: 'super-secret-value-0123456789-abcdef' },
  });
});
afterAll(() => hub?.close());

type Entry = {
  id: number;
  actor: string;
  actorEmail: string | null;
  action: string;
  target: string | null;
  detail: unknown;
};

describe('audit trail', () => {
  it('lists entries newest first with filters on action prefix, actor email, target and time', async () => {
    const all = (await hub.api<Entry[]>('GET', '/audit')).body;
    expect(all.length).toBeGreaterThan(3);
    expect(all[0].id).toBeGreaterThan(all[all.length - 1].id);
    const cmds = (await hub.api<Entry[]>('GET', '/audit?action=command')).body;
    expect(cmds.map((e) => e.action)).toEqual(['command.create', 'command.create']);
    expect(cmds[0].actorEmail).toBe('admin@test.local');
    expect(JSON.stringify(cmds)).not.toContain('super-secret-value');
    const byActor = (await hub.api<Entry[]>('GET', '/audit?actor=admin@test&action=client.create')).body;
    expect(byActor).toHaveLength(1);
    const target = cmds[0].target as string;
    expect((await hub.api<Entry[]>('GET', `/audit?target=${target}`)).body.map((e) => e.target)).toEqual([target]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await hub.api<Entry[]>('GET', `/audit?from=${encodeURIComponent(future)}`)).body).toEqual([]);
  });

  it('exports CSV', async () => {
    const res = await fetch(`${hub.httpUrl}/api/v1/audit?format=csv&action=command`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,t,actor,actorEmail,action,target,clientId,detail');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',command.create,');
  });

  it("shows a client owner only their client's entries, and nothing to others", async () => {
    const own = (await hub.api<(Entry & { clientId: string })[]>('GET', '/audit', undefined, ownerToken)).body;
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((e) => e.clientId))).toEqual(new Set([clientId]));
    // Naming another client is a 404, as for any resource that is not theirs.
    expect((await hub.api('GET', '/audit?clientId=cli-other', undefined, ownerToken)).status).toBe(404);
    expect((await hub.api('GET', '/audit')).status).toBe(200);
    expect((await fetch(`${hub.httpUrl}/api/v1/audit`)).status).toBe(401);
  });

  it('is append-only', async () => {
    await expect(hub.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(hub.db.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
  });
});
