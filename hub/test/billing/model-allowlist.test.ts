/**
 * A plan's model allow-list is enforced by the hub: a command or a scheduled change that would
 * put a client's agent on a model outside its plan is refused, for operators and client owners
 * alike; a plan with no models listed allows any; other clients' plans do not matter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAgent } from '../helpers/agent-ops.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
let starter: { id: string; clientId: string };
let growth: { id: string; clientId: string };

beforeAll(async () => {
  hub = await startTestHub();
  const a = await hub.api<{ id: string }>('POST', '/clients', { name: 'Bakery', industry: 'food', plan: 'starter' });
  const b = await hub.api<{ id: string }>('POST', '/clients', { name: 'Garage', industry: 'auto', plan: 'growth' });
  starter = await hub.newInstance(a.body.id);
  growth = await hub.newInstance(b.body.id);
  const r = await hub.api('PATCH', '/plans/starter', {
    models: ['anthropic/claude-haiku-4-5', 'anthropic/claude-sonnet-4-5'],
  });
  expect(r.status).toBe(200);
}, 120_000);
afterAll(() => hub?.close());

const issue = (id: string, type: string, params: Record<string, unknown>) =>
  hub.api<{ error?: { code: string; message: string } }>('POST', `/instances/${id}/commands`, { type, params });

describe("a plan's model allow-list", () => {
  it('refuses model.set and config.apply to a model outside the plan, naming what the plan allows', async () => {
    const r = await issue(starter.id, 'model.set', { model: 'anthropic/claude-opus-4' });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('HUB_ERR_MODEL_NOT_IN_PLAN');
    expect(r.body.error?.message).toContain('anthropic/claude-haiku-4-5, anthropic/claude-sonnet-4-5');
    const fb = await issue(starter.id, 'model.set', {
      model: 'anthropic/claude-haiku-4-5',
      fallbacks: ['openai/gpt-5'],
    });
    expect(fb.status).toBe(403);
    expect(fb.body.error?.message).toContain('openai/gpt-5');
    const cfg = await issue(starter.id, 'config.apply', { model: 'anthropic/claude-opus-4' });
    expect(cfg.status).toBe(403);
    const sched = await hub.api<{ error: { code: string } }>('POST', `/instances/${starter.id}/scheduled-changes`, {
      type: 'model.set',
      params: { model: 'anthropic/claude-opus-4' },
    });
    expect(sched.status).toBe(403);
    expect(sched.body.error.code).toBe('HUB_ERR_MODEL_NOT_IN_PLAN');
  });

  it('lets through a model the plan lists, a plan without a list, and commands without a model', async () => {
    expect((await issue(starter.id, 'model.set', { model: 'anthropic/claude-sonnet-4-5' })).status).toBe(202);
    expect((await issue(growth.id, 'model.set', { model: 'anthropic/claude-opus-4' })).status).toBe(202);
    expect((await issue(starter.id, 'openclaw.restart', {})).status).toBe(202);
  });

  it("holds ops agents' proposals to the plan, when proposed and again when approved", async () => {
    const token = await mintAgent(hub, 'orchestrator');
    type Proposal = { id: string; status: string; refusal: { code: string } | null };
    type Err = { error: { code: string; message: string } };
    const propose = (model: string) =>
      hub.api<Proposal & Err>(
        'POST',
        '/agent-proposals',
        {
          title: `Switch ${starter.id} to ${model}`,
          commands: [{ instanceId: starter.id, type: 'model.set', params: { model } }],
          expectedEffect: 'replies again',
          risk: 'medium',
          reasoning: 'the current model keeps timing out',
        },
        token,
      );
    const refused = await propose('anthropic/claude-opus-4');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('HUB_ERR_MODEL_NOT_IN_PLAN');
    expect(refused.body.error.message).toContain('anthropic/claude-haiku-4-5, anthropic/claude-sonnet-4-5');
    expect((await hub.api<Proposal[]>('GET', '/agent-proposals?agent=orchestrator')).body).toEqual([]);

    // In the plan when proposed (waits for an admin), out of it by the time it is approved.
    const ok = await propose('anthropic/claude-sonnet-4-5');
    expect(ok.status).toBe(201);
    expect(ok.body.status).toBe('pending');
    expect((await hub.api('PATCH', '/plans/starter', { models: ['anthropic/claude-haiku-4-5'] })).status).toBe(200);
    try {
      const approve = await hub.api<Err>('POST', `/agent-proposals/${ok.body.id}/approve`);
      expect(approve.status).toBe(403);
      expect(approve.body.error.code).toBe('HUB_ERR_MODEL_NOT_IN_PLAN');
      const p = (await hub.api<Proposal>('GET', `/agent-proposals/${ok.body.id}`)).body;
      expect(p.refusal?.code).toBe('HUB_ERR_MODEL_NOT_IN_PLAN');
      const cmds = (await hub.api<{ issuedBy: string }[]>('GET', `/instances/${starter.id}/commands`)).body;
      expect(cmds.filter((c) => c.issuedBy.includes('agent-orchestrator'))).toEqual([]);
    } finally {
      await hub.api('PATCH', '/plans/starter', {
        models: ['anthropic/claude-haiku-4-5', 'anthropic/claude-sonnet-4-5'],
      });
    }
  });
});
