import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TailscaleClient, TailscaleError } from '../src/cloud/tailscale/client.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';

describe('Tailscale client against the fake API', () => {
  const fake = new FakeTailscale({
    tailnet: 'deepsignal.example',
    oauth: { clientId: 'cid', clientSecret: 'csecret' },
  });
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('mints a single-use, preauthorized, tagged, short-lived key; the device it makes is found and deleted', async () => {
    const ts = new TailscaleClient({ baseUrl: fake.url, tailnet: 'deepsignal.example', apiKey: 'tskey-api-test' });
    const k = await ts.createAuthKey({
      tags: ['tag:deepsignal-client'],
      expirySeconds: 900,
      description: 'ds inst-abc',
    });
    expect(k.capabilities.devices.create).toEqual({
      reusable: false,
      ephemeral: false,
      preauthorized: true,
      tags: ['tag:deepsignal-client'],
    });
    expect(Date.parse(k.expires) - Date.parse(k.created)).toBe(900_000);
    const d = fake.join(k.key, 'ds-inst-abc');
    expect(() => fake.join(k.key, 'ds-other')).toThrow(/already been used/);
    const found = await ts.deviceByHostname('ds-inst-abc');
    expect(found?.addresses[0]).toBe(d.addresses[0]);
    expect(found?.tags).toEqual(['tag:deepsignal-client']);
    await ts.deleteDevice(d.id);
    expect(await ts.deviceByHostname('ds-inst-abc')).toBeNull();
    await ts.deleteDevice(d.id); // already gone: fine
    await ts.deleteAuthKey(k.id);
  });

  it('OAuth client: keys must carry tags; bad credentials are an error in Tailscale’s words', async () => {
    const ts = new TailscaleClient({
      baseUrl: fake.url,
      tailnet: '-',
      oauthClientId: 'cid',
      oauthClientSecret: 'csecret',
    });
    const untagged = await ts.createAuthKey({ tags: [], expirySeconds: 600, description: 'x' }).catch((e) => e);
    expect(untagged).toBeInstanceOf(TailscaleError);
    expect(untagged.message).toMatch(/tags/);
    expect(
      (await ts.createAuthKey({ tags: ['tag:deepsignal-client'], expirySeconds: 600, description: 'x' })).key,
    ).toMatch(/^tskey-auth-/);
    const bad = new TailscaleClient({ baseUrl: fake.url, tailnet: '-', apiKey: 'wrong' });
    const e = await bad.devices().catch((x) => x);
    expect([e.status, e.describe()]).toEqual([401, 'Tailscale: API token invalid (HTTP 401)']);
  });
});
