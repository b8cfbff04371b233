import { describe, expect, it } from 'vitest';
import { conversationMessageSchema, LIMITS } from '../src/index.js';

const reply = {
  messageId: 'm-1',
  t: 1_764_000_000_000,
  sessionKey: 'agent:main:main',
  role: 'assistant',
  text: '',
};

describe('conversation message error', () => {
  it('is optional, and carries why a reply failed', () => {
    expect(conversationMessageSchema.parse(reply).error).toBeUndefined();
    expect(conversationMessageSchema.parse({ ...reply, error: '529 overloaded_error' }).error).toBe(
      '529 overloaded_error',
    );
    expect(conversationMessageSchema.parse({ ...reply, error: null }).error).toBeNull();
  });

  it('refuses an empty, oversize or non-string error', () => {
    for (const error of ['', 'x'.repeat(LIMITS.maxShortString + 1), true, 1, {}])
      expect(conversationMessageSchema.safeParse({ ...reply, error }).success).toBe(false);
  });
});
