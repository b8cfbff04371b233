import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub-client.js';
import type { FindingView, ProposalView } from '../src/hub-types.js';
import { runLearning } from '../src/learning/run.js';
import { createLlm } from '../src/llm.js';
import { say, startMessagesApiFake } from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

/**
 * Seeded conversations with each signal: a refund question asked four times and always handed to
 * a person, questions left without a reply, negative turns, and conversations that went well.
 */
function seeded(t0: number) {
  const m: Record<string, unknown>[] = [];
  let n = 0;
  const add = (session: string, role: string, text: string) =>
    m.push({
      messageId: `m${n}`,
      t: t0 + n++ * 1000,
      sessionKey: `agent:main:telegram:direct:${session}`,
      channel: 'telegram',
      role,
      text,
      cost: role === 'assistant' ? 0.001 : 0,
    });
  for (let i = 0; i < 4; i++) {
    add(`refund${i}`, 'user', `How do I get a refund for order ${100 + i}?`);
    add(
      `refund${i}`,
      'assistant',
      "I'm not sure about refunds, I will pass this to a colleague who will get back to you.",
    );
  }
  for (let i = 0; i < 3; i++) add(`sunday${i}`, 'user', 'Are you open on Sunday?');
  for (let i = 0; i < 3; i++) {
    add(`late${i}`, 'user', 'Where is my parcel?');
    add(`late${i}`, 'assistant', 'It left the warehouse yesterday.');
    add(`late${i}`, 'user', 'This is terrible, awful and useless service. I hate waiting.');
  }
  for (let i = 0; i < 5; i++) {
    add(`good${i}`, 'user', 'What sizes do the shoes come in?');
    add(`good${i}`, 'assistant', 'From 36 to 46, in half sizes.');
    add(`good${i}`, 'user', 'Great, thanks!');
  }
  return m;
}

describe('learning agent', () => {
  let t: AgentTestHub;
  let hub: HubClient;
  const inst: { id: string }[] = [];
  /** An online instance whose stored conversations are the seeded ones. */
  const seededInstance = async (name: string) => {
    const i = await t.newInstance(name);
    const side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, i.id, i.secret);
    await side.status('online');
    const messages = seeded(Date.now() - 3600_000);
    await side.conversations(messages);
    await until(
      async () => (await t.api<unknown[]>('GET', `/instances/${i.id}/conversations`)).body.length === messages.length,
      'conversations stored',
      60_000,
    );
    inst.push(i);
    return i;
  };

  beforeAll(async () => {
    t = await startAgentHub();
    const i = await seededInstance('shop-1');
    const p = await t.api('PUT', `/onboarding/personality?clientId=${i.clientId}`, {
      name: 'Ada',
      tone: 'friendly',
      emoji: '👟',
      avatar: '',
      instructions: 'Help with shoe orders.',
    });
    expect(p.status).toBe(200);
    const token = (await t.api<{ token: string }>('POST', '/ops-agents/learning/token')).body.token;
    hub = new HubClient({ baseUrl: t.hub.httpUrl, token });
  }, 120_000);
  afterAll(() => t?.close());

  it('rule-based, without a model: findings with examples, one persona proposal for an operator, posted once', async () => {
    const r = await runLearning({ hub, llm: null, dryRun: false });
    const mine = r.instances.find((x) => x.instanceId === inst[0].id);
    const kinds = mine?.findings.map((f) => f.kind).sort();
    expect(kinds).toEqual([
      'handoffs',
      'negative_turns',
      'repeated_question',
      'repeated_question',
      'unanswered_questions',
    ]);
    // Refunds (always handed off) and Sunday hours (never answered) repeat and go badly; the
    // parcel question repeats too but was answered each time, so it is no finding.
    const repeated = mine?.findings.find((f) => f.kind === 'repeated_question' && /refund/.test(f.what));
    expect(mine?.findings.some((f) => f.kind === 'repeated_question' && /Sunday/.test(f.what))).toBe(true);
    expect(mine?.findings.some((f) => /parcel/.test(f.what) && f.kind === 'repeated_question')).toBe(false);
    expect(repeated?.count).toBe(4);
    expect(repeated?.examples[0].user).toMatch(/refund for order/);
    expect(repeated?.examples[0].assistant).toMatch(/pass this to a colleague/);
    expect(mine?.findings.find((f) => f.kind === 'unanswered_questions')?.count).toBe(3);
    expect(mine?.findings.find((f) => f.kind === 'negative_turns')?.examples[0].user).toMatch(/terrible/);

    const posted = (await t.api<FindingView[]>('GET', `/agent-findings?agent=learning&instanceId=${inst[0].id}`)).body;
    expect(posted).toHaveLength(5);
    expect(
      JSON.stringify(posted.find((f) => f.kind === 'repeated_question' && /refund/.test(f.what))?.evidence),
    ).toContain('refund for order');

    const proposal = mine?.proposal as { id: string; status: string };
    expect(proposal.status).toBe('pending'); // config.apply: an operator approves (DS_LEARNING_APPROVER=operator)
    const p = (
      await t.api<ProposalView & { commands: { type: string; params: { files: Record<string, string> } }[] }>(
        'GET',
        `/agent-proposals/${proposal.id}`,
      )
    ).body;
    expect(p.agent).toBe('learning');
    expect(p.commands[0].type).toBe('config.apply');
    const rules = p.commands[0].params.files['AGENTS.md'];
    expect(rules).toContain('Help with shoe orders.'); // the client's instructions stay
    expect(rules).toMatch(/Customers often ask "How do I get a refund for order 100\?"/);
    expect(p.reasoning).toMatch(/refund for order/);
    expect(p.reasoning).toMatch(/pass this to a colleague/);

    // A second pass posts nothing new and finds the same proposal.
    const again = await runLearning({ hub, llm: null, dryRun: false });
    expect(again.instances.find((x) => x.instanceId === inst[0].id)?.findings.every((f) => !f.posted)).toBe(true);
    expect((again.instances.find((x) => x.instanceId === inst[0].id)?.proposal as { id: string } | undefined)?.id).toBe(
      proposal.id,
    );
    expect(
      (await t.api<FindingView[]>('GET', `/agent-findings?agent=learning&instanceId=${inst[0].id}`)).body,
    ).toHaveLength(5);

    const dry = await runLearning({ hub, llm: null, dryRun: true });
    expect(dry.instances.find((x) => x.instanceId === inst[0].id)?.findings.every((f) => !f.posted)).toBe(true);
  }, 120_000);

  it('with the model fake: the model rewords the instructions from the same examples', async () => {
    const fake = await startMessagesApiFake({
      script: () => say('- Explain the refund steps: order page, "return", refund in 5 days.\n- Say the Sunday hours.'),
    });
    try {
      const llm = createLlm({ apiKey: fake.apiKey, baseUrl: fake.url, model: 'claude-test' });
      // Proposals are once per instance and week: a new instance has none yet.
      await seededInstance('shop-2');
      const r = await runLearning({ hub, llm, dryRun: false });
      const second = r.instances.find((x) => x.instanceId === inst[1].id);
      expect(fake.requests.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(fake.requests[0].body)).toContain('refund for order');
      expect(r.llmError).toBeNull();
      const p = (
        await t.api<{ commands: { params: { files: Record<string, string> } }[] }>(
          'GET',
          `/agent-proposals/${(second?.proposal as { id: string } | undefined)?.id}`,
        )
      ).body;
      expect(p.commands[0].params.files['AGENTS.md']).toContain('Explain the refund steps');
    } finally {
      await fake.close();
    }
  }, 120_000);
});
