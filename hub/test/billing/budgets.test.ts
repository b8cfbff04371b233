import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterMessages } from '../../src/billing/meter.js';
import { answeringSidecar } from '../helpers/agent-ops.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { type SidecarProc, spawnSidecar, until } from '../helpers/sidecar-proc.js';

/**
 * Budgets end to end: a soft limit is an event; a hard limit sends the chosen action as a signed
 * command that a real sidecar process verifies and runs; raising the budget or a new period
 * lifts it. (No OpenClaw runs beside this sidecar, so the command's work fails after it starts:
 * what is checked is that the command reached and was accepted by the sidecar.)
 */
describe('budget enforcement reaches the sidecar', () => {
  let hub: TestHub;
  let sc: SidecarProc;
  let now = new Date(Date.UTC(2026, 10, 10, 12));
  const billing = () => hub.ctx.billing as NonNullable<TestHub['ctx']['billing']>;

  beforeAll(async () => {
    hub = await startTestHub();
    await billing().stop();
    billing().clock = () => now;
  });
  afterAll(async () => {
    await sc?.dispose();
    await hub?.close();
  });

  const spend = (instanceId: string, cents: number, t: number) =>
    hub.db.tx((q) =>
      meterMessages(q, [
        {
          instanceId,
          t,
          channel: 'slack',
          role: 'assistant',
          model: 'anthropic/claude-sonnet-4-5',
          tokensIn: 1000,
          tokensOut: 500,
          cost: cents / 100,
        },
      ]),
    );

  /** The sidecar accepted the command (verified signature, journal) and reported running it. */
  const reached = (type: string) => reachedOn(sc, type);
  const reachedOn = async (sc: SidecarProc, type: string) => {
    const cmd = await until(
      async () =>
        (
          await hub.db.query<{ id: string; params: Record<string, unknown> }>(
            'SELECT id, params FROM commands WHERE instance_id = $1 AND type = $2 ORDER BY issued_at DESC LIMIT 1',
            [sc.id, type],
          )
        )[0],
      10_000,
      `${type} issued`,
    );
    await until(
      async () =>
        (
          await hub.db.query(
            `SELECT 1 FROM command_results WHERE command_id = $1 AND state IN ('running', 'succeeded', 'failed')`,
            [cmd.id],
          )
        ).length > 0,
      30_000,
      `${type} reported by the sidecar`,
    );
    expect(readFileSync(join(sc.stateDir, 'commands', 'command-journal.log'), 'utf8')).toContain(cmd.id);
    return cmd;
  };

  it('warns at the soft limit, switches model or pauses at the hard limit, and lifts it', async () => {
    const client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Thrifty', plan: 'starter' })).body.id;
    const inst = await hub.newInstance(client);
    sc = spawnSidecar({ mqttUrl: hub.mqttUrl, id: inst.id, secret: inst.secret, hubKey: hub.hubPublicKey });
    await until(() => hub.ctx.fleet.get(inst.id)?.presence === 'online', 60_000, 'sidecar online');

    const put = (body: Record<string, unknown>) => hub.api('PUT', `/clients/${client}/billing`, body);
    expect((await put({ budgetSoftCents: 200, budgetHardCents: 500, hardLimit: 'model' })).status).toBe(200);
    expect((await put({ hardLimit: 'explode' })).status).toBe(400);
    await spend(inst.id, 300, Date.UTC(2026, 10, 5));
    expect(await billing().checkBudgets()).toEqual({ [client]: ['soft'] });
    expect(await billing().checkBudgets()).toEqual({}); // once per period
    const ev = await hub.db.query<{ type: string }>('SELECT type FROM events WHERE instance_id = $1 ORDER BY t', [
      inst.id,
    ]);
    expect(ev.map((e) => e.type)).toContain('billing.budget_near');
    const allowance = await billing().planAllowance(client);
    expect(allowance).toMatchObject({
      plan: 'starter',
      budgetSoftCents: 200,
      budgetHardCents: 500,
      hardLimit: 'model',
    });

    // Past the hard limit: the plan's cheaper model, as model.set to the sidecar.
    await spend(inst.id, 300, Date.UTC(2026, 10, 6));
    expect(await billing().checkBudgets()).toEqual({ [client]: ['enforce:model'] });
    const ms = await reached('model.set');
    expect(ms.params).toEqual({ model: 'anthropic/claude-haiku-4-5' });
    const view = await hub.api<{ billing: { enforcement: { action: string } | null } }>(
      'GET',
      `/clients/${client}/billing`,
    );
    expect(view.body.billing.enforcement?.action).toBe('model');

    // Raising the budget lifts it at once.
    expect((await put({ budgetHardCents: 10_000 })).status).toBe(200);
    expect(
      (await hub.api<{ billing: { enforcement: unknown } }>('GET', `/clients/${client}/billing`)).body.billing
        .enforcement,
    ).toBeNull();

    // Pause as the action: agent.pause now, agent.resume when the period turns.
    expect((await put({ budgetHardCents: 500, hardLimit: 'pause' })).status).toBe(200);
    await reached('agent.pause');
    now = new Date(Date.UTC(2026, 11, 1, 0, 5));
    expect(await billing().checkBudgets()).toEqual({ [client]: ['undo:pause'] });
    await reached('agent.resume');
    const types = await hub.db.query<{ type: string }>('SELECT type FROM events WHERE instance_id = $1 ORDER BY t', [
      inst.id,
    ]);
    expect(types.map((e) => e.type)).toEqual(
      expect.arrayContaining(['billing.budget_near', 'billing.limit_reached', 'billing.limit_lifted']),
    );
  }, 120_000);

  it("throttles with OpenClaw's own concurrency and queue settings and puts them back", async () => {
    now = new Date(Date.UTC(2027, 0, 10, 12));
    const client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Busy', plan: 'growth' })).body.id;
    const inst = await hub.newInstance(client);
    const side = spawnSidecar({ mqttUrl: hub.mqttUrl, id: inst.id, secret: inst.secret, hubKey: hub.hubPublicKey });
    try {
      await until(() => hub.ctx.fleet.get(inst.id)?.presence === 'online', 60_000, 'sidecar online');
      const put = (body: Record<string, unknown>) => hub.api('PUT', `/clients/${client}/billing`, body);
      expect((await put({ budgetHardCents: 400, hardLimit: 'throttle' })).status).toBe(200);
      await spend(inst.id, 500, Date.UTC(2027, 0, 9));
      expect(await billing().checkBudgets()).toEqual({ [client]: ['enforce:throttle'] });
      const throttle = await reachedOn(side, 'config.apply');
      expect(throttle.params).toEqual({
        limits: {
          maxConcurrent: 1,
          subagentsMaxConcurrent: 1,
          queueMode: 'collect',
          queueCap: 5,
          inboundDebounceMs: 5000,
        },
      });
      const view = await hub.api<{ billing: { enforcement: { action: string } | null } }>(
        'GET',
        `/clients/${client}/billing`,
      );
      expect(view.body.billing.enforcement?.action).toBe('throttle');
      expect(await billing().checkBudgets()).toEqual({}); // once per period

      // Raising the budget lifts it: a second config.apply with the settings to put back. This
      // sidecar has no OpenClaw beside it, so the throttle never reported the values it replaced:
      // the hub falls back to OpenClaw's defaults (null removes the key).
      expect((await put({ budgetHardCents: 50_000 })).status).toBe(200);
      const lifted = await reachedOn(side, 'config.apply');
      expect(lifted.id).not.toBe(throttle.id);
      expect(lifted.params).toEqual({
        limits: {
          maxConcurrent: null,
          subagentsMaxConcurrent: null,
          queueMode: null,
          queueCap: null,
          inboundDebounceMs: null,
        },
      });
      const types = await hub.db.query<{ type: string; data: { action?: string } | null }>(
        "SELECT type, data FROM events WHERE instance_id = $1 AND type LIKE 'billing.limit_%' ORDER BY t",
        [inst.id],
      );
      expect(types.filter((e) => e.data?.action === 'throttle').map((e) => e.type)).toEqual([
        'billing.limit_reached',
        'billing.limit_lifted',
      ]);
    } finally {
      await side.dispose();
    }
  }, 180_000);

  it('lifting a throttle puts back the limits the instance had before', async () => {
    now = new Date(Date.UTC(2027, 1, 10, 12));
    const client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Tuned', plan: 'growth' })).body.id;
    const inst = await hub.newInstance(client);
    // What this instance's OpenClaw had before the throttle, as the sidecar reports it.
    const before = {
      maxConcurrent: 4,
      subagentsMaxConcurrent: null,
      queueMode: 'followup',
      queueCap: null,
      inboundDebounceMs: 1500,
    };
    const side = await answeringSidecar(hub, inst, undefined, (type) =>
      type === 'config.apply' ? { applied: ['limits.maxConcurrent'], hash: 'h1', previousLimits: before } : {},
    );
    try {
      await until(() => hub.ctx.fleet.get(inst.id)?.presence === 'online', 60_000, 'instance online');
      const put = (body: Record<string, unknown>) => hub.api('PUT', `/clients/${client}/billing`, body);
      expect((await put({ budgetHardCents: 100, hardLimit: 'throttle' })).status).toBe(200);
      await spend(inst.id, 200, Date.UTC(2027, 1, 9));
      expect(await billing().checkBudgets()).toEqual({ [client]: ['enforce:throttle'] });
      const first = await until(
        () => side.received.find((r) => r.type === 'config.apply'),
        30_000,
        'throttle received',
      );
      await until(
        async () => (await hub.ctx.commands.get(first.id))?.status === 'succeeded',
        30_000,
        'throttle succeeded',
      );
      // The period turns: the limits it replaced go back, keys it had unset are removed.
      now = new Date(Date.UTC(2027, 2, 1, 0, 5));
      expect(await billing().checkBudgets()).toEqual({ [client]: ['undo:throttle'] });
      const undo = await until(
        () => side.received.filter((r) => r.type === 'config.apply')[1],
        30_000,
        'undo received',
      );
      expect(undo.params).toEqual({ limits: before });
      // Its reports are on their way: let them land before this instance disconnects.
      await until(async () => (await hub.ctx.commands.get(undo.id))?.status === 'succeeded', 30_000, 'undo succeeded');
    } finally {
      await side.c.endAsync();
    }
  }, 120_000);
});
