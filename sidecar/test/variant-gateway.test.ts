/**
 * config.apply's A/B `variant` against a REAL OpenClaw gateway (fake model server): the second
 * agent with its own workspace and the peer bindings are accepted by the gateway, pass the guarded
 * change's checks, and `remove` takes them away again.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signCommand } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenclawGateway } from './fixtures/openclaw-gateway.js';
import type { MiniHub } from './helpers/mini-hub.js';
import { startRealGatewayEnv, stopRealGatewayEnv } from './helpers/real-gateway.js';
import { type TestSidecar, uniqueId } from './helpers/sidecar.js';

const id = uniqueId('abv');
let gw: OpenclawGateway;
let hub: MiniHub;
let t: TestSidecar;

beforeAll(async () => {
  ({ gw, hub, t } = await startRealGatewayEnv(id, { batchIntervalMs: 300 }, { readyTimeoutMs: 280_000 }));
}, 300_000);
afterAll(() => stopRealGatewayEnv({ gw, hub, t }));

type Rec = Record<string, unknown>;
const DONE = ['succeeded', 'failed', 'rejected', 'timed_out'];
let n = 0;
async function command(params: Rec): Promise<Rec> {
  const now = Date.now();
  const cmd = signCommand(
    {
      v: 1,
      id: `v-${process.pid}-${++n}`,
      instanceId: id,
      type: 'config.apply',
      params,
      issuedAt: now,
      expiresAt: now + 590_000,
      issuer: 'test',
    },
    t.keys.privateKeyPem,
  );
  await hub.publishCmd(id, cmd);
  const results = () =>
    hub.stored.filter((m) => m.kind === 'cmd-result' && m.message.commandId === cmd.id).map((m) => m.message as Rec);
  await hub.waitFor(() => results().some((r) => DONE.includes(r.state as string)), 595_000);
  return results().find((r) => DONE.includes(r.state as string)) as Rec;
}
const config = () => JSON.parse(readFileSync(gw.configPath, 'utf8')) as Rec;

describe('A/B variant agent on a real OpenClaw gateway', () => {
  it('adds the variant agent and its bindings, then removes them', async () => {
    const r = await command({
      variant: {
        agentId: 'ab-b',
        files: { 'SOUL.md': '# Variant B\n\nYou are brief.', 'AGENTS.md': '# Rules\n\n- Explain returns.' },
        channels: ['telegram'],
        peers: [{ channel: 'telegram', kind: 'direct', id: '42' }],
      },
      checkSec: 150,
    });
    expect(r.state, JSON.stringify(r)).toBe('succeeded');
    expect((r.result as { applied: string[] }).applied).toContain('variant.ab-b');
    const c = config() as { agents: { entries: Rec }; bindings: Rec[]; session: Rec };
    const ws = (c.agents.entries['ab-b'] as { workspace: string }).workspace;
    expect(readFileSync(path.join(ws, 'AGENTS.md'), 'utf8')).toContain('Explain returns');
    expect(c.bindings).toEqual([
      { agentId: 'ab-b', match: { channel: 'telegram', accountId: '*', peer: { kind: 'direct', id: '42' } } },
      { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
    ]);
    expect(c.session.dmScope).toBe('per-channel-peer');

    const off = await command({
      variant: { agentId: 'ab-b', files: {}, channels: [], peers: [], remove: true },
      checkSec: 150,
    });
    expect(off.state, JSON.stringify(off)).toBe('succeeded');
    const after = config() as { agents: { entries?: Rec }; bindings?: unknown };
    expect(after.agents.entries?.['ab-b']).toBeUndefined();
    expect(after.bindings).toBeUndefined();
    expect(existsSync(ws)).toBe(true); // the files stay for the record; nothing routes to them
  }, 1_200_000);
});
