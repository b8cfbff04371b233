import { signCommand } from '@deepsignal/protocol';
import { startRealGatewayEnv, stopRealGatewayEnv } from '../../../sidecar/test/helpers/real-gateway.js';
import { type BenchResult, round } from '../results.js';

type Rec = Record<string, unknown>;

/**
 * `update.rollback_s`: a broken change on a REAL OpenClaw gateway (`model.set` to a model the
 * fake model server refuses, so the agent cannot answer), from the command's issue until it
 * ends `failed: rolled_back` with the agent healthy again: snapshot, the change, a failing canary
 * turn, the restore, a gateway restart and a passing health check. Also `update.guarded_ok_s`,
 * a good change with its whole health check.
 */
export async function updateBenchmark(log: (s: string) => void): Promise<BenchResult[]> {
  const id = `bench-update-${process.pid}`;
  const env = await startRealGatewayEnv(id, { batchIntervalMs: 200 }, { readyTimeoutMs: 300_000 });
  const { hub, t, gw } = env;
  let n = 0;
  const run = async (type: string, params: Rec): Promise<{ s: number; final: Rec }> => {
    const now = Date.now();
    const cmd = signCommand(
      {
        v: 1,
        id: `b-${process.pid}-${++n}`,
        instanceId: id,
        type,
        params,
        issuedAt: now,
        expiresAt: now + 300_000,
        issuer: 'bench',
      },
      t.keys.privateKeyPem,
    );
    const t0 = performance.now();
    await hub.publishCmd(id, cmd);
    const done = () =>
      hub.stored.find(
        (m) =>
          m.kind === 'cmd-result' &&
          m.message.commandId === cmd.id &&
          ['succeeded', 'failed', 'rejected', 'timed_out'].includes(m.message.state as string),
      );
    await hub.waitFor(() => !!done(), 300_000);
    return { s: (performance.now() - t0) / 1000, final: done()!.message as Rec };
  };
  try {
    await hub.waitFor(() => t.sidecar.gateway?.connected === true, 60_000);
    const ok = await run('model.set', { model: 'fake/fake-model-2' });
    if (ok.final.state !== 'succeeded')
      throw new Error(`the good change ended ${JSON.stringify(ok.final).slice(0, 400)}`);
    log(`  good change with its health check: ${round(ok.s, 1)} s`);
    await fetch(`http://127.0.0.1:${gw.modelPort}/__control`, {
      method: 'POST',
      body: JSON.stringify({ failModels: ['fake-model'] }),
    });
    const bad = await run('model.set', { model: 'fake/fake-model' });
    const code = (bad.final.error as Rec | undefined)?.code;
    if (code !== 'rolled_back') throw new Error(`the broken change ended ${JSON.stringify(bad.final).slice(0, 400)}`);
    log(`  broken change detected and rolled back: ${round(bad.s, 1)} s`);
    return [
      {
        name: 'update.rollback_s',
        value: round(bad.s, 1),
        unit: 's',
        goal: '<= 60',
        note: 'real OpenClaw gateway; model.set to a model that cannot answer: failing canary, restore, restart, healthy again',
      },
      {
        name: 'update.guarded_ok_s',
        value: round(ok.s, 1),
        unit: 's',
        note: 'a good model.set with its health check (readiness, canary turn, channels)',
      },
    ];
  } finally {
    await stopRealGatewayEnv(env);
  }
}
