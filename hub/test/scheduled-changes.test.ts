/**
 * Changes held for a client's maintenance window (in the client's time zone): scheduled, issued
 * once when the window opens as an ordinary signed command that reaches the sidecar, never
 * twice (a second tick, a hub that died between claiming and issuing), cancelable while they
 * wait, refused when they cannot wait, and scoped to the client.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSettled, connectSidecar, pub, serveCommands, startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';

interface Scheduled {
  id: string;
  instanceId: string;
  type: string;
  status: string;
  runAfter: string;
  nextRunAt: string | null;
  commandId: string | null;
  error: string | null;
}
interface Command {
  id: string;
  type: string;
  status: string;
  issuedBy: string;
  idempotencyKey: string | null;
  issuedAt: string;
  expiresAt: string;
}

let hub: TestHub;
let a: { id: string; secret: string; clientId: string };
let b: { id: string; secret: string; clientId: string };
let side: MqttClient;
let ownerB: string;
let ownerA: string;
let clock = 0;
const received: string[] = [];

// Monday 2026-12-07; the client's window is Mondays 03:00-04:00 in Berlin (02:00-03:00 UTC).
const at = (hhmm: string) => Date.parse(`2026-12-07T${hhmm}:00Z`);

const tick = () => hub.ctx.scheduledChanges.tick();
const modelSets = async () => (await hub.api<Command[]>('GET', `/instances/${a.id}/commands?type=model.set`)).body;

beforeAll(async () => {
  hub = await startTestHub();
  hub.ctx.scheduledChanges.now = () => clock;
  clock = at('00:00');
  const ca = await hub.api<{ id: string }>('POST', '/clients', { name: 'Bakery', industry: 'food', plan: 'starter' });
  const cb = await hub.api<{ id: string }>('POST', '/clients', { name: 'Garage', industry: 'auto', plan: 'starter' });
  a = await hub.newInstance(ca.body.id);
  b = await hub.newInstance(cb.body.id);
  for (const [client, email] of [
    [ca.body.id, 'owner@bakery.test'],
    [cb.body.id, 'owner@garage.test'],
  ]) {
    const r = await hub.api('POST', `/clients/${client}/users`, {
      email,
      password: 'owner-password-1',
      role: 'client_owner',
    });
    expect(r.status).toBe(201);
  }
  const login = async (email: string) =>
    (await hub.api<{ token: string }>('POST', '/auth/login', { email, password: 'owner-password-1' })).body.token;
  ownerA = await login('owner@bakery.test');
  ownerB = await login('owner@garage.test');
  const w = await hub.api('POST', '/maintenance-windows', {
    clientId: a.clientId,
    name: 'Monday night',
    timeZone: 'Europe/Berlin',
    startDate: '2026-11-30',
    startTime: '03:00',
    durationMin: 60,
    days: [1],
  });
  expect(w.status).toBe(201);
  // A sidecar that answers every command it receives.
  side = await connectSidecar(hub.mqttUrl, a.id, a.secret);
  await serveCommands(side, a.id, hub.hubPublicKey, (v, report) => {
    if (!v.ok) return;
    received.push(v.command.id);
    void report(v.command.id, 'succeeded', { result: { model: 'anthropic/claude-opus-4', previous: null } });
  });
  await pub(side, `ds/v1/${a.id}/status`, {
    v: 1,
    id: 's',
    instanceId: a.id,
    bootId: 'b',
    seq: 0,
    ts: Date.now(),
    state: 'online',
  });
  await until(() => hub.ctx.fleet.get(a.id)?.status === 'online', 30_000, 'instance online');
}, 180_000);

afterAll(async () => {
  await side?.endAsync();
  await hub?.close();
});

describe('changes scheduled into the maintenance window', () => {
  let first: Scheduled;

  it('waits for the window in the client time zone, then issues one signed command that the sidecar runs', async () => {
    const r = await hub.api<Scheduled>('POST', `/instances/${a.id}/scheduled-changes`, {
      type: 'model.set',
      params: { model: 'anthropic/claude-opus-4' },
    });
    expect(r.status).toBe(201);
    first = r.body;
    expect(first).toMatchObject({ status: 'scheduled', type: 'model.set', commandId: null });
    expect(first.runAfter).toBe('2026-12-07T02:00:00.000Z');
    expect(first.nextRunAt).toBe('2026-12-07T02:00:00.000Z');
    expect(await modelSets()).toEqual([]);

    clock = at('01:59');
    expect(await tick()).toBe(0);
    expect(await modelSets()).toEqual([]);

    clock = at('02:00') + 30_000;
    expect(await tick()).toBe(1);
    const after = (await hub.api<Scheduled>('GET', `/scheduled-changes?instanceId=${a.id}`))
      .body as unknown as Scheduled[];
    const mine = after.find((s) => s.id === first.id)!;
    expect(mine.status).toBe('dispatched');
    const cmds = await modelSets();
    expect(cmds).toHaveLength(1);
    expect(cmds[0]).toMatchObject({
      id: mine.commandId,
      idempotencyKey: `scheduled:${first.id}`,
      issuedBy: 'user:admin@test.local',
    });
    // Its expiry keeps it inside the window (the model.set default of 600 s fits in the hour left).
    expect(Date.parse(cmds[0].expiresAt) - Date.parse(cmds[0].issuedAt)).toBeLessThanOrEqual(600_000);
    const done = await commandSettled<Command>(hub, cmds[0].id, 30_000, 'scheduled model.set done');
    expect(done.status).toBe('succeeded');
    expect(received).toContain(cmds[0].id);

    // Another tick in the same window issues nothing more.
    expect(await tick()).toBe(0);
    expect(await modelSets()).toHaveLength(1);
  });

  it('issues a change once even when a hub died between claiming it and recording the command', async () => {
    await hub.db.query(`UPDATE scheduled_changes SET status = 'dispatching', command_id = NULL WHERE id = $1`, [
      first.id,
    ]);
    expect(await tick()).toBe(1);
    const cmds = await modelSets();
    expect(cmds).toHaveLength(1);
    const row = (await hub.db.query('SELECT status, command_id FROM scheduled_changes WHERE id = $1', [first.id]))[0];
    expect(row).toMatchObject({ status: 'dispatched', command_id: cmds[0].id });
  });

  it('cancels a change that waits; a canceled one never runs', async () => {
    clock = at('05:00');
    const r = await hub.api<Scheduled>('POST', `/instances/${a.id}/scheduled-changes`, {
      type: 'openclaw.restart',
      params: {},
    });
    expect(r.status).toBe(201);
    expect(r.body.runAfter).toBe('2026-12-14T02:00:00.000Z');
    const c = await hub.api<Scheduled>('POST', `/scheduled-changes/${r.body.id}/cancel`);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('canceled');
    expect((await hub.api('POST', `/scheduled-changes/${r.body.id}/cancel`)).status).toBe(409);
    clock = Date.parse('2026-12-14T02:10:00Z');
    expect(await tick()).toBe(0);
    expect((await hub.api<Command[]>('GET', `/instances/${a.id}/commands?type=openclaw.restart`)).body).toEqual([]);
  });

  it('refuses what cannot wait: no window ahead, a type that is not a change, secrets in the params', async () => {
    const none = await hub.api<{ error: { code: string; message: string } }>(
      'POST',
      `/instances/${b.id}/scheduled-changes`,
      { type: 'model.set', params: { model: 'anthropic/claude-opus-4' } },
    );
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('HUB_ERR_NO_MAINTENANCE_WINDOW');
    const ping = await hub.api<{ error: { code: string } }>('POST', `/instances/${a.id}/scheduled-changes`, {
      type: 'ping',
      params: {},
    });
    expect(ping.status).toBe(400);
    expect(ping.body.error.code).toBe('HUB_ERR_NOT_SCHEDULABLE');
    const bad = await hub.api<{ error: { code: string } }>('POST', `/instances/${a.id}/scheduled-changes`, {
      type: 'model.set',
      params: { model: 'no-slash' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('HUB_ERR_BAD_PARAMS');
  });

  it("a client sees and cancels only its own scheduled changes; another client's are a 404", async () => {
    clock = at('05:00');
    const r = await hub.api<Scheduled>('POST', `/instances/${a.id}/scheduled-changes`, {
      type: 'model.set',
      params: { model: 'anthropic/claude-sonnet-4' },
    });
    expect(r.status).toBe(201);
    const mineList = await hub.api<Scheduled[]>('GET', '/scheduled-changes', undefined, ownerA);
    expect(mineList.body.map((s) => s.id)).toContain(r.body.id);
    const theirs = await hub.api<Scheduled[]>('GET', '/scheduled-changes', undefined, ownerB);
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual([]);
    expect((await hub.api('GET', `/scheduled-changes?instanceId=${a.id}`, undefined, ownerB)).status).toBe(404);
    expect((await hub.api('POST', `/scheduled-changes/${r.body.id}/cancel`, undefined, ownerB)).status).toBe(404);
    expect(
      (await hub.api('POST', `/instances/${a.id}/scheduled-changes`, { type: 'openclaw.restart', params: {} }, ownerB))
        .status,
    ).toBe(404);
    // The client's owner may cancel their own.
    expect((await hub.api('POST', `/scheduled-changes/${r.body.id}/cancel`, undefined, ownerA)).status).toBe(200);
  });
});
