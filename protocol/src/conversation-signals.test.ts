import { describe, expect, it } from 'vitest';
import { asksForHuman, isHandoff, normaliseQuestion, sessionOutcomes } from './conversation-signals.js';

describe('conversation signals', () => {
  it('recognises handoffs and requests for a person', () => {
    expect(isHandoff("I'm not sure, I will pass this to a colleague who will get back to you.")).toBe(true);
    expect(isHandoff('Let me connect you with our team.')).toBe(true);
    expect(isHandoff('Open the order page and pick "change address".')).toBe(false);
    expect(asksForHuman('Can I speak to a human please?')).toBe(true);
    expect(asksForHuman('human')).toBe(true);
    expect(asksForHuman('Is a human reading this or a bot? I want my refund')).toBe(false);
  });

  it('clusters the same question asked in other words', () => {
    expect(normaliseQuestion('How do I get a REFUND for order 123?')).toBe(normaliseQuestion('refund order 9 - how?'));
    expect(normaliseQuestion('Where is my parcel?')).not.toBe(normaliseQuestion('How do I get a refund?'));
  });

  it('measures sessions: resolved, handed off, unanswered, sentiment, length, cost', () => {
    const m = (sessionKey: string, t: number, role: string, text: string, extra = {}) => ({
      sessionKey,
      t,
      role,
      text,
      ...extra,
    });
    const out = sessionOutcomes([
      m('ok', 1, 'user', 'Where is my order?', { sentiment: 0 }),
      m('ok', 2, 'assistant', 'It ships tomorrow.', { cost: 0.01 }),
      m('ok', 3, 'user', 'Great, thanks!', { sentiment: 0.8 }),
      m('handoff', 1, 'user', 'Can I return a used item?'),
      m('handoff', 2, 'assistant', 'I will pass this to a colleague.'),
      m('silent', 1, 'user', 'Hello? Anyone?'),
      m('failed', 1, 'user', 'What are your hours?'),
      m('failed', 2, 'assistant', '', { error: 'overloaded' }),
    ]);
    const by = Object.fromEntries(out.map((o) => [o.sessionKey, o]));
    expect(by.ok).toMatchObject({ resolved: true, unanswered: false, sentiment: 0.4, cost: 0.01, replyLength: 18 });
    expect(by.handoff).toMatchObject({ resolved: false, handedOff: true, unanswered: false });
    expect(by.silent).toMatchObject({ resolved: false, unanswered: true });
    expect(by.failed).toMatchObject({ resolved: false, unanswered: true });
  });
});
