import { api, startBenchHub } from '../hub/harness.js';
import { percentile } from '../load/lite-sidecar.js';
import { type BenchResult, round } from '../results.js';

const DAY = 86_400_000;

/**
 * `billing.usage_month_ms`: GET /clients/:id/usage over last month for a random one of 1,000
 * clients, each with a month of hourly usage (2 models × 2 channels), p95 of sequential calls;
 * `billing.invoice_run_s`: the monthly invoice run (POST /billing/run) for those 1,000 active
 * clients. The aggregates are written in the meter's own shape (usage_hourly/usage_daily) with
 * generate_series rather than by ingesting a month of messages, which would take hours here.
 */
export async function billingBenchmark(log: (s: string) => void, clients = 1000): Promise<BenchResult[]> {
  const h = await startBenchHub({ mode: 'pg', instances: 0, prefix: 'bill' });
  try {
    const db = h.hub.db;
    const now = new Date();
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const period = start.toISOString().slice(0, 7);
    const t0 = performance.now();
    await db.query(
      `INSERT INTO clients (id, name, industry, plan, status, created_at)
       SELECT 'cli-b' || g, 'Client ' || g, 'bench', (ARRAY['starter','growth','enterprise'])[1 + g % 3], 'active', $1
       FROM generate_series(1, $2) g`,
      [new Date(start.getTime() - 40 * DAY), clients],
    );
    await db.query(
      `INSERT INTO instances (id, client_id, hostname) SELECT 'inst-b' || g, 'cli-b' || g, 'b' || g || '.sim' FROM generate_series(1, $1) g`,
      [clients],
    );
    for (const [table, step] of [
      ['usage_hourly', '1 hour'],
      ['usage_daily', '1 day'],
    ] as const) {
      const per = step === '1 hour' ? 1 : 24;
      await db.query(
        `INSERT INTO ${table} (client_id, instance_id, model, channel, bucket, messages, replies, tokens_in, tokens_out, cost, latency_sum, latency_count)
         SELECT 'cli-b' || c, 'inst-b' || c, m, ch, b, 3 * $4::int, 3 * $4::int, 1200 * $4::int, 400 * $4::int, 0.004 * $4::int, 900 * 3 * $4::int, 3 * $4::int
         FROM generate_series(1, $1) c,
              unnest(ARRAY['anthropic/claude-sonnet-4-5', 'anthropic/claude-haiku-4-5']) m,
              unnest(ARRAY['telegram', 'slack']) ch,
              generate_series($2::timestamptz, $3::timestamptz - interval '${step}', interval '${step}') b`,
        [clients, start, end, per],
      );
    }
    await db.query('ANALYZE usage_hourly');
    await db.query('ANALYZE usage_daily');
    log(`  loaded a month of usage for ${clients} clients in ${round((performance.now() - t0) / 1000, 1)} s`);

    const q = `from=${start.toISOString()}&to=${end.toISOString()}`;
    const call = async (i: number) => {
      const r = await api<{ messages: number }>(h, 'GET', `/clients/cli-b${1 + ((i * 7919) % clients)}/usage?${q}`);
      if (r.status !== 200 || !(r.body.messages > 0)) throw new Error(`usage query failed: ${r.status}`);
    };
    for (let i = 0; i < 5; i++) await call(i);
    const lat: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      await call(i);
      lat.push(performance.now() - s);
    }
    const p95 = percentile(lat, 95);
    log(`  month of usage p95 ${round(p95, 1)} ms`);

    const r0 = performance.now();
    const run = await api<{ issued: number; failed: number }>(h, 'POST', '/billing/run', { period });
    const runSec = (performance.now() - r0) / 1000;
    // The harness also provisions one client of its own (active, no instances).
    if (run.status !== 200 || run.body.issued < clients || run.body.failed > 0)
      throw new Error(`invoice run: ${run.status} ${JSON.stringify(run.body)}`);
    log(`  invoice run: ${run.body.issued} invoices in ${round(runSec, 1)} s`);
    return [
      {
        name: 'billing.usage_month_ms',
        value: round(p95, 1),
        unit: 'ms',
        goal: '<= 200',
        note: `GET /clients/:id/usage over ${period}, ${clients} clients with hourly and daily aggregates (2 models × 2 channels); 200 calls.`,
      },
      {
        name: 'billing.invoice_run_s',
        value: round(runSec, 1),
        unit: 's',
        note: `POST /billing/run for ${clients} active clients (usage, proration, VAT, gapless numbers, one transaction each).`,
      },
    ];
  } finally {
    await h.cleanup();
  }
}
