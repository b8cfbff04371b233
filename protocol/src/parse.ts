import type { ZodError } from 'zod';
import { LIMITS } from './limits.js';
import { checkMetricsMessage, type MetricsCheck } from './messages/metrics-check.js';
import { MESSAGES, type MessageKind, type MessageOf } from './messages/registry.js';
import { err, ok, type Result } from './result.js';
import { parseTopic, type Topic } from './topics.js';

/** Why a message was refused; the hub counts each reason separately. [SPEC 3.5] */
export type ParseFailure =
  | 'bad_topic'
  | 'unknown_kind'
  | 'oversize'
  | 'bad_json'
  | 'bad_version'
  | 'invalid'
  | 'spoofed'
  | 'wrong_direction';

export interface ParseError {
  reason: ParseFailure;
  detail: string;
}

/** A message that passed every check, tagged with its kind. */
export type ParsedMessage = {
  [K in MessageKind]: { kind: K; topic: Topic; message: MessageOf<K> };
}[MessageKind];

/**
 * Hand-written checks with exactly the schema's accept/reject rules, for the kinds that carry
 * most of the traffic. `ok` means the schema would accept the value and return it unchanged,
 * so zod runs only for refusals (to word the reason) and for values with unknown keys.
 */
const FAST_CHECKS: Partial<Record<MessageKind, (json: unknown) => MetricsCheck>> = {
  metrics: checkMetricsMessage,
};

/** Decodes without copying (`Buffer.from(uint8array)` would copy the bytes first). */
const utf8 = (b: Uint8Array) =>
  (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('utf8');

function kindOf(t: Topic): MessageKind {
  return ('channelId' in t ? `${t.kind}/${t.direction}` : t.kind) as MessageKind;
}

function summarize(e: ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Parses untrusted bytes from a topic into a validated message. Never throws. [SPEC 3.5]
 * Checks, in order: topic, size (before any parsing), JSON, version, schema, and for enveloped
 * messages that the body's instance id is the topic's (anything else is `spoofed`).
 * `expect` limits the directions accepted (a hub passes 'sidecar->hub').
 */
export function parseMessage(
  topic: string,
  payload: Uint8Array | string,
  expect?: 'sidecar->hub' | 'hub->sidecar',
): Result<ParsedMessage, ParseError> {
  const t = parseTopic(topic);
  if (!t.ok) return err({ reason: t.error === 'unknown_kind' ? 'unknown_kind' : 'bad_topic', detail: t.error });
  const kind = kindOf(t.value);
  const def = MESSAGES[kind];
  if (!def) return err({ reason: 'unknown_kind', detail: kind });
  if (expect && def.direction !== expect) return err({ reason: 'wrong_direction', detail: kind });
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > LIMITS.maxMessageBytes) return err({ reason: 'oversize', detail: `${size} bytes` });
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : utf8(payload));
  } catch {
    return err({ reason: 'bad_json', detail: 'payload is not JSON' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err({ reason: 'invalid', detail: 'payload is not a JSON object' });
  }
  const v = (json as { v?: unknown }).v;
  if (v !== 1) return err({ reason: 'bad_version', detail: `v=${JSON.stringify(v)?.slice(0, 20)}` });
  let data: unknown;
  if (FAST_CHECKS[kind]?.(json) === 'ok') data = json;
  else {
    const r = def.schema.safeParse(json);
    if (!r.success) return err({ reason: 'invalid', detail: summarize(r.error) });
    data = r.data;
  }
  const body = data as { instanceId?: string };
  if (typeof body.instanceId === 'string' && body.instanceId !== t.value.instanceId) {
    return err({ reason: 'spoofed', detail: `body says ${body.instanceId}` });
  }
  return ok({ kind, topic: t.value, message: data } as ParsedMessage);
}

/** Serializes a message for publishing (the inverse of `parseMessage`'s JSON step). */
export function encodeMessage(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}
