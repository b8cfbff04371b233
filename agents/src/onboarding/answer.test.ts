import { describe, expect, it } from 'vitest';
import { composeAnswer, type HelpFacts, topicsOf } from './answer.js';
import type { OnboardingState } from './hub-api.js';
import { dueDay } from './welcome.js';

const base: OnboardingState = {
  clientId: 'cli-1',
  clientName: 'Acme',
  clientStatus: 'onboarding',
  steps: ['welcome', 'company', 'provider', 'model', 'channels', 'personality', 'test', 'success'],
  completed: ['welcome', 'company', 'provider'],
  desired: { provider: 'anthropic', channels: { whatsapp: { enabled: true }, telegram: { enabled: true } } },
  secrets: { anthropic: true, openrouter: false, telegram: true, slack: false },
  instances: [{ id: 'inst-1', hostname: 'h', status: 'online', openclawUp: true, drift: 'in_sync', applied: null }],
  reportedChannels: {},
  whatsappPairing: null,
};
const facts = (question: string, patch: Partial<HelpFacts> = {}, state: Partial<OnboardingState> = {}): HelpFacts => ({
  question,
  topics: topicsOf(question),
  state: { ...base, ...state },
  deployment: null,
  checks: [],
  articles: [],
  ...patch,
});

describe('onboarding answer rules', () => {
  it('finds the topics of a question', () => {
    expect(topicsOf('why is WhatsApp not connected?')).toEqual(['whatsapp']);
    expect(topicsOf('my API key is refused')).toEqual(['key']);
    expect(topicsOf('are my channels connected?')).toEqual(['channels']);
    expect(topicsOf('hello')).toEqual(['general']);
  });

  it('names the reported status and error, or says none was reported, or that the server is missing', () => {
    const down = composeAnswer(
      facts(
        'why is WhatsApp not connected?',
        {},
        { reportedChannels: { whatsapp: { connected: false, error: 'logged out' } } },
      ),
    );
    expect(down).toContain('WhatsApp is disconnected: your agent reports “logged out”');
    expect(down).toContain('Link a device');
    expect(
      composeAnswer(facts('whatsapp?', {}, { reportedChannels: { whatsapp: { connected: true, error: null } } })),
    ).toContain('WhatsApp is connected');
    expect(composeAnswer(facts('whatsapp?'))).toContain('has not reported its status yet');
    const noServer = composeAnswer(facts('whatsapp?', {}, { instances: [] }));
    expect(noServer).toContain('has not been set up yet');
    const off = composeAnswer(facts('slack?'));
    expect(off).toContain('Slack is not turned on');
  });

  it('reports every channel the client turned on when none is named', () => {
    const a = composeAnswer(
      facts(
        'are my channels connected?',
        {},
        {
          reportedChannels: {
            whatsapp: { connected: true, error: null },
            telegram: { connected: false, error: 'Unauthorized' },
          },
        },
      ),
    );
    expect(a).toContain('WhatsApp is connected');
    expect(a).toContain('Telegram is disconnected: your agent reports “Unauthorized”');
    expect(a).not.toContain('Slack');
  });

  it('says what the key check found', () => {
    const check = (reason: 'ok' | 'bad_key' | 'no_credit', message: string) => ({
      check: 'provider' as const,
      ok: reason === 'ok',
      reason,
      message,
      provider: 'anthropic',
      checkedAt: '2026-12-01T00:00:00Z',
    });
    expect(composeAnswer(facts('my key?', { checks: [check('bad_key', 'invalid x-api-key')] }))).toContain(
      'refused when we checked it again just now (invalid x-api-key)',
    );
    expect(composeAnswer(facts('my key?', { checks: [check('no_credit', 'credit balance is too low')] }))).toContain(
      'no credit left',
    );
    expect(composeAnswer(facts('my key?', { checks: [check('ok', '')] }))).toContain('Your Anthropic key works');
  });

  it('falls back to the next step and cites articles', () => {
    const a = composeAnswer(
      facts('what now?', { articles: [{ id: 'a', slug: 'plans', title: 'Plans and prices', rank: 1 }] }),
    );
    expect(a).toContain('Next in your setup: the model screen.');
    expect(a).toContain('“Plans and prices”');
  });

  it('picks the newest day of the welcome sequence that has begun', () => {
    const start = '2026-12-01T10:00:00.000Z';
    const at = (days: number) => Date.parse(start) + days * 86_400_000;
    expect(dueDay(start, at(-0.1))).toBeNull();
    expect([0, 0.9, 1, 2.9, 3, 6.9, 7, 30].map((d) => dueDay(start, at(d)))).toEqual([0, 0, 1, 1, 3, 3, 7, 7]);
    expect(dueDay(null, at(1))).toBeNull();
  });
});
