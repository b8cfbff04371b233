import { parentPort, workerData } from 'node:worker_threads';
import type { MetricsMessage } from '@deepsignal/protocol';
import pg from 'pg';
import { inTransaction } from '../../db/checkout.js';
import { copyInsert } from '../../db/copy.js';
import type { Querier } from '../../db/index.js';
import { type CommitOutcome, commitBatch } from '../commit.js';
import { METRIC_SAMPLE_COLUMNS, type MetricRows, metricRows } from '../metrics.js';
import { commitWithRetry } from '../retry.js';
import type { Sequenced, StreamWriters } from '../types.js';
import type { BatchToThread, CommittedPart, FromThread, RefusedMessage, ThreadSettings, ToThread } from './messages.js';

/**
 * The metrics writer thread: builds rows, COPYs them, dedupes and computes the acks on its own
 * event loop and its own database connection, so the broker's thread only parses, validates and
 * publishes. Batches are committed one at a time, in the order they arrive.
 */
const port = parentPort;
if (!port) throw new Error('metrics-thread runs as a worker thread');
const settings = (workerData as { settings: ThreadSettings }).settings;
const send = (m: FromThread) => port.postMessage(m);

// One connection is enough (batches are sequential); the pool reconnects after the database was away.
const pool = new pg.Pool({
  connectionString: settings.databaseUrl,
  max: 1,
  options: `-c search_path=${settings.dbSchema},public`,
});
pool.on('error', () => {}); // an idle client's error surfaces on the next query instead

const tx = <T>(fn: (q: Querier) => Promise<T>): Promise<T> =>
  inTransaction(pool, (c) =>
    fn({
      query: async (sql, params) => (await c.query(sql, params as unknown[])).rows,
      bulkInsert: (table, columns, rows) => copyInsert(c, table, columns, rows),
    }),
  );

/** Cursor keys whose `ingest_cursors` row exists (see `commitBatch`). */
const known = new Set<string>();
let stopping = false;

const notMetrics = {
  async write() {
    throw new Error('the metrics writer thread stores metrics only');
  },
};

async function commitPart(batch: Sequenced[], parts: CommittedPart[]): Promise<void> {
  let rows: MetricRows | undefined;
  const writers = {
    metrics: {
      async write(q: Querier, items: Sequenced<'metrics'>[]) {
        rows = metricRows(items);
        await q.bulkInsert('metric_samples', METRIC_SAMPLE_COLUMNS, rows.rows);
        return undefined;
      },
    },
    logs: notMetrics,
    conversations: notMetrics,
    events: notMetrics,
    'cmd-result': notMetrics,
  } as unknown as StreamWriters;
  const started = performance.now();
  const out: CommitOutcome = await tx((q) => commitBatch(q, batch, writers, known));
  parts.push({
    seconds: (performance.now() - started) / 1000,
    messages: batch.length,
    duplicates: out.duplicates,
    gaps: out.gaps,
    values: rows?.values ?? 0,
    acks: [...out.acks],
    latest: rows ? [...rows.latest] : [],
    oldest: rows ? [...rows.oldest] : [],
  });
}

/** Parses the payloads again (they were validated on the broker's thread). */
function decode(b: BatchToThread, refused: RefusedMessage[]): Sequenced[] {
  const out: Sequenced[] = [];
  const text = new TextDecoder();
  let offset = 0;
  for (let i = 0; i < b.instanceIds.length; i++) {
    const bytes = b.bytes.subarray(offset, offset + b.lengths[i]);
    offset += b.lengths[i];
    const instanceId = b.instanceIds[i];
    try {
      const message = JSON.parse(text.decode(bytes)) as MetricsMessage;
      out.push({
        stream: 'metrics',
        instanceId,
        bootId: message.bootId,
        seq: message.seq,
        base: message.base,
        message,
      });
    } catch (e) {
      refused.push({ instanceId, seq: -1, error: (e as Error).message });
    }
  }
  return out;
}

async function handle(b: BatchToThread): Promise<void> {
  const parts: CommittedPart[] = [];
  const refused: RefusedMessage[] = [];
  await commitWithRetry(decode(b, refused), (batch) => commitPart(batch, parts), {
    failed: (e, batch, retrying) => send({ type: 'failed', error: (e as Error).message, batch, retrying }),
    refused: (m, e) => refused.push({ instanceId: m.instanceId, seq: m.seq, error: (e as Error).message }),
    succeeded: () => {},
    stopped: () => stopping,
  });
  // Stopped while the database was away: the batch stays unacked, the sidecars resend it.
  if (stopping && parts.length === 0 && refused.length === 0) return;
  send({ type: 'done', id: b.id, parts, refused });
}

let work = Promise.resolve();
port.on('message', (m: ToThread) => {
  if (m.type === 'stop') {
    stopping = true;
    void work.then(() => pool.end()).finally(() => port.close());
    return;
  }
  work = work.then(() => handle(m));
});
send({ type: 'ready' });
