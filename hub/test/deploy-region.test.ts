import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../src/testing/cloud-settings.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';
import { type LocalSmtp, startSmtp } from './helpers/smtp.js';

type Loc = { name: string; city: string | null; country: string | null } | null;
interface Announcement {
  title: string;
  body: string;
  level: string;
}

/**
 * Data residency and server changes told to the client: the location is chosen at sign-up from
 * Hetzner's list (a bad one is refused before anything is made), a deploy that names no location
 * goes there, an admin changes it, and a resize or a move first announces its downtime on the client's
 * dashboard and by mail to the owner.
 */
describe('deploy: client location and announced server changes', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({
    bootMs: 300,
    actionMs: 100,
    snapshotMs: 400,
    onBoot: sim.boot,
    onDelete: (s) => sim.halt(s.id),
  });
  let hub: TestHub;
  let smtp: LocalSmtp;

  beforeAll(async () => {
    [smtp] = await Promise.all([startSmtp(), hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
      mailTransport: smtp.url,
    });
  }, 180_000);
  afterAll(async () => {
    await sim.dispose();
    await hub?.close();
    await Promise.all([hetzner.stop(), tailscale.stop(), smtp?.close()]);
  });

  const signUp = (email: string, location?: string) =>
    hub.api<{ token: string; state: { clientId: string; location: Loc } }>(
      'POST',
      '/onboarding/start',
      { company: 'Nordic Bakes', industry: 'Food', useCase: 'orders', email, password: 'nordic-password-1', location },
      '',
    );

  it('lists locations with city and country to anyone, and refuses one Hetzner does not list', async () => {
    const l = await hub.api<{ locations: { name: string; city: string; country: string }[]; default: string }>(
      'GET',
      '/locations',
      undefined,
      '',
    );
    expect(l.status).toBe(200);
    expect(l.body.default).toBe('fsn1');
    expect(l.body.locations).toContainEqual(expect.objectContaining({ name: 'hel1', city: 'Helsinki', country: 'FI' }));

    const before = (await hub.api<unknown[]>('GET', '/clients')).body.length;
    const bad = await signUp('nobody@nordic.test', 'atlantis1');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('unknown location atlantis1: one of fsn1, nbg1, hel1');
    expect((await hub.api<unknown[]>('GET', '/clients')).body.length).toBe(before);
    expect(
      (await hub.api('POST', '/auth/login', { email: 'nobody@nordic.test', password: 'nordic-password-1' })).status,
    ).toBe(401);
  });

  it('stores the location chosen at sign-up, deploys there, announces a resize and a move to the owner', async () => {
    const owner = 'owner@nordic.test';
    const s = await signUp(owner, 'hel1');
    expect(s.status).toBe(201);
    expect(s.body.state.location).toEqual({ name: 'hel1', city: 'Helsinki', country: 'FI' });
    const clientId = s.body.state.clientId;
    const token = s.body.token;
    expect((await hub.api<{ location: Loc }>('GET', `/clients/${clientId}`, undefined, token)).body.location).toEqual({
      name: 'hel1',
      city: 'Helsinki',
      country: 'FI',
    });

    // The operator's deploy without a location goes where the client chose.
    const dep = (await hub.api<{ id: string }>('POST', `/clients/${clientId}/deployments`, {})).body;
    const live = await until(
      async () => {
        const d = (
          await hub.api<{ status: string; instanceId: string; server: { location: string }; error: unknown }>(
            'GET',
            `/deployments/${dep.id}`,
          )
        ).body;
        if (d.status === 'failed') throw new Error(`failed: ${JSON.stringify(d.error)} ${sim.errors.join('; ')}`);
        return d.status === 'live' ? d : null;
      },
      120_000,
      'deployment live',
    );
    expect(live.server.location).toBe('hel1');
    const inst = live.instanceId;
    expect(hetzner.serversMatching(`deepsignal/instance=${inst}`).map((x) => x.location)).toEqual(['hel1']);

    // Resize: the notice with its downtime is stored by the time the call returns (the power-off
    // runs after it), and the owner gets a mail.
    expect((await hub.api('POST', `/instances/${inst}/server/resize`, { serverType: 'cx32' })).status).toBe(202);
    const notices = async () => (await hub.api<Announcement[]>('GET', '/announcements', undefined, token)).body;
    const resizeNote = (await notices()).find((a) => /resized/.test(a.title));
    expect(resizeNote).toMatchObject({ level: 'warning' });
    expect(resizeNote?.body).toContain('offline for about 2 to 5 minutes');
    expect(resizeNote?.body).toContain('cx32');
    const mail = await smtp.waitFor((m) => m.to.includes(owner) && /resized/.test(m.parsed.subject ?? ''), 30_000);
    expect(mail.parsed.text).toContain('offline for about 2 to 5 minutes');
    await until(
      async () => {
        const h = (await hub.api<{ state: string; serverType: string }>('GET', `/instances/${inst}/server`)).body;
        return h.state === 'running' && h.serverType === 'cx32';
      },
      120_000,
      'resized',
    );

    // An operator changes the location; a move announces its own, longer downtime with the place.
    const other = await hub.api('PUT', `/clients/${clientId}/location`, { location: 'nbg1' }, token);
    expect(other.status).toBe(403);
    const set = await hub.api<Loc>('PUT', `/clients/${clientId}/location`, { location: 'nbg1' });
    expect(set.body).toEqual({ name: 'nbg1', city: 'Nuremberg', country: 'DE' });
    expect((await hub.api('PUT', `/clients/${clientId}/location`, { location: 'mars' })).status).toBe(400);
    expect((await hub.api('PUT', '/clients/cli_nope/location', { location: 'nbg1' })).status).toBe(404);

    expect((await hub.api('POST', `/instances/${inst}/server/move`, { location: 'nbg1' })).status).toBe(202);
    const moveNote = (await notices()).find((a) => /moving/.test(a.title));
    expect(moveNote?.body).toContain('Nuremberg, Germany (nbg1)');
    expect(moveNote?.body).toContain('offline for about 5 to 15 minutes');
    await smtp.waitFor((m) => m.to.includes(owner) && /moving/.test(m.parsed.subject ?? ''), 30_000);
    await until(
      async () => {
        const h = (await hub.api<{ state: string; location: string }>('GET', `/instances/${inst}/server`)).body;
        return h.state === 'running' && h.location === 'nbg1';
      },
      120_000,
      'moved',
    );

    // Another client sees neither notice.
    const stranger = await signUp('other@elsewhere.test');
    const theirs = (await hub.api<Announcement[]>('GET', '/announcements', undefined, stranger.body.token)).body;
    expect(theirs.filter((a) => /resized|moving/.test(a.title))).toEqual([]);
    expect(stranger.body.state.location).toBeNull();
    expect((await hub.api('GET', `/clients/${clientId}`, undefined, stranger.body.token)).status).toBe(404);
  }, 300_000);
});
