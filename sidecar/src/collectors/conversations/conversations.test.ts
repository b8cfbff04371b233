import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConversationMessage, generateHubKeyPair, LIMITS } from '@deepsignal/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config.js';
import type { GatewayLike } from '../../openclaw/types.js';
import { createConversationsCollector } from './index.js';
import { channelOf, toConversationMessage } from './map.js';

const history = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'history.json'), 'utf8'),
);
const dir = mkdtempSync(path.join(tmpdir(), 'ds-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = parseConfig({
  hub: 'mqtt://x',
  instanceId: 'i',
  secret: 's',
  hubKey: generateHubKeyPair().publicKey,
  stateDir: dir,
});

/** A gateway stand-in answering sessions.list and chat.history from the fixture. */
function fakeGateway(messages: unknown[]): GatewayLike & { emitUp(): void } {
  const e = new EventEmitter() as GatewayLike & { emitUp(): void };
  Object.assign(e, {
    connected: true,
    hello: { version: 'x', methods: [], raw: {} },
    request: async (method: string) => {
      if (method === 'sessions.list') return { sessions: [{ key: 'agent:main:telegram:dm:42' }] };
      if (method === 'chat.history') return { messages };
      throw new Error(`unexpected ${method}`);
    },
    start() {},
    stop: async () => {},
    waitUp: async () => e.hello!,
    emitUp: () => e.emit('up', e.hello),
  });
  return e;
}

function run(gw: GatewayLike) {
  const got: ConversationMessage[] = [];
  const c = createConversationsCollector({
    config,
    log: () => {},
    now: Date.now,
    emit: { conversations: (m) => got.push(...m), logLines: () => {}, event: () => {} },
    gateway: gw,
    state: null as never,
  });
  return { c, got };
}
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('conversations collector', () => {
  it('maps a turn with role, channel, tokens, cost, model and latency; catch-up after reconnect sends nothing twice', async () => {
    const gw = fakeGateway(history.messages);
    const { c, got } = run(gw);
    await c.start!();
    await settle();
    expect(got.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(got[1]).toMatchObject({
      messageId: 'a-1',
      sessionKey: 'agent:main:telegram:dm:42',
      channel: 'telegram',
      text: 'Hello from the fake model.',
      tokensIn: 1234,
      tokensOut: 12,
      cost: 0.5,
      model: 'fake/fake-model',
      latencyMs: 1795645252550 - 1795645245394,
    });
    gw.emitUp(); // a reconnect: catch-up finds nothing new
    gw.emit('event', 'chat', { state: 'final', sessionKey: 'agent:main:telegram:dm:42', runId: 'k1' });
    await settle();
    expect(got).toHaveLength(3);
    await c.stop!();
    // a restart of the sidecar resumes from its cursor on disk
    const again = run(
      fakeGateway([
        ...history.messages,
        { role: 'user', content: 'more', timestamp: 1795645260000, __openclaw: { id: 'u-2', seq: 4 } },
      ]),
    );
    await again.c.start!();
    await settle();
    expect(again.got.map((m) => m.messageId)).toEqual(['u-2']);
    await again.c.stop!();
  });

  it('marks a failed reply (stopReason "error") with the provider message; a working reply has no error', () => {
    const base = { role: 'assistant', content: [], timestamp: 1_764_000_000_000, __openclaw: { id: 'a1' } };
    const failed = toConversationMessage(
      { ...base, stopReason: 'error', errorMessage: ' 529 overloaded_error ' },
      'agent:main:main',
      'main',
      null,
      undefined,
      0,
    );
    expect(failed?.error).toBe('529 overloaded_error');
    const bare = toConversationMessage({ ...base, stopReason: 'error' }, 'agent:main:main', 'main', null, undefined, 0);
    expect(bare?.error).toBe('error');
    for (const stopReason of ['stop', 'length', 'toolUse', 'aborted', undefined]) {
      const ok = toConversationMessage({ ...base, stopReason }, 'agent:main:main', 'main', null, undefined, 0);
      expect(ok && 'error' in ok).toBe(false);
    }
    // Only a reply fails: a user line carrying the field is not counted.
    const user = toConversationMessage(
      { ...base, role: 'user', stopReason: 'error' },
      'agent:main:main',
      'main',
      null,
      undefined,
      0,
    );
    expect(user && 'error' in user).toBe(false);
    const long = toConversationMessage(
      { ...base, stopReason: 'error', errorMessage: 'x'.repeat(5000) },
      'agent:main:main',
      'main',
      null,
      undefined,
      0,
    );
    expect(long?.error?.length).toBe(LIMITS.maxShortString);
  });

  it('derives the channel from session metadata or the key', () => {
    expect(channelOf('agent:main:main')).toBe('main');
    expect(channelOf('agent:main:slack:channel:C1')).toBe('slack');
    expect(channelOf('agent:x:y', { lastChannel: 'whatsapp' })).toBe('whatsapp');
  });
});
