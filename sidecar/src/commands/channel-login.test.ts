/**
 * `channel.login` against a local stand-in gateway speaking the real gateway's wire format for
 * web.login.start / web.login.wait (see test/fixtures/web-login-gateway.ts for why: a QR code needs
 * WhatsApp's servers). The real gateway's offline answers are tested in test/channel-login.test.ts.
 */
import { generateHubKeyPair } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebLoginGateway, type WebLoginGateway } from '../../test/fixtures/web-login-gateway.js';
import { parseConfig } from '../config.js';
import { silentLogger } from '../log.js';
import { GatewayClient } from '../openclaw/gateway-client.js';
import { channelLogin } from './channel-login.js';
import type { CommandContext, Progress } from './types.js';

let stand: WebLoginGateway;
let gw: GatewayClient;
beforeAll(async () => {
  stand = await startWebLoginGateway({ rotateMs: 400 });
  gw = new GatewayClient({ url: stand.wsUrl, token: () => stand.token, log: silentLogger });
  gw.start();
  await gw.waitUp(10_000);
});
afterAll(async () => {
  await gw?.stop();
  await stand?.close();
});

function ctx(progress: Progress[], params: Record<string, unknown> = {}, ms = 60_000): CommandContext {
  return {
    command: {} as never,
    params: { channel: 'whatsapp', force: false, waitSec: 180, ...params },
    signal: new AbortController().signal,
    deadline: Date.now() + ms,
    progress: (p) => progress.push(p),
    gateway: gw,
    config: parseConfig({
      hub: 'mqtt://x',
      instanceId: 'inst-1',
      secret: 's',
      hubKey: generateHubKeyPair().publicKey,
      stateDir: '/tmp',
    }),
    state: null as never,
    emit: { event: () => {}, logLines: () => {}, conversations: () => {} },
    log: silentLogger,
    now: Date.now,
    startedAt: Date.now(),
  };
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e) => e as { code: string; message: string },
  );

describe('channel.login', () => {
  it('reports each QR code OpenClaw rotates to, then connected once scanned', async () => {
    stand.mode = 'qr';
    const progress: Progress[] = [];
    const run = channelLogin(ctx(progress));
    await expect.poll(() => progress.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    stand.scan();
    const r = await run;
    expect(r).toEqual({ channel: 'whatsapp', connected: true, message: expect.stringContaining('Linked') });
    const images = progress.map((p) => p.image);
    expect(images.every((i) => i?.startsWith('data:image/png;base64,'))).toBe(true);
    expect(new Set(images).size).toBe(images.length);
    expect(images).toEqual(stand.qrs.slice(-images.length));
    expect(progress[0].message).toContain('Linked Devices');
    expect(progress[1].message).toContain('QR refreshed');
  });

  it('WhatsApp unreachable from the server: fails with that reason and OpenClaw own words', async () => {
    stand.mode = 'unreachable';
    const progress: Progress[] = [];
    const e = await failure(channelLogin(ctx(progress)));
    expect(e?.code).toBe('CHANNEL_LOGIN_UNREACHABLE');
    expect(e?.message).toContain("cannot reach WhatsApp's servers");
    expect(e?.message).toContain('ENOTFOUND web.whatsapp.com');
    expect(progress).toEqual([]);
  });

  it('no WhatsApp plugin in OpenClaw: fails as unavailable', async () => {
    stand.mode = 'no-plugin';
    const e = await failure(channelLogin(ctx([])));
    expect(e?.code).toBe('CHANNEL_LOGIN_UNAVAILABLE');
    expect(e?.message).toContain('web login provider is not available');
  });

  it('not scanned before the command runs out: fails as timed out, before the deadline', async () => {
    stand.mode = 'qr';
    const t0 = Date.now();
    const progress: Progress[] = [];
    const e = await failure(channelLogin(ctx(progress, {}, 5000)));
    expect(e?.code).toBe('CHANNEL_LOGIN_TIMEOUT');
    expect(e?.message).toContain('not scanned');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(progress.length).toBeGreaterThan(1);
  });
});
