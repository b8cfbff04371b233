import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

describe('support requests', () => {
  let hub: TestHub;
  let alpha: { client: string; inst: string; owner: string };
  let beta: { client: string; inst: string; owner: string };

  beforeAll(async () => {
    hub = await startTestHub();
    const mk = async (name: string) => {
      const client = (await hub.api<{ id: string }>('POST', '/clients', { name, industry: 'x', plan: 'starter' })).body
        .id;
      const inst = (await hub.newInstance(client)).id;
      await hub.api('POST', `/clients/${client}/users`, {
        email: `owner@${name}.test`,
        password: 'password-123',
        role: 'client_owner',
      });
      const login = await hub.api<{ token: string }>(
        'POST',
        '/auth/login',
        { email: `owner@${name}.test`, password: 'password-123' },
        '',
      );
      return { client, inst, owner: login.body.token };
    };
    alpha = await mk('alpha');
    beta = await mk('beta');
  });
  afterAll(async () => hub?.close());

  it('a client owner opens one about their instance; the operator sees and resolves it', async () => {
    const opened = await hub.api<{ id: string; clientId: string; status: string }>(
      'POST',
      '/support-requests',
      { instanceId: alpha.inst, subject: 'Agent is slow', body: 'Replies take a minute since this morning.' },
      alpha.owner,
    );
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ clientId: alpha.client, status: 'open' });

    const mine = await hub.api<{ id: string }[]>('GET', '/support-requests', undefined, alpha.owner);
    expect(mine.body.map((r) => r.id)).toEqual([opened.body.id]);
    const theirs = await hub.api<{ id: string }[]>('GET', '/support-requests', undefined, beta.owner);
    expect(theirs.body).toEqual([]);

    const all = await hub.api<{ id: string }[]>('GET', '/support-requests?status=open');
    expect(all.body.map((r) => r.id)).toContain(opened.body.id);
    const resolved = await hub.api<{ status: string }>('POST', `/support-requests/${opened.body.id}/resolve`);
    expect(resolved.body.status).toBe('resolved');
  });

  it("refuses another client's instance as if it did not exist, and client users cannot resolve", async () => {
    const r = await hub.api(
      'POST',
      '/support-requests',
      { instanceId: alpha.inst, subject: 'x', body: 'y' },
      beta.owner,
    );
    expect(r.status).toBe(404);
    const bad = await hub.api('POST', '/support-requests', { subject: '', body: 'y' }, beta.owner);
    expect(bad.status).toBe(400);
    const opened = await hub.api<{ id: string }>(
      'POST',
      '/support-requests',
      { subject: 'Billing', body: 'Question about my invoice' },
      beta.owner,
    );
    expect(opened.status).toBe(201);
    const refused = await hub.api('POST', `/support-requests/${opened.body.id}/resolve`, undefined, beta.owner);
    expect(refused.status).toBe(403);
  });
});
