import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { fetchDocument, renderTypes, SCHEMA_FILE } from '../scripts/document.js';
import { createHubApi, HubApiError, unwrap } from '../src/index.js';

/** The typed client against a real hub, and the committed types against the hub's document. */
describe('@deepsignal/client', () => {
  let hub: TestHub;
  let clientId: string;
  let otherClient: string;
  let ownerToken: string;

  beforeAll(async () => {
    hub = await startTestHub({ apiDocs: true });
    clientId = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Acme', plan: 'starter' })).body.id;
    otherClient = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Other', plan: 'starter' })).body.id;
    await hub.newInstance(clientId);
    const email = 'owner@acme.test';
    const made = await hub.api('POST', `/clients/${clientId}/users`, {
      email,
      password: 'password-123',
      role: 'client_owner',
    });
    expect(made.status).toBe(201);
    ownerToken = (await hub.api<{ token: string }>('POST', '/auth/login', { email, password: 'password-123' }, '')).body
      .token;
    // Generous: the hub's start is slow on a busy machine.
  }, 900_000);
  afterAll(async () => hub?.close());

  it('has committed types that match the hub’s OpenAPI document (else: npm run generate -w client)', async () => {
    const current = await renderTypes(await fetchDocument(hub.httpUrl));
    expect(readFileSync(SCHEMA_FILE, 'utf8') === current, 'client/src/schema.d.ts is stale').toBe(true);
    // Rendering the whole document takes a while on a busy machine.
  }, 300_000);

  it('creates a client API key and calls the API with it, typed end to end', async () => {
    const owner = createHubApi({ baseUrl: hub.httpUrl, token: ownerToken });
    const key = await unwrap(
      owner.POST('/api/v1/clients/{clientId}/api-keys', {
        params: { path: { clientId } },
        body: { name: 'typed', scopes: ['read', 'command:ping'] },
      }),
    );
    expect(key.token.startsWith('dsa_')).toBe(true);

    const api = createHubApi({ baseUrl: `${hub.httpUrl}/api/v1`, token: key.token, timeoutMs: 30_000 });
    const instances = await unwrap(api.GET('/api/v1/instances'));
    expect(instances.map((i) => i.clientId)).toEqual([clientId]);
    const cmd = await unwrap(
      api.POST('/api/v1/instances/{id}/commands', {
        params: { path: { id: instances[0].id } },
        body: { type: 'ping', params: {} },
      }),
    );
    expect(cmd.id).toMatch(/^cmd-/);

    // Another client's resource is a 404, surfaced with the hub's code.
    const err = await unwrap(api.GET('/api/v1/clients/{id}', { params: { path: { id: otherClient } } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HubApiError);
    expect((err as HubApiError).status).toBe(404);
    expect((err as HubApiError).code).toBe('HUB_ERR_NOT_FOUND');

    const listed = await unwrap(owner.GET('/api/v1/clients/{clientId}/api-keys', { params: { path: { clientId } } }));
    expect(listed.keys.map((k) => k.name)).toContain('typed');
  });
});
