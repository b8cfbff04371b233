/**
 * Guarded changes against a REAL OpenClaw gateway (fake model server): a good change passes its
 * health check; a model that cannot answer is rolled back automatically and the agent answers
 * again; a config the gateway refuses is rolled back; a rollback by hand restores the last good
 * snapshot; a restart with drain waits for a turn in flight. One gateway for the whole file.
 */
import { readFileSync } from 'node:fs';
import { signCommand } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenclawGateway } from './fixtures/openclaw-gateway.js';
import type { MiniHub } from './helpers/mini-hub.js';
import { startRealGatewayEnv, stopRealGatewayEnv } from './helpers/real-gateway.js';
import { type TestSidecar, uniqueId } from './helpers/sidecar.js';

const id = uniqueId('chg');
let gw: OpenclawGateway;
let hub: MiniHub;
let t: TestSidecar;

beforeAll(async () => {
  ({ gw, hub, t } = await startRealGatewayEnv(id, { batchIntervalMs: 300 }, { readyTimeoutMs: 280_000 }));
}, 300_000);

afterAll(() => stopRealGatewayEnv({ gw, hub, t }));

type Rec = Record<string, unknown>;
const results = (commandId: string) =>
  hub.stored.filter((m) => m.kind === 'cmd-result' && m.message.commandId === commandId).map((m) => m.message as Rec);
const events = () =>
  hub.stored
    .filter((m) => m.instanceId === id && m.kind === 'events')
    .flatMap((m) => m.message.events as { type: string; data?: Rec }[]);
const DONE = ['succeeded', 'failed', 'rejected', 'timed_out'];

let n = 0;
async function send(type: string, params: Rec, timeoutMs = 590_000): Promise<string> {
  const now = Date.now();
  const cmd = signCommand(
    {
      v: 1,
      id: `c-${process.pid}-${++n}`,
      instanceId: id,
      type,
      params,
      issuedAt: now,
      expiresAt: now + timeoutMs,
      issuer: 'test',
    },
    t.keys.privateKeyPem,
  );
  await hub.publishCmd(id, cmd);
  return cmd.id;
}
async function finished(commandId: string, timeoutMs = 595_000): Promise<Rec> {
  await hub.waitFor(() => results(commandId).some((r) => DONE.includes(r.state as string)), timeoutMs);
  return results(commandId).find((r) => DONE.includes(r.state as string))!;
}
const command = async (type: string, params: Rec) => finished(await send(type, params));
/** On a loaded CI machine a first turn in a fresh session can take most of a minute. */
const SLOW = { checkSec: 150 };
const modelServer = (control: Rec) =>
  fetch(`http://127.0.0.1:${gw.modelPort}/__control`, { method: 'POST', body: JSON.stringify(control) });
const configModel = () =>
  (JSON.parse(readFileSync(gw.configPath, 'utf8')) as { agents: { defaults: { model: { primary: string } } } }).agents
    .defaults.model.primary;

describe('guarded changes on a real OpenClaw gateway', () => {
  it('a good model.set passes readiness, a canary turn and the channels check', async () => {
    await hub.waitFor(() => events().some((e) => e.type === 'openclaw.state' && e.data?.up === true), 30_000);
    // The first turn of a new session prepares its workspace, which a loaded machine takes minutes
    // for: warm the canary's session up first, so the check measures the change, not the machine.
    const warm = await command('chat.send', { message: 'Hello', sessionKey: 'agent:main:ds-health' });
    expect(warm.state, JSON.stringify(warm)).toBe('succeeded');
    const r = await command('model.set', { model: 'fake/fake-model-2', ...SLOW });
    expect(r.state, JSON.stringify(r)).toBe('succeeded');
    const change = (r.result as Rec).change as Rec;
    expect(change.outcome).toBe('applied');
    expect((change.checks as Rec[]).map((c) => [c.name, c.ok])).toEqual([
      ['readyz', true],
      ['canary', true],
      ['channels', true],
    ]);
    expect(configModel()).toBe('fake/fake-model-2');
    await hub.waitFor(() => events().some((e) => e.type === 'change.snapshot'), 10_000);
  }, 620_000);

  it('a model that cannot answer is rolled back, and the agent answers again', async () => {
    await modelServer({ failModels: ['fake-model'] });
    try {
      const r = await command('model.set', { model: 'fake/fake-model', ...SLOW });
      expect(r.state, JSON.stringify(r)).toBe('failed');
      expect((r.error as Rec).code, JSON.stringify(r)).toBe('rolled_back');
      const change = (r.result as Rec).change as Rec;
      expect(change).toMatchObject({ outcome: 'rolled_back', failedCheck: 'canary' });
      expect((change.rollbackChecks as Rec[]).every((c) => c.ok)).toBe(true);
      expect(configModel()).toBe('fake/fake-model-2');
      const chat = await command('chat.send', { message: 'Are you there?', sessionKey: 'agent:main:main' });
      expect(chat.state, JSON.stringify(chat)).toBe('succeeded');
      expect((chat.result as Rec).text).toMatch(/fake model/);
      await hub.waitFor(() => events().some((e) => e.type === 'change.rolled_back'), 10_000);
    } finally {
      await modelServer({});
    }
  }, 620_000);

  it('a config the gateway cannot run on is rolled back', async () => {
    const r = await command('config.apply', { model: 'nosuch/model-that-is-not-configured', ...SLOW });
    expect(r.state, JSON.stringify(r)).toBe('failed');
    expect((r.error as Rec).code, JSON.stringify(r)).toBe('rolled_back');
    expect(((r.result as Rec).change as Rec).failedCheck).toMatch(/apply|canary/);
    expect(configModel()).toBe('fake/fake-model-2');
  }, 620_000);

  it('a rollback by hand restores the last good snapshot', async () => {
    const r = await command('change.rollback', { ...SLOW });
    expect(r.state, JSON.stringify(r)).toBe('succeeded');
    const res = r.result as Rec;
    expect(res.healthy).toBe(true);
    expect((res.snapshot as Rec).model).toBe('fake/fake-model');
    expect(configModel()).toBe('fake/fake-model');
  }, 620_000);

  it('a restart with drain waits for the turn in flight, then restarts', async () => {
    await modelServer({ delayMs: 8000 });
    try {
      const chatId = await send('chat.send', { message: 'Take your time.', sessionKey: 'agent:main:main' });
      // The turn is in flight once the gateway has taken it (its session shows as running).
      await hub.waitFor(() => results(chatId).some((r) => r.state === 'running'), 20_000);
      const gateway = t.sidecar.gateway!;
      const running = async () =>
        (
          (await gateway.request<{ sessions?: Rec[] }>('sessions.list', {}, 30_000).catch(() => ({ sessions: [] })))
            .sessions ?? []
        ).some((x) => x.key === 'agent:main:main' && x.status === 'running');
      for (const end = Date.now() + 90_000; !(await running()); ) {
        if (Date.now() > end) throw new Error('the turn never showed as running');
        await new Promise((r) => setTimeout(r, 200));
      }
      const restartId = await send('openclaw.restart', { drain: true, drainSec: 200, waitReadySec: 120 });
      const restart = await finished(restartId);
      const chat = await finished(chatId, 10_000);
      expect(chat.state, JSON.stringify(chat)).toBe('succeeded');
      expect(restart.state, JSON.stringify(restart)).toBe('succeeded');
      const drain = (restart.result as Rec).drain as Rec;
      expect(drain.turns).toBeGreaterThanOrEqual(1);
      expect(drain.timedOut).toBe(false);
      const msgs = results(restartId).map((x) => (x.progress as Rec | undefined)?.message as string | undefined);
      expect(msgs.some((m) => m?.startsWith('drain: waiting for 1 conversation turn'))).toBe(true);
      // Cut by the restart, the turn would have ended in an error, not with the model's whole reply.
      expect((chat.result as Rec).text).toMatch(/Hello from the fake model/);
    } finally {
      await modelServer({});
    }
  }, 620_000);

  it("config.apply sets OpenClaw's concurrency and queue limits, reports the old values, and puts them back", async () => {
    await hub.waitFor(() => events().some((e) => e.type === 'openclaw.state' && e.data?.up === true), 30_000);
    // Warm the canary's session (as above) when this test runs on its own.
    await command('chat.send', { message: 'Hello', sessionKey: 'agent:main:ds-health' });
    const limits = {
      maxConcurrent: 1,
      subagentsMaxConcurrent: 1,
      queueMode: 'collect',
      queueCap: 5,
      inboundDebounceMs: 5000,
    };
    const on = await command('config.apply', { limits, ...SLOW });
    expect(on.state, JSON.stringify(on)).toBe('succeeded');
    const res = on.result as Rec;
    expect(res.applied).toEqual(expect.arrayContaining(['limits.maxConcurrent', 'limits.queueMode']));
    // The gateway's own config file now holds them, where OpenClaw reads them.
    const cfg = () => JSON.parse(readFileSync(gw.configPath, 'utf8')) as { agents: { defaults: Rec }; messages?: Rec };
    expect(cfg().agents.defaults.maxConcurrent).toBe(1);
    expect((cfg().agents.defaults.subagents as Rec).maxConcurrent).toBe(1);
    expect(cfg().messages?.queue).toMatchObject({ mode: 'collect', cap: 5 });
    expect((cfg().messages?.inbound as Rec | undefined)?.debounceMs).toBe(5000);
    const previous = res.previousLimits as Rec;
    expect(Object.keys(previous).sort()).toEqual(Object.keys(limits).sort());

    const off = await command('config.apply', { limits: previous, ...SLOW });
    expect(off.state, JSON.stringify(off)).toBe('succeeded');
    const back = cfg();
    expect(back.agents.defaults.maxConcurrent ?? null).toBe(previous.maxConcurrent);
    expect((back.messages?.queue as Rec | undefined)?.mode ?? null).toBe(previous.queueMode);
    expect((back.messages?.inbound as Rec | undefined)?.debounceMs ?? null).toBe(previous.inboundDebounceMs);
  }, 900_000);
});
