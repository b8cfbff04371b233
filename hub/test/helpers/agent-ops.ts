import type { MqttClient } from 'mqtt';
import { connectSidecar, pub, serveCommands, type TestHub } from './hub.js';

/** An ops agent's freshly minted token, through the admin API. */
export async function mintAgent(hub: TestHub, name: string): Promise<string> {
  const r = await hub.api<{ token: string }>('POST', `/ops-agents/${name}/token`);
  if (r.status !== 201) throw new Error(`mint ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/**
 * An instance's command side over real MQTT: online, verifies every signed command and answers
 * delivered -> `outcome()` (succeeded unless told otherwise) with `resultOf(type)` as the result.
 * `received` lists what came in.
 */
export async function answeringSidecar(
  hub: TestHub,
  inst: { id: string; secret: string },
  outcome: () => 'succeeded' | 'failed' = () => 'succeeded',
  resultOf: (type: string) => Record<string, unknown> = () => ({ method: 'gateway', readyAfterMs: 900 }),
): Promise<{ c: MqttClient; received: { id: string; type: string; params: Record<string, unknown> }[] }> {
  const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
  const received: { id: string; type: string; params: Record<string, unknown> }[] = [];
  await serveCommands(c, inst.id, hub.hubPublicKey, (v, report) => {
    if (!v.ok) return void report(v.commandId ?? 'x', 'rejected', { error: { code: v.reason, message: v.message } });
    received.push({ id: v.command.id, type: v.command.type, params: v.command.params as Record<string, unknown> });
    const end = outcome();
    void report(v.command.id, 'delivered').then(() =>
      report(
        v.command.id,
        end,
        end === 'failed'
          ? { error: { code: 'gateway_unready', message: 'the gateway did not come back' } }
          : { result: resultOf(v.command.type) },
      ),
    );
  });
  await pub(c, `ds/v1/${inst.id}/status`, {
    v: 1,
    id: 'st',
    instanceId: inst.id,
    bootId: 'b-status',
    seq: 0,
    ts: Date.now(),
    state: 'online',
  });
  return { c, received };
}

/** A restart plan for one instance, as the orchestrator posts it. */
export const restartPlan = (instanceId: string, extra: Record<string, unknown> = {}) => ({
  title: `Restart OpenClaw on ${instanceId}`,
  commands: [{ instanceId, type: 'openclaw.restart', params: {} }],
  expectedEffect: 'OpenClaw answers again (up and ready)',
  risk: 'low',
  reasoning: 'OpenClaw has been down past the grace period',
  ...extra,
});
