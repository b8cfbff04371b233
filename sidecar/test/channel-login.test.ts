/**
 * `channel.login` (WhatsApp QR pairing) against a REAL OpenClaw gateway (openclaw@2026.9.6 under
 * Node 24), through a minimal hub on aedes and the sidecar's dispatcher.
 *
 * What the real gateway does here (measured): WhatsApp is not bundled with OpenClaw; it is the
 * official external plugin `@openclaw/whatsapp`, which the test runtime does not have (installing
 * it takes the npm registry, and with it the gateway would try to reach WhatsApp's servers).
 * - WhatsApp not in the config: `web.login.start` fails `INVALID_REQUEST: web login provider is
 *   not available`.
 * - `channels.whatsapp.enabled` in the config: the same error plus OpenClaw's repair hint,
 *   `Install the official external plugin with: openclaw plugins install @openclaw/whatsapp, …`.
 * With the plugin installed and no internet (seen once by hand, not run here), `web.login.start`
 * answers ok with `{message: "WhatsApp login failed: WebSocket Error (getaddrinfo ENOTFOUND
 * web.whatsapp.com)"}` and no QR; `src/commands/channel-login.test.ts` covers that answer and the
 * QR rotation with a stand-in gateway speaking the same wire format.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { signCommand } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenclawGateway } from './fixtures/openclaw-gateway.js';
import type { MiniHub } from './helpers/mini-hub.js';
import { startRealGatewayEnv, stopRealGatewayEnv } from './helpers/real-gateway.js';
import { type TestSidecar, uniqueId } from './helpers/sidecar.js';

const id = uniqueId('wa');
let gw: OpenclawGateway;
let hub: MiniHub;
let t: TestSidecar;

beforeAll(async () => {
  ({ gw, hub, t } = await startRealGatewayEnv(id));
  await hub.waitFor(() => t.sidecar.gateway?.connected === true, 60_000);
}, 240_000);

afterAll(() => stopRealGatewayEnv({ gw, hub, t }));

const results = (commandId: string) =>
  hub.stored
    .filter((m) => m.kind === 'cmd-result' && m.message.commandId === commandId)
    .map((m) => m.message as { state: string; error?: { code: string; message: string }; progress?: unknown });

let n = 0;
async function pair(timeoutMs = 60_000) {
  const now = Date.now();
  const cmd = signCommand(
    {
      v: 1,
      id: `wa-${process.pid}-${++n}`,
      instanceId: id,
      type: 'channel.login',
      params: { channel: 'whatsapp' },
      issuedAt: now,
      expiresAt: now + timeoutMs,
      issuer: 'test',
    },
    t.keys.privateKeyPem,
  );
  await hub.publishCmd(id, cmd);
  await hub.waitFor(
    () => results(cmd.id).some((r) => ['succeeded', 'failed', 'rejected', 'timed_out'].includes(r.state)),
    timeoutMs + 5000,
  );
  return results(cmd.id);
}

describe('channel.login with the real OpenClaw gateway (no WhatsApp plugin, no internet)', () => {
  it('WhatsApp not configured: fails with the gateway reason, no QR, no crash', async () => {
    const rs = await pair();
    const last = rs.at(-1)!;
    expect(rs.map((r) => r.state)).toEqual(['delivered', 'running', 'failed']);
    expect(last.error?.code).toBe('CHANNEL_LOGIN_UNAVAILABLE');
    expect(last.error?.message).toContain('OpenClaw on this server has no WhatsApp login');
    expect(last.error?.message).toContain('web login provider is not available');
    expect(rs.some((r) => r.progress)).toBe(false);
  }, 90_000);

  it('WhatsApp turned on in the config: fails naming the plugin to install, sidecar still serving', async () => {
    const cfg = JSON.parse(readFileSync(gw.configPath, 'utf8'));
    cfg.channels = { ...(cfg.channels ?? {}), whatsapp: { enabled: true } };
    writeFileSync(gw.configPath, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    // OpenClaw reloads its config file on its own; poll until the answer carries the hint.
    let last: { state: string; error?: { code: string; message: string } } | undefined;
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      last = (await pair()).at(-1);
      if (last?.error?.message.includes('openclaw plugins install')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(last?.state).toBe('failed');
    expect(last?.error?.code).toBe('CHANNEL_LOGIN_UNAVAILABLE');
    expect(last?.error?.message).toContain('its WhatsApp plugin is not installed');
    expect(last?.error?.message).toContain('openclaw plugins install @openclaw/whatsapp');
    expect(t.sidecar.gateway?.connected).toBe(true);
  }, 120_000);
});
