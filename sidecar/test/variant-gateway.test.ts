/**
 * config.apply's A/B `variant` against a REAL OpenClaw gateway (fake model server): the second
 * agent with its own workspace and the peer bindings pass OpenClaw's own config validation and
 * the guarded change's checks, the gateway's roster then holds both agents (`main` still serving
 * everyone else), each answers in its own session with its own persona (the system prompt the
 * model server is sent), and `remove` gives the config back as it was before.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

type Rec = Record<string, unknown>;
const events = () =>
  hub.stored
    .filter((m) => m.instanceId === id && m.kind === 'events')
    .flatMap((m) => m.message.events as { type: string; data?: Rec }[]);

const DONE = ['succeeded', 'failed', 'rejected', 'timed_out'];
let n = 0;
async function command(type: string, params: Rec): Promise<Rec> {
  const now = Date.now();
  const cmd = signCommand(
    {
      v: 1,
      id: `v-${process.pid}-${++n}`,
      instanceId: id,
      type,
      params,
      issuedAt: now,
      expiresAt: now + 300_000,
      issuer: 'test',
    },
    t.keys.privateKeyPem,
  );
  await hub.publishCmd(id, cmd);
  const results = () =>
    hub.stored.filter((m) => m.kind === 'cmd-result' && m.message.commandId === cmd.id).map((m) => m.message as Rec);
  // Any answer (delivered, or rejected with its reason) comes within seconds; no answer at all is
  // a fault of its own, told apart from a slow change.
  await hub
    .waitFor(() => results().length > 0, 30_000)
    .catch(() => {
      throw new Error(`${type} ${cmd.id}: the sidecar never answered (${JSON.stringify(t.sidecar.stats().commands)})`);
    });
  await hub.waitFor(() => results().some((r) => DONE.includes(r.state as string)), 300_000);
  return results().find((r) => DONE.includes(r.state as string)) as Rec;
}
/** On a loaded machine a first turn in a fresh session can take most of a minute. */
const SLOW = { checkSec: 150 };
const config = () => JSON.parse(readFileSync(gw.configPath, 'utf8')) as Rec;
/** The config without OpenClaw's own bookkeeping (`meta`: migrations done, last version to write it). */
const authored = () => {
  const { meta: _meta, ...rest } = config();
  return rest;
};
/** The system prompt the model server was sent for the turn that carried `text` (the turn runs after chat.send answers). */
async function systemPromptFor(text: string): Promise<string> {
  const turn = async () => {
    const r = await fetch(`http://127.0.0.1:${gw.modelPort}/__requests`);
    return ((await r.json()) as { system: string; user: string }[]).find((s) => s.user.includes(text));
  };
  await expect.poll(turn, { timeout: SLOW.checkSec * 1000, interval: 500 }).toBeDefined();
  return (await turn())!.system;
}
const roster = async () =>
  ((await t.sidecar.gateway!.request<{ agents?: { id: string }[] }>('agents.list', {})).agents ?? []).map((a) => a.id);

/**
 * Off by default (DS_TEST_VARIANT_GATEWAY=1 runs it; so does `npm run bench -- --only variant`):
 * on a 2-core machine the gateway's start, two changes with their health checks and four turns
 * take over a minute, longer than a test in `npm test` may.
 */
describe.runIf(process.env.DS_TEST_VARIANT_GATEWAY === '1')('A/B variant agent on a real OpenClaw gateway', () => {
  beforeAll(async () => {
    ({ gw, hub, t } = await startRealGatewayEnv(
      id,
      // The gateway polled every 5 s, not every second: on a loaded machine its answers take longer
      // than a second, and the polls pile up on it.
      { batchIntervalMs: 300, openclawPollMs: 5000 },
      { readyTimeoutMs: 280_000 },
    ));
    // A command published before the sidecar has subscribed reaches nobody (a new MQTT session has
    // nothing to queue it in): wait until it is online and attached to the gateway.
    await hub.waitFor(() => events().some((e) => e.type === 'openclaw.state' && e.data?.up === true), 60_000);
  }, 360_000);
  afterAll(() => stopRealGatewayEnv({ gw, hub, t }));

  it('adds the variant agent beside main with its bindings, serves both, then removes it', async () => {
    // Variant A is main as it is: its persona is the client's own.
    writeFileSync(path.join(gw.workspace, 'SOUL.md'), '# Variant A\n\nYou are thorough.');
    // The first turn of a new session prepares its workspace: warm the health check's canary up,
    // so the check measures the change, not the machine.
    const warm = await command('chat.send', { message: 'Hello', sessionKey: 'agent:main:ds-health' });
    expect(warm.state, JSON.stringify(warm)).toBe('succeeded');
    const before = authored();

    const r = await command('config.apply', {
      variant: {
        agentId: 'ab-b',
        files: { 'SOUL.md': '# Variant B\n\nYou are brief.', 'AGENTS.md': '# Rules\n\n- Explain returns.' },
        channels: ['telegram'],
        peers: [{ channel: 'telegram', kind: 'direct', id: '42' }],
      },
      ...SLOW,
    });
    expect(r.state, JSON.stringify(r)).toBe('succeeded');
    expect((r.result as { applied: string[] }).applied).toContain('variant.ab-b');
    expect(((r.result as Rec).change as Rec).outcome).toBe('applied');
    const c = config() as {
      agents: { entries: Record<string, { workspace: string }>; ownership: string; defaults: Rec };
      bindings: Rec[];
      session: Rec;
    };
    // `main` stays in the roster, on its own workspace; the variant has its own.
    expect(c.agents.entries.main.workspace).toBe(gw.workspace);
    const ws = c.agents.entries['ab-b'].workspace;
    expect(ws).toBe(path.join(gw.stateDir, 'workspace-ab-b'));
    expect(readFileSync(path.join(ws, 'AGENTS.md'), 'utf8')).toContain('Explain returns');
    expect(c.agents.ownership).toBe('explicit');
    expect(c.agents.defaults.systemAgent).toEqual({ agentId: 'main' });
    expect(c.bindings).toEqual([
      { agentId: 'ab-b', match: { channel: 'telegram', accountId: '*', peer: { kind: 'direct', id: '42' } } },
      { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
    ]);
    expect(c.session.dmScope).toBe('per-channel-peer');
    // The gateway itself now runs both agents.
    await expect.poll(roster, { timeout: 60_000 }).toEqual(expect.arrayContaining(['main', 'ab-b']));

    // Person 42 (variant B) and person 43 (variant A) each have a per-person session on their agent,
    // and each agent answers with its own persona.
    for (const [sessionKey, text] of [
      ['agent:ab-b:telegram:direct:42', 'Where is my order? (42)'],
      ['agent:main:telegram:direct:43', 'Where is my order? (43)'],
    ]) {
      const turn = await command('chat.send', { message: text, sessionKey });
      expect(turn.state, JSON.stringify(turn)).toBe('succeeded');
    }
    const promptB = await systemPromptFor('(42)');
    const promptA = await systemPromptFor('(43)');
    expect(promptB).toContain('You are brief.');
    expect(promptB).toContain('Explain returns.');
    expect(promptB).not.toContain('You are thorough.');
    expect(promptA).toContain('You are thorough.');
    expect(promptA).not.toContain('You are brief.');

    const off = await command('config.apply', {
      variant: { agentId: 'ab-b', files: {}, channels: [], peers: [], remove: true },
      ...SLOW,
    });
    expect(off.state, JSON.stringify(off)).toBe('succeeded');
    expect((off.result as { applied: string[] }).applied).toContain('variant.ab-b.removed');
    // Everything the variant set is gone, and what it changed is as it was.
    expect(authored()).toEqual(before);
    expect(existsSync(ws)).toBe(true); // the files stay for the record; nothing routes to them
    await expect.poll(roster, { timeout: 60_000 }).toEqual(['main']);
  }, 900_000);
});
