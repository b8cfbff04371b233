import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, fail, type MessagesApiFake, say, startMessagesApiFake } from './messages-api-fake.js';

const TOOL = { name: 'list_instances', description: 'd', input_schema: { type: 'object', properties: {} } };

describe('the scripted Messages API stand-in', () => {
  let f: MessagesApiFake;
  beforeAll(async () => {
    f = await startMessagesApiFake({
      script: [
        callTool('list_instances', {}, 'Looking.'),
        say('Done.'),
        fail('rate_limit', { retryAfterSec: 7 }),
        fail('overloaded'),
        say('cut off', { input_tokens: 5, output_tokens: 9 }),
      ],
    });
  });
  afterAll(() => f.close());

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${f.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': f.apiKey,
        'anthropic-version': '2023-06-01',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { error: { type: string; message: string }; usage?: Record<string, number> };
    return { status: res.status, headers: res.headers, body: json };
  };
  const base = { model: 'claude-test', max_tokens: 100 };

  it('answers through the SDK with tool_use and end_turn messages, and checks the tool_result ids', async () => {
    const client = new Anthropic({
      apiKey: f.apiKey,
      baseURL: f.url,
      maxRetries: 0,
      defaultHeaders: { 'x-api-key': f.apiKey, authorization: null },
    });
    const first = await client.messages.create({
      ...base,
      tools: [TOOL as Anthropic.Tool],
      messages: [{ role: 'user', content: 'check the fleet' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content[0]).toMatchObject({ type: 'text', text: 'Looking.' });
    const use = first.content[1];
    expect(use).toMatchObject({ type: 'tool_use', name: 'list_instances', input: {} });
    expect(use.type === 'tool_use' && use.id).toMatch(/^toolu_/);
    expect(first.usage.input_tokens).toBeGreaterThan(0);
    const id = use.type === 'tool_use' ? use.id : '';
    const second = await client.messages.create({
      ...base,
      tools: [TOOL as Anthropic.Tool],
      messages: [
        { role: 'user', content: 'check the fleet' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: '[]' }] },
      ],
    });
    expect(second).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
    expect(f.usage.input_tokens).toBe(first.usage.input_tokens + second.usage.input_tokens);
    expect(f.rejected).toEqual([]);
  });

  it('refuses what the real API refuses, with its statuses and error bodies', async () => {
    const noKey = await post({ ...base, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'nope' });
    expect(noKey).toMatchObject({ status: 401, body: { type: 'error', error: { type: 'authentication_error' } } });
    const twice = await post({
      ...base,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringMatching(/alternate/),
    });
    const stray = await post({
      ...base,
      tools: [TOOL],
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_instances', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'x' }] },
      ],
    });
    expect(stray.body.error.message).toMatch(/toolu_2/);
    const unanswered = await post({
      ...base,
      tools: [TOOL],
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_instances', input: {} }] },
        { role: 'user', content: 'and?' },
      ],
    });
    expect(unanswered.body.error.message).toMatch(/without `tool_result`/);
    const badTool = await post({
      ...base,
      tools: [{ name: 'a b', input_schema: {} }],
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(badTool.status).toBe(400);
    expect(f.rejected).toHaveLength(4);
  });

  it('plays scripted errors: 429 with retry-after, 529; then a reply with its own usage', async () => {
    const ask = { ...base, messages: [{ role: 'user', content: 'x' }] };
    const limited = await post(ask);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect((await post(ask)).body).toMatchObject({ error: { type: 'overloaded_error' } });
    expect((await post(ask)).body.usage).toMatchObject({ input_tokens: 5, output_tokens: 9 });
    const over = await post(ask);
    expect(over.status).toBe(500);
    expect(over.headers.get('x-should-retry')).toBe('false');
  });
});
