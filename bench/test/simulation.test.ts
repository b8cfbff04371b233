import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ConsoleIn, metricSampleSchema } from '@deepsignal/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ConsoleManager } from '../../sidecar/src/console/manager.js';
import { consoleSpawnFor } from '../src/sim/fleet.js';
import { SimulatedGateway } from '../src/sim/openclaw-sim.js';
import { SyntheticMachine } from '../src/sim/synthetic-metrics.js';

describe('simulation', () => {
  it('synthetic samples are valid protocol samples and deterministic per instance', () => {
    const t = 1_764_000_000_000;
    const a = new SyntheticMachine('inst-1', t);
    const b = new SyntheticMachine('inst-1', t);
    for (let i = 0; i < 10; i++) {
      const s = a.sample(t + i * 1000);
      expect(metricSampleSchema.safeParse(s).success).toBe(true);
      expect(s).toEqual(b.sample(t + i * 1000));
    }
  });

  it('the simulated gateway chats with usage, logs, and restarts', async () => {
    const t0 = 1_764_000_000_000;
    const gw = new SimulatedGateway('inst-2', { meanChatIntervalSec: 5, logLinesPerSec: 2, restartDownSec: 3 }, t0);
    const events: string[] = [];
    gw.on('event', (name, p) => events.push(`${name}:${(p as { state: string }).state}`));
    gw.on('down', () => events.push('down'));
    gw.on('up', () => events.push('up'));
    gw.start();
    for (let s = 1; s <= 60; s++) gw.tick(t0 + s * 1000);
    expect(gw.produced.userMessages).toBeGreaterThan(3);
    expect(gw.produced.assistantMessages).toBeGreaterThan(2);
    expect(events).toContain('chat:final');
    const hist = await gw.request<{ messages: { message: { usage?: { totalTokens: number } } }[] }>('chat.history', {
      sessionKey: gw.allMessages()[0]
        ? (await gw.request<{ sessions: { key: string }[] }>('sessions.list')).sessions[0].key
        : '',
    });
    expect(hist.messages.length).toBeGreaterThan(0);
    const logs = await gw.request<{ cursor: number; lines: string[] }>('logs.tail', { cursor: 0, limit: 1000 });
    expect(logs.lines.length).toBe(gw.produced.logLines);
    expect(JSON.parse(logs.lines[0])._meta.logLevelName).toMatch(/INFO|WARN/);
    gw.restart(t0 + 61_000);
    await expect(gw.request('health')).rejects.toThrow();
    gw.tick(t0 + 65_000);
    expect(gw.connected).toBe(true);
    expect(events.filter((e) => e === 'up')).toHaveLength(2);
  });
});

describe('a simulated instance console', () => {
  it('runs in its own folder, unprivileged when the simulation is root, and says it is the host', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ds-sim-console-'));
    const stateDir = path.join(root, 'demo-0');
    mkdirSync(stateDir);
    let out = '';
    const m = new ConsoleManager(
      'demo-0',
      () => async (_topic, payload) => {
        out += (JSON.parse(payload.toString()) as { data?: string }).data ?? '';
      },
      () => {},
      consoleSpawnFor(stateDir, 'demo-0'),
    );
    try {
      await m.open({ sessionId: 's1', cols: 100, rows: 24, idleTimeoutSec: 30 });
      m.frame('s1', { type: 'input', data: 'echo "uid=$(id -u) dir=$(pwd)"\r' } as ConsoleIn);
      const want = process.getuid?.() === 0 ? 'uid=65534' : `uid=${process.getuid?.()}`;
      await vi.waitFor(() => expect(out).toContain(`${want} dir=${path.join(stateDir, 'console-home')}`), {
        timeout: 15_000,
        interval: 50,
      });
      expect(out).toContain('Simulated instance demo-0: there is no VPS behind it.');
    } finally {
      m.close('s1', 'test over');
      rmSync(root, { recursive: true, force: true });
    }
  });
});
