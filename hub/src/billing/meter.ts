import type { Querier } from '../db/index.js';

/** What the meter needs of one stored conversation message. */
export interface MeteredMessage {
  instanceId: string;
  t: number;
  channel: string;
  role: string;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  cost: number;
  latencyMs?: number | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Adds messages to the hourly and daily usage aggregates. Called inside the ingest transaction
 * with only the rows that INSERT … ON CONFLICT DO NOTHING RETURNING actually inserted, so a
 * replayed batch or a re-read under a new boot adds nothing: the aggregates are exactly the sum
 * of conversation_messages. The client comes from the instance row in the same statement.
 */
export async function meterMessages(q: Pick<Querier, 'query'>, msgs: readonly MeteredMessage[]): Promise<void> {
  if (msgs.length === 0) return;
  for (const [table, size] of [
    ['usage_hourly', HOUR],
    ['usage_daily', DAY],
  ] as const) {
    // Pre-aggregate in memory so one statement never updates the same key twice.
    const acc = new Map<string, (string | number)[]>();
    for (const m of msgs) {
      const bucket = Math.floor(m.t / size) * size;
      const model = m.model ?? '';
      const k = `${m.instanceId}\u0000${model}\u0000${m.channel}\u0000${bucket}`;
      let a = acc.get(k);
      if (!a) {
        a = [m.instanceId, model, m.channel, bucket, 0, 0, 0, 0, 0, 0, 0];
        acc.set(k, a);
      }
      if (m.role === 'user') (a[4] as number)++;
      if (m.role === 'assistant') (a[5] as number)++;
      a[6] = (a[6] as number) + m.tokensIn;
      a[7] = (a[7] as number) + m.tokensOut;
      a[8] = (a[8] as number) + m.cost;
      if (m.role === 'assistant' && typeof m.latencyMs === 'number') {
        a[9] = (a[9] as number) + m.latencyMs;
        (a[10] as number)++;
      }
    }
    const cols: unknown[][] = Array.from({ length: 11 }, () => []);
    for (const a of acc.values()) for (const [i, v] of a.entries()) cols[i].push(v);
    await q.query(
      `INSERT INTO ${table} AS u (client_id, instance_id, model, channel, bucket, messages, replies, tokens_in, tokens_out, cost, latency_sum, latency_count)
       SELECT i.client_id, x.instance_id, x.model, x.channel, to_timestamp(x.bucket / 1000.0), x.messages, x.replies,
              x.tokens_in, x.tokens_out, x.cost, x.latency_sum, x.latency_count
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[], $7::bigint[], $8::bigint[],
                   $9::float8[], $10::bigint[], $11::int[])
            AS x(instance_id, model, channel, bucket, messages, replies, tokens_in, tokens_out, cost, latency_sum, latency_count)
       JOIN instances i ON i.id = x.instance_id
       ON CONFLICT (client_id, bucket, instance_id, model, channel) DO UPDATE SET
         messages = u.messages + EXCLUDED.messages,
         replies = u.replies + EXCLUDED.replies,
         tokens_in = u.tokens_in + EXCLUDED.tokens_in,
         tokens_out = u.tokens_out + EXCLUDED.tokens_out,
         cost = u.cost + EXCLUDED.cost,
         latency_sum = u.latency_sum + EXCLUDED.latency_sum,
         latency_count = u.latency_count + EXCLUDED.latency_count`,
      cols,
    );
  }
}

/**
 * Rebuilds the aggregates of [from, to) from conversation_messages (a repair tool and the
 * reference the tests compare against): deletes the buckets and sums the raw rows again.
 */
export async function rebuildUsage(q: Pick<Querier, 'query'>, from: Date, to: Date): Promise<void> {
  for (const [table, unit] of [
    ['usage_hourly', 'hour'],
    ['usage_daily', 'day'],
  ] as const) {
    await q.query(
      `DELETE FROM ${table} WHERE bucket >= date_trunc('${unit}', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND bucket < $2`,
      [from, to],
    );
    await q.query(
      `INSERT INTO ${table} (client_id, instance_id, model, channel, bucket, messages, replies, tokens_in, tokens_out, cost, latency_sum, latency_count)
       SELECT i.client_id, m.instance_id, COALESCE(m.model, ''), m.channel, date_trunc('${unit}', m.t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
              count(*) FILTER (WHERE m.role = 'user'), count(*) FILTER (WHERE m.role = 'assistant'),
              sum(m.tokens_in), sum(m.tokens_out), sum(m.cost),
              COALESCE(sum(m.latency_ms) FILTER (WHERE m.role = 'assistant'), 0),
              count(m.latency_ms) FILTER (WHERE m.role = 'assistant')
       FROM conversation_messages m JOIN instances i ON i.id = m.instance_id
       WHERE m.t >= date_trunc('${unit}', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND m.t < $2
       GROUP BY 1, 2, 3, 4, 5`,
      [from, to],
    );
  }
}
