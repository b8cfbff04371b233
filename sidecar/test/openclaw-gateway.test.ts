/**
 * The sidecar against a REAL OpenClaw gateway (openclaw@2026.9.6 under Node 24, fake model server)
 * and a minimal hub on aedes: health, version, a chat turn as conversation messages with token
 * counts, model.set, pause/resume, restart, config.get, logs. One gateway for the whole file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signCommand } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenclawGateway } from './fixtures/openclaw-gateway.js';
import type { MiniHub } from './helpers/mini-hub.js';
import { startRealGatewayEnv, stopRealGatewayEnv } from './helpers/real-gateway.js';
import { type TestSidecar, uniqueId } from './helpers/sidecar.js';

const id = uniqueId('oc');
let gw: OpenclawGateway;
let hub: MiniHub;
let t: TestSidecar;

beforeAll(async () => {
  ({ gw, hub, t } = await startRealGatewayEnv(id, { batchIntervalMs: 300 }));
}, 240_000);

afterAll(() => stopRealGatewayEnv({ gw, hub, t }));

const events = () =>
  hub.stored
    .filter((m) => m.instanceId === id && m.kind === 'events')
    .flatMap((m) => m.message.events as { type: string; data?: Record<string, unknown> }[]);
const results = (commandId: string) =>
  hub.stored
    .filter((m) => m.kind === 'cmd-result' && m.message.commandId === commandId)
    .map((m) => m.message as Record<string, unknown>);
const conversations = () =>
  hub.stored
    .filter((m) => m.instanceId === id && m.kind === 'conversations')
    .flatMap((m) => m.message.messages as Record<string, unknown>[]);

let n = 0;
async function command(
  type: string,
  params: Record<string, unknown>,
  timeoutMs = 90_000,
): Promise<Record<string, unknown>[]> {
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
  await hub.waitFor(
    () => results(cmd.id).some((r) => ['succeeded', 'failed', 'rejected', 'timed_out'].includes(r.state as string)),
    timeoutMs + 5000,
  );
  return results(cmd.id);
}
const final = (rs: Record<string, unknown>[]) => rs[rs.length - 1];

describe('sidecar with a real OpenClaw gateway', () => {
  it('connects with the token from the OpenClaw config and reports health, version and model', async () => {
    await hub.waitFor(
      () => events().some((e) => e.type === 'openclaw.state' && e.data?.up === true && e.data?.model),
      30_000,
    );
    const st = events()
      .filter((e) => e.type === 'openclaw.state' && e.data?.up === true)
      .at(-1)!;
    expect(st.data).toMatchObject({
      present: true,
      up: true,
      ready: true,
      version: gw.runtime.version,
      model: 'fake/fake-model',
      paused: false,
    });
    expect(events().some((e) => e.type === 'openclaw.up')).toBe(true);
    expect(t.sidecar.gateway?.hello?.version).toBe('2026.9.6');
    expect(hub.rejected).toEqual([]);
  });

  it('chat.send streams the reply, and the turn arrives as conversation messages with token counts', async () => {
    const rs = await command('chat.send', { message: 'hello from the test' }, 120_000);
    expect(final(rs)).toMatchObject({ state: 'succeeded' });
    const result = final(rs).result as Record<string, unknown>;
    expect(result.text).toContain('Hello from the fake model');
    expect(result).toMatchObject({ model: 'fake/fake-model', tokensIn: 1234, tokensOut: 12 });
    expect(
      rs.filter((r) => r.state === 'running' && (r.progress as { message?: string })?.message).length,
    ).toBeGreaterThan(0);
    await hub.waitFor(() => conversations().some((m) => m.role === 'assistant'), 30_000);
    const user = conversations().find((m) => m.role === 'user')!;
    const reply = conversations().find((m) => m.role === 'assistant')!;
    expect(user).toMatchObject({ sessionKey: 'agent:main:main', text: 'hello from the test' });
    expect(reply).toMatchObject({
      sessionKey: 'agent:main:main',
      tokensIn: 1234,
      tokensOut: 12,
      model: 'fake/fake-model',
      provider: 'fake',
    });
    expect(reply.latencyMs).toBeGreaterThan(0);
  }, 150_000);

  it('model.set changes the gateway model live; config.get redacts secrets', async () => {
    const rs = await command('model.set', { model: 'fake/fake-model-2' });
    expect(final(rs)).toMatchObject({
      state: 'succeeded',
      result: { model: 'fake/fake-model-2', previous: 'fake/fake-model' },
    });
    const onDisk = JSON.parse(readFileSync(gw.configPath, 'utf8'));
    expect(onDisk.agents.defaults.model.primary).toBe('fake/fake-model-2');
    const cg = final(await command('config.get', {}));
    expect(cg.state).toBe('succeeded');
    const text = JSON.stringify(cg.result);
    expect(text).not.toContain(gw.token);
    expect(text).not.toContain('sk-fake');
    expect(text).toContain('fake-model-2');
    await hub.waitFor(
      () => events().some((e) => e.type === 'openclaw.state' && e.data?.model === 'fake/fake-model-2'),
      15_000,
    );
  }, 120_000);

  it('agent.pause and agent.resume stop and start channels and remember the state on disk', async () => {
    const p = final(await command('agent.pause', {}));
    expect(p).toMatchObject({ state: 'succeeded', result: { paused: true } });
    expect(JSON.parse(readFileSync(path.join(t.stateDir, 'state.json'), 'utf8')).paused).toBe(true);
    await hub.waitFor(() => events().some((e) => e.type === 'openclaw.state' && e.data?.paused === true), 15_000);
    const r = final(await command('agent.resume', {}));
    expect(r).toMatchObject({ state: 'succeeded', result: { paused: false } });
    expect(JSON.parse(readFileSync(path.join(t.stateDir, 'state.json'), 'utf8')).paused).toBe(false);
  }, 120_000);

  it('gateway logs are followed, parsed and shipped; logs.tail answers', async () => {
    await hub
      .waitFor(() => hub.stored.some((m) => m.instanceId === id && m.kind === 'logs'), 20_000)
      .catch(() => {
        throw new Error(
          `no logs; refused: ${hub.rejected.slice(0, 3).join(' / ')}; stats ${JSON.stringify(t.sidecar.stats())}`,
        );
      });
    const lines = hub.stored
      .filter((m) => m.instanceId === id && m.kind === 'logs')
      .flatMap((m) => m.message.lines as { subsystem: string; msg: string }[]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.subsystem !== '')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(gw.token);
    const tail = final(await command('logs.tail', { lines: 5 }));
    expect(tail).toMatchObject({ state: 'succeeded' });
    expect((tail.result as { lines: unknown[] }).lines.length).toBeGreaterThan(0);
  }, 60_000);

  it('openclaw.restart restarts the gateway; the sidecar sees it go down and come back; no turn is sent twice', async () => {
    const before = conversations().length;
    const downs = () => events().filter((e) => e.type === 'openclaw.down').length;
    const downsBefore = downs();
    const rs = await command('openclaw.restart', { waitReadySec: 60 }, 150_000);
    expect(final(rs)).toMatchObject({ state: 'succeeded', result: { method: 'gateway.restart.request' } });
    expect((final(rs).result as { readyAfterMs: number | null }).readyAfterMs).toBeGreaterThan(0);
    // A restart the sidecar asked for reads as restarting, not as a failure.
    await hub.waitFor(() => events().some((e) => e.type === 'openclaw.restarting'), 10_000);
    expect(downs()).toBe(downsBefore);
    await hub.waitFor(() => events().filter((e) => e.type === 'openclaw.up').length >= 2, 60_000);
    // the catch-up after the reconnect found nothing new: no duplicates
    await new Promise((r) => setTimeout(r, 1500));
    const ids = conversations().map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(conversations().length).toBe(before);
  }, 180_000);
});
