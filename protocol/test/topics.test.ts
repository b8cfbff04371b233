import { describe, expect, it } from 'vitest';
import {
  channelTopic,
  HUB_SUBSCRIPTIONS,
  instanceMayPublish,
  instanceMaySubscribe,
  isValidId,
  loadVector,
  parseTopic,
  SIMPLE_KINDS,
  sidecarSubscriptions,
  topicFor,
} from '../src/index.js';

const v = loadVector<{
  valid: { topic: string; instanceId: string; kind: string; channelId?: string; direction?: string }[];
  invalid: { topic: string; why: string }[];
  refusedIds: string[];
}>('topics.json');

describe('topics', () => {
  it('round-trip every simple kind', () => {
    for (const kind of SIMPLE_KINDS) {
      const t = topicFor('inst-1', kind);
      expect(parseTopic(t)).toEqual({ ok: true, value: { instanceId: 'inst-1', kind } });
    }
  });

  it('round-trip channel topics', () => {
    for (const kind of ['console', 'transfer'] as const) {
      for (const direction of ['in', 'out'] as const) {
        const t = channelTopic('inst-1', kind, 'chan-7', direction);
        expect(parseTopic(t)).toEqual({
          ok: true,
          value: { instanceId: 'inst-1', kind, channelId: 'chan-7', direction },
        });
      }
    }
  });

  it.each(v.valid.map((x) => [x.topic, x]))('parses %s', (topic, x) => {
    const r = parseTopic(topic);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ instanceId: x.instanceId, kind: x.kind });
  });

  it.each(v.invalid.map((x) => [x.topic, x.why]))('refuses %s (%s)', (topic) => {
    expect(parseTopic(topic).ok).toBe(false);
  });

  it.each(v.refusedIds.map((id) => [JSON.stringify(id), id]))('builders refuse id %s', (_s, id) => {
    expect(isValidId(id)).toBe(false);
    expect(() => topicFor(id, 'metrics')).toThrow(TypeError);
    expect(() => channelTopic('inst-1', 'console', id, 'in')).toThrow(TypeError);
  });
});

describe('ACL', () => {
  it('lets an instance publish only its own sidecar-to-hub topics', () => {
    expect(instanceMayPublish('a', 'ds/v1/a/metrics')).toBe(true);
    expect(instanceMayPublish('a', 'ds/v1/a/status')).toBe(true);
    expect(instanceMayPublish('a', 'ds/v1/a/console/s1/out')).toBe(true);
    expect(instanceMayPublish('a', 'ds/v1/b/metrics')).toBe(false);
    expect(instanceMayPublish('a', 'ds/v1/a/cmd')).toBe(false);
    expect(instanceMayPublish('a', 'ds/v1/a/ack')).toBe(false);
    expect(instanceMayPublish('a', 'ds/v1/a/console/s1/in')).toBe(false);
    expect(instanceMayPublish('a', '$SYS/broker')).toBe(false);
  });

  it('lets an instance subscribe only to its own hub-to-sidecar topics', () => {
    for (const f of sidecarSubscriptions('a')) expect(instanceMaySubscribe('a', f)).toBe(true);
    expect(instanceMaySubscribe('a', 'ds/v1/b/cmd')).toBe(false);
    expect(instanceMaySubscribe('a', 'ds/v1/+/cmd')).toBe(false);
    expect(instanceMaySubscribe('a', 'ds/v1/#')).toBe(false);
    expect(instanceMaySubscribe('a', 'ds/v1/a/#')).toBe(false);
    expect(instanceMaySubscribe('a', 'ds/v1/a/metrics')).toBe(false);
    expect(instanceMaySubscribe('a', '#')).toBe(false);
  });

  it('gives the hub one filter per sidecar-to-hub kind', () => {
    expect(HUB_SUBSCRIPTIONS).toContain('ds/v1/+/metrics');
    expect(HUB_SUBSCRIPTIONS.every((f) => f.startsWith('ds/v1/+/'))).toBe(true);
  });
});
