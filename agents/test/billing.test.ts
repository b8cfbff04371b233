import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingApi } from '../src/billing/api.js';
import { billingCommand } from '../src/billing/command.js';
import { DEFAULT_BILLING_POLICY, runBilling } from '../src/billing/run.js';
import { HubClient } from '../src/hub-client.js';
import type { FindingView, ProposalView } from '../src/hub-types.js';
import { createLlm } from '../src/llm.js';
import { say, startMessagesApiFake } from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

type Sidecar = Awaited<ReturnType<typeof simulatedSidecar>>;

const DAY = 86_400_000;
const PERIOD = (() => {
  const n = new Date();
  return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
})();
/** The first day of the month `back` months before the reviewed period's month. */
const monthStart = (back: number) => {
  const [y, m] = PERIOD.split('-').map(Number);
  return Date.UTC(y, m - 1 - back, 1);
};

let seq = 0;
/** `n` user messages (each with an assistant reply) spread over the days after `from`. */
function turns(n: number, from: number, o: { model?: string; cost?: number; tokens?: number; text?: string } = {}) {
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const t = from + (k % 20) * DAY + 3_600_000 + k * 1000;
    const session = `s-${++seq}`;
    out.push({
      messageId: `u-${seq}`,
      t,
      sessionKey: session,
      channel: 'telegram',
      role: 'user',
      text: o.text ?? 'hello',
    });
    out.push({
      messageId: `a-${seq}`,
      t: t + 500,
      sessionKey: session,
      channel: 'telegram',
      role: 'assistant',
      text: 'Here you are.',
      tokensIn: Math.round((o.tokens ?? 1000) * 0.8),
      tokensOut: Math.round((o.tokens ?? 1000) * 0.2),
      cost: o.cost ?? 0.001,
      model: o.model ?? 'claude-haiku-4-5',
      provider: 'anthropic',
      latencyMs: 900,
    });
  }
  return out;
}

describe('billing agent against a real hub', () => {
  let t: AgentTestHub;
  let token: string;
  let readToken: string;
  const sides: Sidecar[] = [];
  const clients: Record<string, string> = {};
  const instances: Record<string, string> = {};
  const at = (iso: number) => () => new Date(iso);

  /** A client made active at the start of the period three months back (plan changes are dated by the billing clock). */
  const client = async (name: string, plan = 'starter') => {
    const id = (await t.api<{ id: string }>('POST', '/clients', { name, industry: 'retail', plan })).body.id;
    const billing = t.hub.ctx.billing;
    if (!billing) throw new Error('billing is off');
    billing.clock = at(monthStart(3) - DAY);
    expect((await t.api('PATCH', `/clients/${id}`, { status: 'active' })).status).toBe(200);
    billing.clock = () => new Date();
    const inst = await t.newInstance(`vps-${name.toLowerCase()}`, id);
    const side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, inst.id, inst.secret);
    sides.push(side);
    await side.status('online');
    clients[name] = id;
    instances[name] = inst.id;
    return side;
  };
  const send = async (side: Sidecar, msgs: Record<string, unknown>[]) => {
    for (let i = 0; i < msgs.length; i += 100) await side.conversations(msgs.slice(i, i + 100));
  };

  beforeAll(async () => {
    // The hub's own run waits longer than the test: the agent reviews and runs the period itself.
    t = await startAgentHub({ billingReviewHours: 240 });
    const before = new Date(monthStart(1)).toISOString().slice(0, 7); // the run covered the month before
    await t.hub.db.query(
      `INSERT INTO hub_settings (key, value) VALUES ('billing.lastRun', $1)
       ON CONFLICT (key) DO UPDATE SET value = $1`,
      [JSON.stringify(before)],
    );
    token = (await t.api<{ token: string }>('POST', '/ops-agents/billing/token')).body.token;
    readToken = await t.serviceToken('billing-reader', ['read']);
    // A steady client, one whose usage jumps tenfold, one who changed plan mid-period, one whose
    // plan costs nothing while it is active; and two for the cost suggestion (recent conversations).
    const steady = await client('Steady');
    const spiky = await client('Spiky');
    await client('Switcher');
    // A plan at 0 (an operator's mistake the review should catch) for an active client.
    expect((await t.api('PATCH', '/plans/enterprise', { priceCents: 0 })).status).toBe(200);
    await client('Freebie', 'enterprise');
    const pricey = await client('Pricey');
    const thrifty = await client('Thrifty');
    for (const back of [2, 1]) {
      await send(steady, turns(20, monthStart(back)));
      await send(spiky, turns(20, monthStart(back)));
    }
    await send(steady, turns(22, monthStart(0)));
    await send(spiky, turns(200, monthStart(0)));
    const billing = t.hub.ctx.billing;
    if (!billing) throw new Error('billing is off');
    billing.clock = at(monthStart(0) + 14 * DAY);
    expect((await t.api('PATCH', `/clients/${clients.Switcher}`, { plan: 'growth' })).status).toBe(200);
    billing.clock = () => new Date();
    // Last week: Pricey on Opus at 0.2 USD a conversation, Thrifty on Haiku at 0.002, same sizes, both content.
    const recent = Date.now() - 8 * DAY;
    const happy = 'Thanks, that is great and very helpful!';
    await send(pricey, turns(8, recent, { model: 'claude-opus-4-1', cost: 0.2, tokens: 1200, text: happy }));
    await send(thrifty, turns(8, recent, { model: 'claude-haiku-4-5', cost: 0.002, tokens: 1100, text: happy }));
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
    await until(
      async () => {
        const p = await billingApi.preview(hub, PERIOD);
        const spikyNow = p.invoices.find((i) => i.clientId === clients.Spiky);
        const th = await hub.conversations(instances.Thrifty, { from: new Date(recent - DAY).toISOString() });
        return spikyNow?.messages === 200 && spikyNow.priorMessages[2] === 20 && th.length === 16;
      },
      'usage metered',
      120_000,
    );
  }, 240_000);
  afterAll(async () => {
    for (const s of sides) await s.close();
    await t?.close();
  });

  it('scenario: billing anomaly caught before sending — held with a finding, not issued until an operator clears it', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token });
    const r = await runBilling({ hub, dryRun: false, policy: DEFAULT_BILLING_POLICY, period: PERIOD });
    expect(r.period).toBe(PERIOD);
    const heldKinds = Object.fromEntries(r.held.map((h) => [h.clientId, h.anomalies.map((a) => a.kind)]));
    expect(heldKinds[clients.Spiky]).toEqual(['usage_far_from_forecast']);
    expect(heldKinds[clients.Switcher]).toEqual(['plan_change_mid_period']);
    expect(heldKinds[clients.Freebie]).toEqual(['zero_invoice_active']);
    expect(heldKinds[clients.Steady]).toBeUndefined();
    expect(r.invoiceRun).toMatchObject({ held: 3, failed: 0 });

    // The numbers are on the hold and on the finding.
    const holds = (
      await t.api<{ clientId: string; reason: string; evidence: Record<string, unknown> }[]>('GET', '/billing/holds')
    ).body;
    const spikyHold = holds.find((h) => h.clientId === clients.Spiky);
    expect(spikyHold?.reason).toContain('200 messages');
    expect(spikyHold?.reason).toContain('forecast of 13');
    const findings = (await t.api<FindingView[]>('GET', '/agent-findings?agent=billing')).body;
    const f = findings.find(
      (x) => x.kind === 'invoice_held' && (x.evidence as { clientId?: string }).clientId === clients.Spiky,
    );
    const evidence = f?.evidence as { anomalies: { evidence: { messages: number; forecast: number } }[] } | undefined;
    expect(evidence?.anomalies[0].evidence).toMatchObject({
      messages: 200,
      forecast: 13,
    });

    // Held invoices went nowhere; the others were issued.
    const invoices = (await t.api<{ clientId: string; period: string }[]>('GET', '/invoices')).body.filter(
      (i) => i.period === PERIOD,
    );
    const invoiced = new Set(invoices.map((i) => i.clientId));
    expect(invoiced.has(clients.Steady)).toBe(true);
    for (const c of ['Spiky', 'Switcher', 'Freebie']) expect(invoiced.has(clients[c])).toBe(false);
    const direct = await t.api<{ error: { code: string } }>('POST', `/clients/${clients.Spiky}/invoices`, {
      period: PERIOD,
    });
    expect(direct.status).toBe(409);
    expect(direct.body.error.code).toBe('HUB_ERR_INVOICE_HELD');
    // A hold on an issued invoice is refused: issued invoices stay as they are.
    const late = await t.api(
      'POST',
      '/billing/holds',
      { clientId: clients.Steady, period: PERIOD, reason: 'late' },
      token,
    );
    expect(late.status).toBe(409);
    // Only an admin clears a hold; the agent cannot.
    expect((await t.api('POST', `/billing/holds/${clients.Spiky}/${PERIOD}/clear`, {}, token)).status).toBe(403);

    // A second pass posts nothing new and holds nothing twice.
    const again = await runBilling({ hub, dryRun: false, policy: DEFAULT_BILLING_POLICY, period: PERIOD });
    expect(again.held.every((h) => !h.new)).toBe(true);
    expect(again.findings).toBe(0);
    expect(again.invoiceRun).toBeNull(); // the period's run is done: not repeated

    // The operator looks, clears, and the invoice goes out.
    const cleared = await t.api<{ hold: { active: boolean }; invoice: { clientId: string; total: number } }>(
      'POST',
      `/billing/holds/${clients.Spiky}/${PERIOD}/clear`,
      { note: 'a real spike: their campaign' },
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body.hold.active).toBe(false);
    expect(cleared.body.invoice.clientId).toBe(clients.Spiky);
    // A cleared hold is the operator's decision: the agent does not hold it again.
    const third = await runBilling({ hub, dryRun: false, policy: DEFAULT_BILLING_POLICY, period: PERIOD });
    expect(third.held.map((h) => h.clientId)).not.toContain(clients.Spiky);
  });

  it('suggests a cheaper model of the plan with its evidence, as a proposal an admin approves', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token });
    const fake = await startMessagesApiFake({
      script: () => say('Three invoices wait for review; Pricey could save on Haiku.'),
    });
    try {
      const llm = createLlm({ apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' });
      const r = await runBilling({ hub, llm, dryRun: false, policy: DEFAULT_BILLING_POLICY, period: PERIOD });
      expect(r.llmSummary).toBe('Three invoices wait for review; Pricey could save on Haiku.');
      expect(fake.requests.length).toBe(1);
      expect(fake.rejected).toEqual([]);
      const s = r.savings.find((x) => x.clientId === clients.Pricey);
      expect(s).toMatchObject({
        model: 'anthropic/claude-opus-4-1',
        cheaper: 'anthropic/claude-haiku-4-5',
        conversations: 8,
      });
      expect(s?.costUsd).toBeCloseTo(1.6, 6);
      expect(s?.savingUsd).toBeGreaterThan(1.5);
      expect(s?.sentiment.comparable).toBeGreaterThanOrEqual(8);
      expect(s?.sentiment.cheaper).toBeGreaterThanOrEqual((s?.sentiment.current ?? 0) - 0.1);
      expect(r.savings.find((x) => x.clientId === clients.Thrifty)).toBeUndefined();
    } finally {
      await fake.close();
    }
    const findings = (await t.api<FindingView[]>('GET', '/agent-findings?agent=billing')).body;
    const f = findings.find((x) => x.kind === 'cheaper_model');
    expect(f?.what).toContain('anthropic/claude-haiku-4-5 instead of anthropic/claude-opus-4-1');
    expect(f?.evidence).toMatchObject({ clientId: clients.Pricey, conversations: 8 });
    const proposals = (await t.api<ProposalView[]>('GET', '/agent-proposals?agent=billing')).body;
    const p = proposals.find((x) => x.commands.some((c) => c.type === 'model.set'));
    expect(p?.commands).toEqual([
      expect.objectContaining({
        instanceId: instances.Pricey,
        type: 'model.set',
        params: { model: 'anthropic/claude-haiku-4-5' },
      }),
    ]);
    expect(p?.status).toBe('pending'); // model.set needs an admin's approval
  });

  it('runs without a model and in dry-run with a read-only token; bad settings are refused', async () => {
    const out: string[] = [];
    const code = await billingCommand(
      ['--hub', t.hub.httpUrl, '--token', readToken, '--dry-run', '--period', PERIOD],
      {},
      (s) => out.push(s),
    );
    expect(out[0]).not.toContain('error:');
    expect(code).toBe(0);
    expect(out[0]).toContain('dry run');
    // No provider is configured on this hub: no server prices, said as such.
    expect(out[0]).toContain('skipped: servers');
    expect(out[0]).toContain('held (earlier)');
    await expect(billingCommand(['--token', 'x', '--period', '2026-13'], {})).rejects.toThrow(/--period/);
    await expect(billingCommand(['--token', 'x', '--usage-factor', '0'], {})).rejects.toThrow(/--usage-factor/);
    // The read-only token cannot hold anything.
    const hold = await t.api(
      'POST',
      '/billing/holds',
      { clientId: clients.Steady, period: '2026-01', reason: 'x' },
      readToken,
    );
    expect(hold.status).toBe(403);
  });
});
