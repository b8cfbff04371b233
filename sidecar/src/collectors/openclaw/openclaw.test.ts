/**
 * The OpenClaw state collector against a stand-in gateway whose answers the test controls: what
 * the hub is told (and so whether the instance is "online") after slow or failing detail RPCs
 * and after the gateway restarts. The real gateway's restarts are in test/openclaw-restart-state.test.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateHubKeyPair, type OpenclawState } from '@deepsignal/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../log.js';
import { GatewayRpcError } from '../../openclaw/gateway-client.js';
import type { GatewayHello, GatewayLike } from '../../openclaw/types.js';
import { SidecarState } from '../../state.js';
import type { Collector, RaisedEvent } from '../types.js';
import { createOpenclawCollector } from './index.js';

type Answer = (params: unknown) => Promise<unknown>;

/** A gateway whose RPC answers are set per method; counts the requests in flight per method. */
class StandInGateway extends EventEmitter implements GatewayLike {
  connected = false;
  hello: GatewayHello | null = null;
  readonly asked = new Map<string, number>();
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  answers: Record<string, Answer> = {
    health: async () => ({ ok: true }),
    'config.get': async () => ({ config: { agents: { defaults: { model: { primary: 'fake/one' } } } }, hash: 'h1' }),
    'channels.status': async () => ({ channelOrder: [], channels: {} }),
    'sessions.list': async () => ({ count: 2 }),
    'usage.cost': async () => ({ totals: { totalCost: 0.5 } }),
  };

  async request<T>(method: string): Promise<T> {
    if (!this.connected) throw new Error('gateway is not connected');
    this.asked.set(method, (this.asked.get(method) ?? 0) + 1);
    const n = (this.inFlight.get(method) ?? 0) + 1;
    this.inFlight.set(method, n);
    this.maxInFlight.set(method, Math.max(n, this.maxInFlight.get(method) ?? 0));
    try {
      return (await (this.answers[method] ?? (async () => ({})))({})) as T;
    } finally {
      this.inFlight.set(method, (this.inFlight.get(method) ?? 1) - 1);
    }
  }
  comeUp() {
    this.connected = true;
    this.hello = { version: '2026.9.6', methods: [], raw: {} };
    this.emit('up', this.hello);
  }
  goDown(reason = 'connection closed') {
    this.connected = false;
    this.emit('down', reason);
  }
  start() {}
  async stop() {}
  async waitUp(): Promise<GatewayHello> {
    return this.hello as GatewayHello;
  }
}

const never = () => new Promise<never>(() => {});
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Starts the collector on `gw`; `last()` is the newest state it sent. */
function start(gw: StandInGateway): { last: () => OpenclawState | undefined } {
  const dir = mkdtempSync(path.join(tmpdir(), 'oc-collector-'));
  const events: RaisedEvent[] = [];
  const c: Collector = createOpenclawCollector(
    {
      config: parseConfig({
        hub: 'mqtt://x',
        instanceId: 'inst-1',
        secret: 's',
        hubKey: generateHubKeyPair().publicKey,
        stateDir: dir,
        openclawPollMs: 500,
      }),
      log: silentLogger,
      now: Date.now,
      emit: { event: (e) => events.push(e), logLines: () => {}, conversations: () => {} },
      gateway: gw,
      state: new SidecarState(dir),
    },
    { configExists: () => true },
  );
  c.start?.();
  cleanups.push(() => {
    c.stop?.();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    last: () =>
      events
        .filter((e) => e.type === 'openclaw.state')
        .map((e) => e.data as OpenclawState)
        .at(-1),
  };
}

describe('openclaw state collector', () => {
  it('a slow or failing usage.cost keeps the gateway up and healthy, asked once at a time', async () => {
    const gw = new StandInGateway();
    gw.answers['usage.cost'] = never;
    gw.comeUp();
    const { last } = start(gw);
    await expect
      .poll(() => last())
      .toMatchObject({ up: true, ready: true, error: null, model: 'fake/one', sessions: 2 });
    // Several polls later, still one usage.cost in flight and no error from it.
    await expect.poll(() => gw.asked.get('health') ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    expect(gw.asked.get('usage.cost')).toBe(1);
    expect(last()).toMatchObject({ up: true, error: null });
    expect(last()?.costTotal).toBeUndefined();
  });

  it('a detail that fails keeps its last known value; only a failing health check is an error', async () => {
    const gw = new StandInGateway();
    gw.comeUp();
    const { last } = start(gw);
    await expect.poll(() => last()).toMatchObject({ up: true, model: 'fake/one', costTotal: 0.5, error: null });
    gw.answers['config.get'] = async () => {
      throw new Error('config.get timed out after 15000 ms');
    };
    gw.answers['usage.cost'] = async () => {
      throw new Error('Usage database changed during worker operation');
    };
    const asked = gw.asked.get('config.get') ?? 0;
    await expect.poll(() => gw.asked.get('config.get') ?? 0).toBeGreaterThan(asked + 1);
    expect(last()).toMatchObject({ up: true, ready: true, model: 'fake/one', costTotal: 0.5, error: null });
    gw.answers.health = async () => {
      throw new Error('health timed out after 15000 ms');
    };
    await expect
      .poll(() => last())
      .toMatchObject({ up: true, ready: false, error: 'health: health timed out after 15000 ms' });
  });

  it('polls never overlap: a slow gateway is not asked again while it still answers', async () => {
    const gw = new StandInGateway();
    let release: () => void = () => {};
    gw.answers.health = () =>
      new Promise((r) => {
        release = () => r({ ok: true });
      });
    gw.comeUp();
    const { last } = start(gw);
    // Poll interval 500 ms: three intervals pass while the first health check hangs.
    await new Promise((r) => setTimeout(r, 1600));
    expect(gw.maxInFlight.get('health')).toBe(1);
    expect(gw.asked.get('health')).toBe(1);
    release();
    await expect.poll(() => last()).toMatchObject({ up: true, ready: true });
    expect(gw.maxInFlight.get('health')).toBe(1);
  });

  it('a gateway refusing requests because it is restarting reads as restarting, not as an error', async () => {
    const gw = new StandInGateway();
    gw.comeUp();
    const { last } = start(gw);
    await expect.poll(() => last()).toMatchObject({ up: true, error: null });
    gw.answers.health = async () => {
      throw new GatewayRpcError('UNAVAILABLE', 'health unavailable during gateway restart');
    };
    await expect.poll(() => last()).toMatchObject({ up: false, restarting: true, error: null });
    // The drop that follows is that restart, though the sidecar did not ask for it.
    gw.goDown();
    await new Promise((r) => setTimeout(r, 700));
    expect(last()).toMatchObject({ up: false, restarting: true, error: null });
  });

  it('after the gateway restarts it is reported up again, with nothing from the old connection', async () => {
    const gw = new StandInGateway();
    gw.comeUp();
    const { last } = start(gw);
    await expect.poll(() => last()).toMatchObject({ up: true, error: null });
    // A poll in flight when the connection drops must not report the old connection as up.
    let answerLate: () => void = () => {};
    gw.answers.health = () =>
      new Promise((r) => {
        answerLate = () => r({ ok: true });
      });
    const asked = gw.asked.get('health') ?? 0;
    await expect.poll(() => gw.asked.get('health') ?? 0).toBeGreaterThan(asked);
    gw.emit('restart-planned');
    gw.goDown();
    answerLate();
    await expect.poll(() => last()).toMatchObject({ up: false, restarting: true, error: null });
    await new Promise((r) => setTimeout(r, 700));
    expect(last()).toMatchObject({ up: false, restarting: true });
    gw.answers.health = async () => ({ ok: true });
    gw.comeUp();
    await expect.poll(() => last()).toMatchObject({ up: true, ready: true, error: null, model: 'fake/one' });
  });
});
