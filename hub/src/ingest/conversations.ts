import type { ConversationMessage } from '@deepsignal/protocol';
import { meterMessages } from '../billing/meter.js';
import { insertRows } from '../db/client.js';
import { rooms } from '../live/sink.js';
import type { IngestDeps } from './deps.js';
import { sentimentOf } from './sentiment.js';
import type { StreamWriter } from './types.js';

const COLUMNS = [
  'instance_id',
  'message_id',
  't',
  'session_key',
  'channel',
  'role',
  'text',
  'tokens_in',
  'tokens_out',
  'cost',
  'model',
  'provider',
  'latency_ms',
  'sentiment',
  'error',
];

/**
 * conversations -> conversation_messages. Each (instance, messageId) is stored once [SPEC 4.1, 5.5],
 * so this uses INSERT … ON CONFLICT DO NOTHING rather than COPY, and only new messages go live.
 */
export function conversationsWriter(deps: IngestDeps): StreamWriter<'conversations'> {
  return {
    async write(q, items) {
      const rows: unknown[][] = [];
      const byKey = new Map<string, ConversationMessage & { sentiment: number | null }>();
      for (const m of items) {
        for (const c of m.message.messages) {
          const k = `${m.instanceId}\u0000${c.messageId}`;
          if (byKey.has(k)) continue;
          const sentiment = sentimentOf(c.text);
          byKey.set(k, { ...c, sentiment });
          rows.push([
            m.instanceId,
            c.messageId,
            new Date(c.t),
            c.sessionKey,
            c.channel,
            c.role,
            c.text,
            c.tokensIn,
            c.tokensOut,
            c.cost,
            c.model ?? null,
            c.provider ?? null,
            c.latencyMs ?? null,
            sentiment,
            c.error ?? null,
          ]);
        }
      }
      const inserted = await insertRows<{ instance_id: string; message_id: string }>(
        q,
        'conversation_messages',
        COLUMNS,
        rows,
        'ON CONFLICT DO NOTHING RETURNING instance_id, message_id',
      );
      // Usage grows by exactly the rows stored now, in the same transaction (billing/meter.ts).
      await meterMessages(
        q,
        inserted.flatMap((r) => {
          const c = byKey.get(`${r.instance_id}\u0000${r.message_id}`);
          return c ? [{ ...c, instanceId: r.instance_id }] : [];
        }),
      );
      return () => {
        const byInstance = new Map<string, (ConversationMessage & { sentiment: number | null })[]>();
        for (const r of inserted) {
          const c = byKey.get(`${r.instance_id}\u0000${r.message_id}`);
          if (c) byInstance.set(r.instance_id, [...(byInstance.get(r.instance_id) ?? []), c]);
        }
        for (const [id, messages] of byInstance) {
          deps.live().emit([rooms.instance(id)], 'conversations', { instanceId: id, messages });
          const clientId = deps.fleet.get(id)?.clientId;
          if (clientId)
            for (const m of messages)
              deps.clientEvents().publish(clientId, 'conversation.message', {
                instanceId: id,
                messageId: m.messageId,
                sessionKey: m.sessionKey,
                channel: m.channel,
                role: m.role,
                text: m.text,
                at: new Date(m.t).toISOString(),
                model: m.model,
                tokensIn: m.tokensIn,
                tokensOut: m.tokensOut,
                latencyMs: m.latencyMs ?? null,
                error: m.error ?? null,
              });
        }
      };
    },
  };
}
