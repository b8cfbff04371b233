/**
 * A rollout whose canary instance rolls its change back aborts before the next wave. The canary
 * runs a REAL OpenClaw gateway (fake model server told to refuse the new model), with a real
 * sidecar process and the hub; the instances of the next wave never get the command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenclawGateway, startOpenclawGateway } from '../../sidecar/test/fixtures/openclaw-gateway.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { type SidecarProc, spawnSidecar, until } from './helpers/sidecar-proc.js';

let hub: TestHub;
let gw: OpenclawGateway;
const procs: SidecarProc[] = [];

beforeAll(async () => {
  [gw, hub] = await Promise.all([startOpenclawGateway({ readyTimeoutMs: 280_000 }), startTestHub({ postgres: true })]);
}, 300_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.dispose()));
  await hub?.close();
  await gw?.stop();
});

type Rollout = {
  status: string;
  reason: string | null;
  counts: Record<string, number>;
  waves: { instances: { instanceId: string; commandId: string | null; status: string }[] }[];
};

describe('rollouts and rollbacks', () => {
  it('counts a rolled-back change as a failure and stops before the next wave', async () => {
    const start = async (withGateway: boolean) => {
      const inst = await hub.newInstance();
      procs.push(
        spawnSidecar(
          { mqttUrl: hub.mqttUrl, id: inst.id, secret: inst.secret, hubKey: hub.hubPublicKey },
          withGateway
            ? { DS_OPENCLAW_URL: gw.wsUrl, DS_OPENCLAW_CONFIG: gw.configPath, DS_OPENCLAW_LOG_DIR: gw.logDir }
            : {},
        ),
      );
      return inst.id;
    };
    const ids = [await start(true), await start(false), await start(false)];
    await until(() => ids.every((id) => hub.ctx.fleet.get(id)?.presence === 'online'), 60_000, 'sidecars online');
    await until(() => hub.ctx.fleet.get(ids[0])?.openclaw?.up === true, 60_000, 'canary gateway up');
    // The new model cannot answer: the canary turn after the change fails.
    await fetch(`http://127.0.0.1:${gw.modelPort}/__control`, {
      method: 'POST',
      body: JSON.stringify({ failModels: ['fake-model-2'] }),
    });

    const created = await hub.api<{ id: string }>('POST', '/rollouts', {
      type: 'model.set',
      // A first turn on a loaded CI machine can take most of a minute: generous check bounds.
      params: { model: 'fake/fake-model-2', checkSec: 150 },
      target: { ids },
      waveSize: 2,
      pauseBetweenSec: 0,
      maxFailureRate: 0.5,
      minExecuted: 1,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const done = await until(
      async () => {
        const r = (await hub.api<Rollout>('GET', `/rollouts/${created.body.id}`)).body;
        return ['aborted', 'completed'].includes(r.status) ? r : null;
      },
      400_000,
      'rollout end',
    );
    expect(done.status, JSON.stringify(done)).toBe('aborted');
    expect(done.reason).toMatch(/1 of 1, 1 rolled back/);
    expect(done.waves.map((w) => w.instances.map((i) => i.status))).toEqual([['failed'], ['canceled', 'canceled']]);
    expect(done.waves[1].instances.every((i) => i.commandId === null)).toBe(true);

    const cmd = await hub.api<{ status: string; error: { code: string }; result: { change: Record<string, unknown> } }>(
      'GET',
      `/commands/${done.waves[0].instances[0].commandId}`,
    );
    expect(cmd.body.error.code).toBe('rolled_back');
    expect(cmd.body.result.change).toMatchObject({ outcome: 'rolled_back', failedCheck: 'canary' });
    const snaps = await until(
      async () => (await hub.db.query('SELECT outcome FROM change_snapshots WHERE instance_id = $1', [ids[0]]))[0],
      10_000,
      'snapshot recorded',
    );
    expect(snaps.outcome).toBe('rolled_back');
  }, 480_000);
});
