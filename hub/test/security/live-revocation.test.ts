import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/sidecar-proc.js';
import { startMailSink } from './mail-sink.js';
import { login, makeTenant, PASSWORD, serviceToken, type Tenant } from './tenants.js';

/**
 * The live stream follows revocations at once: a disabled user, a logged-out session, a reset
 * password, a changed role and a revoked token lose their sockets well before the periodic
 * re-check (30 s) would find them. Cookie sockets must come from the dashboard's origin.
 */
describe('live stream revocation and origin', () => {
  let hub: TestHub;
  let sink: Awaited<ReturnType<typeof startMailSink>>;
  let a: Tenant;
  const open: Socket[] = [];

  /** Connects and resolves 'ok' or the refusal's message. */
  const connect = (opts: { token?: string; headers?: Record<string, string> }) =>
    new Promise<{ result: string; sock: Socket }>((res) => {
      const sock = io(hub.httpUrl, {
        ...(opts.token ? { auth: { token: opts.token } } : {}),
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: opts.headers ?? {},
      });
      open.push(sock);
      sock.once('connect', () => res({ result: 'ok', sock }));
      sock.once('connect_error', (e) => res({ result: e.message, sock }));
    });
  const connected = async (token: string) => {
    const c = await connect({ token });
    expect(c.result).toBe('ok');
    return c.sock;
  };
  /** Waits for the hub to drop the socket: far sooner than the periodic re-check. */
  const dropped = (sock: Socket) => until(() => !sock.connected, 8_000, 'socket disconnected by the hub');

  beforeAll(async () => {
    sink = await startMailSink();
    hub = await startTestHub({ mailTransport: sink.url });
    a = await makeTenant(hub, 'live');
  }, 180_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await hub?.close();
    await sink?.close();
  });

  it('drops the sockets of a disabled user', async () => {
    const sock = await connected(a.viewer);
    const other = await connected(a.owner);
    expect((await hub.api('PATCH', `/users/${a.viewerId}`, { disabled: true })).status).toBe(200);
    await dropped(sock);
    expect(other.connected).toBe(true);
    expect((await connect({ token: a.viewer })).result).toBe('unauthorized');
    expect((await hub.api('PATCH', `/users/${a.viewerId}`, { disabled: false })).status).toBe(200);
  });

  it('drops the socket of a session that logged out, not the same user’s other sessions', async () => {
    const second = await login(hub, 'client_owner@live.test');
    const sock = await connected(second);
    const keep = await connected(a.owner);
    expect((await hub.api('POST', '/auth/logout', undefined, second)).status).toBe(204);
    await dropped(sock);
    expect(keep.connected).toBe(true);
  });

  it('drops every socket of a user whose password was reset', async () => {
    const sock = await connected(a.owner);
    expect((await hub.api('POST', '/auth/password-reset', { email: 'client_owner@live.test' }, '')).status).toBe(202);
    const token = /token=([A-Za-z0-9_-]+)/.exec(sink.mails.at(-1)?.text ?? '')?.[1];
    expect(
      (await hub.api('POST', '/auth/password-reset/confirm', { token, password: 'new-password-456' }, '')).status,
    ).toBe(204);
    await dropped(sock);
    a.owner = await login(hub, 'client_owner@live.test', 'new-password-456');
  });

  it('drops the sockets of a user whose role changed, and of a revoked API token', async () => {
    const viewer = await login(hub, 'client_viewer@live.test', PASSWORD);
    const sock = await connected(viewer);
    expect((await hub.api('PATCH', `/users/${a.viewerId}`, { role: 'client_owner' })).status).toBe(200);
    await dropped(sock);

    const reader = await serviceToken(hub, 'live-reader', ['read']);
    const tsock = await connected(reader.token);
    expect((await hub.api('DELETE', `/tokens/${reader.tokenId}`)).status).toBe(204);
    await dropped(tsock);
  });

  it('re-checks rooms when a token’s user changes client or role without losing the token', async () => {
    // A token stays valid across a role change the database makes directly; the re-check moves
    // the socket out of the rooms it may no longer be in.
    const reader = await serviceToken(hub, 'live-mover', ['read']);
    const sock = await connected(reader.token);
    const fleetRoom = () => hub.live.io.sockets.adapter.rooms.get('fleet')?.has(sock.id as string) ?? false;
    await until(() => fleetRoom(), 5_000, 'in the fleet room');
    await hub.db.query("UPDATE users SET role = 'client_viewer', client_id = $2 WHERE id = $1", [
      reader.accountId,
      a.client,
    ]);
    await hub.live.recheck();
    expect(fleetRoom()).toBe(false);
    expect(hub.live.io.sockets.adapter.rooms.get(`client:${a.client}`)?.has(sock.id as string)).toBe(true);
    expect(sock.connected).toBe(true);
  });

  it('refuses cookie sockets from another origin; bearer sockets do not depend on Origin', async () => {
    const res = await fetch(`${hub.httpUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'client_owner@live.test', password: 'new-password-456' }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^ds_session=/);
    const host = new URL(hub.httpUrl).host;
    expect((await connect({ headers: { cookie, origin: 'https://evil.example' } })).result).toBe('forbidden');
    expect((await connect({ headers: { cookie, origin: 'null' } })).result).toBe('forbidden');
    expect((await connect({ headers: { cookie, origin: `http://${host}` } })).result).toBe('ok');
    expect((await connect({ headers: { cookie } })).result).toBe('ok');
    expect((await connect({ token: a.owner, headers: { origin: 'https://evil.example' } })).result).toBe('ok');
  });
});
