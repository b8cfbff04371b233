import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_TYPES,
  LIMITS,
  loadVector,
  MESSAGES,
  paramsSizeError,
  parseMessage,
  VECTORS_DIR,
  validateParams,
} from '../src/index.js';

interface MessageVectors {
  kind: string;
  topic: string;
  valid: object[];
  invalid: { name: string; payload: unknown; reason: string }[];
}

const files = readdirSync(join(VECTORS_DIR, 'messages'));

describe('message vectors', () => {
  it('cover every sidecar-to-hub kind and the hub-to-sidecar frames', () => {
    const covered = new Set(files.map((f) => loadVector<MessageVectors>(`messages/${f}`).kind));
    for (const [kind, def] of Object.entries(MESSAGES)) {
      if (kind === 'cmd' || kind === 'transfer/in') continue; // cmd: signing.json; transfer/in: same schema as out
      expect(covered, `${kind} (${def.direction})`).toContain(kind);
    }
  });

  for (const file of files) {
    const v = loadVector<MessageVectors>(`messages/${file}`);
    describe(v.kind, () => {
      it.each(v.valid.map((p, i) => [i, p]))('valid #%i parses', (_i, payload) => {
        const r = parseMessage(v.topic, JSON.stringify(payload));
        expect(r.ok ? 'ok' : r.error).toBe('ok');
        if (r.ok) expect(r.value.kind).toBe(v.kind);
      });
      it.each(v.invalid.map((x) => [x.name, x]))('invalid: %s', (_n, x) => {
        const r = parseMessage(v.topic, JSON.stringify(x.payload));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.reason).toBe(x.reason);
      });
    });
  }
});

describe('command param vectors', () => {
  const vectors = loadVector<Record<string, { valid: unknown[]; invalid: unknown[] }>>('commands.json');
  it('cover every command in the catalog', () => {
    expect(Object.keys(vectors).sort()).toEqual([...COMMAND_TYPES].sort());
  });
  for (const [type, v] of Object.entries(vectors)) {
    it(`${type}: valid params pass, invalid are refused with a message`, () => {
      for (const p of v.valid) expect(validateParams(type, p)).toMatchObject({ ok: true });
      for (const p of v.invalid) {
        const r = validateParams(type, p);
        expect(r.ok, JSON.stringify(p)).toBe(false);
        if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
      }
    });
  }
  it('refuses unknown types', () => {
    expect(validateParams('rm.rf', {})).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(validateParams('__proto__', {})).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(validateParams('toString', {})).toMatchObject({ ok: false, code: 'unknown_type' });
  });
  it('refuses params too large to travel in one signed command, saying how large', () => {
    // An A/B variant with its 5000 allowed peers, each with a long id: valid by shape, but the
    // signed command would be over the message limit a sidecar refuses unread.
    const peers = Array.from({ length: 5000 }, (_, i) => ({
      channel: 'telegram',
      kind: 'direct',
      id: `${i}`.padEnd(60, 'x'),
    }));
    const r = validateParams('config.apply', {
      variant: { agentId: 'ab-b', files: {}, channels: ['telegram'], peers },
    });
    expect(r).toMatchObject({ ok: false, code: 'bad_params' });
    if (!r.ok)
      expect(r.message).toMatch(new RegExp(`^params are \\d+ bytes, over the ${LIMITS.maxParamsBytes}-byte limit$`));
    expect(paramsSizeError({ variant: { peers: peers.slice(0, 100) } })).toBeNull();
  });
});
