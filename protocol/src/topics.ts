import { isValidId } from './ids.js';
import { err, ok, type Result } from './result.js';
import { TOPIC_PREFIX } from './version.js';

/** Simple kinds: one topic level after the instance id. [SPEC 2.3] */
export const SIMPLE_KINDS = [
  'status',
  'hello',
  'metrics',
  'logs',
  'conversations',
  'events',
  'cmd-result',
  'ack',
  'cmd',
] as const;
export type SimpleKind = (typeof SIMPLE_KINDS)[number];

/** Channel kinds: a session (or transfer) id and a direction. [SPEC 2.4] */
export const CHANNEL_KINDS = ['console', 'transfer'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export type ChannelDirection = 'in' | 'out';

/** A parsed topic. */
export type Topic =
  | { instanceId: string; kind: SimpleKind }
  | { instanceId: string; kind: ChannelKind; channelId: string; direction: ChannelDirection };

export type TopicError = 'bad_prefix' | 'bad_instance_id' | 'unknown_kind' | 'bad_channel_id' | 'bad_direction';

const simpleKinds = new Set<string>(SIMPLE_KINDS);
const channelKinds = new Set<string>(CHANNEL_KINDS);

function assertId(id: string, what: string): void {
  if (!isValidId(id)) throw new TypeError(`invalid ${what} for a topic: ${JSON.stringify(id)}`);
}

/** Builds `ds/v1/<instanceId>/<kind>`. Throws on an id that could break the topic tree. [SPEC 2.2] */
export function topicFor(instanceId: string, kind: SimpleKind): string {
  assertId(instanceId, 'instance id');
  if (!simpleKinds.has(kind)) throw new TypeError(`unknown topic kind: ${kind}`);
  return `${TOPIC_PREFIX}/${instanceId}/${kind}`;
}

/** Builds `ds/v1/<instanceId>/<console|transfer>/<channelId>/<in|out>`. [SPEC 2.4] */
export function channelTopic(
  instanceId: string,
  kind: ChannelKind,
  channelId: string,
  direction: ChannelDirection,
): string {
  assertId(instanceId, 'instance id');
  assertId(channelId, `${kind} id`);
  if (direction !== 'in' && direction !== 'out') throw new TypeError(`bad direction: ${direction}`);
  return `${TOPIC_PREFIX}/${instanceId}/${kind}/${channelId}/${direction}`;
}

/** Parses any topic of this protocol version; refuses anything else. Never throws. [SPEC 2.2] */
export function parseTopic(topic: string): Result<Topic, TopicError> {
  if (typeof topic !== 'string' || !topic.startsWith(`${TOPIC_PREFIX}/`)) return err('bad_prefix');
  const parts = topic.slice(TOPIC_PREFIX.length + 1).split('/');
  const [instanceId, kind] = parts;
  if (!isValidId(instanceId)) return err('bad_instance_id');
  if (parts.length === 2 && simpleKinds.has(kind)) return ok({ instanceId, kind: kind as SimpleKind });
  if (parts.length === 4 && channelKinds.has(kind)) {
    const [, , channelId, direction] = parts;
    if (!isValidId(channelId)) return err('bad_channel_id');
    if (direction !== 'in' && direction !== 'out') return err('bad_direction');
    return ok({ instanceId, kind: kind as ChannelKind, channelId, direction });
  }
  return err('unknown_kind');
}

/** Subscription filters a hub uses (`+` matches any instance). [SPEC 2.5] */
export const HUB_SUBSCRIPTIONS = [
  `${TOPIC_PREFIX}/+/status`,
  `${TOPIC_PREFIX}/+/hello`,
  `${TOPIC_PREFIX}/+/metrics`,
  `${TOPIC_PREFIX}/+/logs`,
  `${TOPIC_PREFIX}/+/conversations`,
  `${TOPIC_PREFIX}/+/events`,
  `${TOPIC_PREFIX}/+/cmd-result`,
  `${TOPIC_PREFIX}/+/console/+/out`,
  `${TOPIC_PREFIX}/+/transfer/+/out`,
] as const;

/** Subscription filters one sidecar uses for itself. [SPEC 2.5] */
export function sidecarSubscriptions(instanceId: string): string[] {
  assertId(instanceId, 'instance id');
  const base = `${TOPIC_PREFIX}/${instanceId}`;
  return [`${base}/cmd`, `${base}/ack`, `${base}/console/+/in`, `${base}/transfer/+/in`];
}

/**
 * Topic ACL for an instance's own MQTT identity. [SPEC 2.6]
 * Publish: only its own sidecar-to-hub topics. Subscribe: only its own hub-to-sidecar topics.
 */
export function instanceMayPublish(instanceId: string, topic: string): boolean {
  const t = parseTopic(topic);
  if (!t.ok || t.value.instanceId !== instanceId) return false;
  const v = t.value;
  if ('channelId' in v) return v.direction === 'out';
  return v.kind !== 'cmd' && v.kind !== 'ack';
}

export function instanceMaySubscribe(instanceId: string, filter: string): boolean {
  const base = `${TOPIC_PREFIX}/${instanceId}/`;
  if (!filter.startsWith(base)) return false;
  const rest = filter.slice(base.length);
  if (rest === 'cmd' || rest === 'ack') return true;
  const m = /^(console|transfer)\/([^/]+)\/in$/.exec(rest);
  if (!m) return false;
  return m[2] === '+' || isValidId(m[2]);
}
