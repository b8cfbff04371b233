import { describe, expect, it } from 'vitest';
import { LIMITS, parseMessage } from '../src/index.js';

const topic = 'ds/v1/inst-1/metrics';

describe('parseMessage on hostile input', () => {
  it('refuses oversize payloads before parsing them', () => {
    const big = Buffer.alloc(LIMITS.maxMessageBytes + 1, 0x20);
    expect(parseMessage(topic, big)).toMatchObject({ ok: false, error: { reason: 'oversize' } });
  });

  it('never throws on random bytes', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      const bytes = Buffer.alloc(rnd() % 300);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rnd() & 0xff;
      const r = parseMessage(topic, bytes);
      expect(r.ok).toBe(false);
    }
  });

  it('survives deeply nested JSON', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseMessage(topic, deep)).toMatchObject({ ok: false });
    const deepObj = `{"v":1,"x":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    expect(parseMessage(topic, deepObj)).toMatchObject({ ok: false });
  });

  it('refuses JSON that is not an object, and wrong versions', () => {
    for (const p of ['null', '1', '"x"', '[]', 'true']) expect(parseMessage(topic, p).ok).toBe(false);
    expect(parseMessage(topic, '{"v":2}')).toMatchObject({ ok: false, error: { reason: 'bad_version' } });
  });

  it('refuses bad topics and unknown kinds with distinct reasons', () => {
    expect(parseMessage('ds/v1/+/metrics', '{}')).toMatchObject({ ok: false, error: { reason: 'bad_topic' } });
    expect(parseMessage('ds/v1/inst-1/weather', '{}')).toMatchObject({ ok: false, error: { reason: 'unknown_kind' } });
    expect(parseMessage('other/topic', '{}')).toMatchObject({ ok: false, error: { reason: 'bad_topic' } });
  });

  it('refuses hub-to-sidecar kinds when the hub expects sidecar traffic', () => {
    const cmd = '{"v":1,"ts":1,"acks":[{"bootId":"b","stream":"metrics","seq":1}]}';
    expect(parseMessage('ds/v1/inst-1/ack', cmd, 'sidecar->hub')).toMatchObject({
      ok: false,
      error: { reason: 'wrong_direction' },
    });
    expect(parseMessage('ds/v1/inst-1/ack', cmd, 'hub->sidecar').ok).toBe(true);
  });

  it('does not let __proto__ keys pollute anything', () => {
    const p =
      '{"v":1,"id":"m","instanceId":"inst-1","bootId":"b","seq":1,"ts":1,"__proto__":{"polluted":1},"samples":[{"t":1764000000000}]}';
    const r = parseMessage(topic, p);
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
