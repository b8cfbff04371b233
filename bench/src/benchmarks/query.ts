import { from as copyFrom } from 'pg-copy-streams';
import { SAMPLE_COLUMNS } from '../baselines/copy.js';
import { api, type BenchHub, startBenchHub } from '../hub/harness.js';
import { percentile } from '../load/lite-sidecar.js';
import { withClient } from '../pg.js';
import { type BenchResult, round } from '../results.js';
import { SyntheticMachine } from '../sim/synthetic-metrics.js';

const METRIC_COLS = SAMPLE_COLUMNS.slice(2);

/** Loads `days` of per-second samples for one instance straight into the hub's table (COPY). */
async function loadHistory(h: BenchHub, instanceId: string, days: number): Promise<number> {
  const end = Math.floor(Date.now() / 1000) * 1000 - 10_000;
  const start = end - days * 86_400_000;
  const m = new SyntheticMachine(instanceId, start);
  let rows = 0;
  await withClient(async (c) => {
    const table = `"${h.store.dbSchema}".metric_samples`;
    const stream = c.query(copyFrom(`COPY ${table} (${SAMPLE_COLUMNS.join(',')}) FROM STDIN`));
    const done = new Promise<void>((res, rej) => {
      stream.on('finish', res);
      stream.on('error', rej);
    });
    let buf = '';
    for (let t = start; t < end; t += 1000) {
      const s = m.sample(t);
      const d = s.disks?.[0];
      const vals = [
        s.cpu,
        ((s.memUsed ?? 0) / (s.memTotal ?? 1)) * 100,
        d ? (d.used / d.total) * 100 : null,
        s.load1,
        s.load5,
        s.load15,
        0,
        s.netRx,
        s.netTx,
        s.uptime,
        s.openclaw?.cpu,
        s.openclaw?.rss,
      ];
      buf += `${instanceId}\t${new Date(t).toISOString()}\t${vals.map((v) => (v == null ? '\\N' : v)).join('\t')}\n`;
      rows++;
      if (buf.length > 1 << 16) {
        if (!stream.write(buf)) await new Promise((r) => stream.once('drain', r));
        buf = '';
      }
    }
    stream.end(buf);
    await done;
    const schema = h.store.dbSchema;
    const [ts] = (
      await c.query<{ ext: string | null; cagg: string | null }>(
        `SELECT (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'timescaledb') AS ext,
                to_regclass($1)::text AS cagg`,
        [`"${schema}".metric_cagg_1m`],
      )
    ).rows;
    if (ts?.ext && ts.cagg) {
      // On TimescaleDB the charts read the continuous aggregates: refresh them over the loaded
      // range, as the hub's maintenance does for any batch older than the refresh window.
      const range = `'${new Date(start).toISOString()}'::timestamptz, '${new Date(end + 3_600_000).toISOString()}'::timestamptz`;
      await c.query(`SET search_path TO "${schema}", public`);
      for (const cagg of ['metric_cagg_1m', 'metric_cagg_1h'])
        await c.query(`CALL ${ts.ext}.refresh_continuous_aggregate('"${schema}".${cagg}', ${range})`);
    } else {
      // The rollups the hub keeps on plain PostgreSQL (db/rollups.ts), computed once here with the
      // same definition instead of waiting for its 30 s timer to work through 2.6 M rows.
      const avg = METRIC_COLS.map((c) => `avg(${c})`).join(', ');
      await c.query(
        `INSERT INTO "${schema}".metric_rollups_1m (instance_id, bucket, samples, ${METRIC_COLS.join(', ')})
        SELECT instance_id, date_bin('1 minute', t, TIMESTAMPTZ 'epoch'), count(*)::int, ${avg} FROM ${table} WHERE instance_id = $1 GROUP BY 1, 2
        ON CONFLICT DO NOTHING`,
        [instanceId],
      );
      const wavg = METRIC_COLS.map((c) => `sum(${c} * samples) / nullif(sum(samples), 0)`).join(', ');
      await c.query(
        `INSERT INTO "${schema}".metric_rollups_1h (instance_id, bucket, samples, ${METRIC_COLS.join(', ')})
        SELECT instance_id, date_bin('1 hour', bucket, TIMESTAMPTZ 'epoch'), sum(samples)::int, ${wavg} FROM "${schema}".metric_rollups_1m WHERE instance_id = $1 GROUP BY 1, 2
        ON CONFLICT DO NOTHING`,
        [instanceId],
      );
    }
    await c.query(`ANALYZE ${table}`);
  });
  return rows;
}

async function timeCalls(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await fn(i);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    lat.push(performance.now() - t0);
  }
  return lat;
}

/**
 * `query.p95_ms_30d`: a 30-day chart of one instance (GET /instances/:id/metrics over 30 days of
 * per-second data, one call per chart metric) and `query.fleet_p95_ms`: the fleet overview
 * (GET /instances) with 1,000 instances. Both through the HTTP API, sequential calls.
 */
export async function queryBenchmark(log: (s: string) => void, days = 30): Promise<BenchResult[]> {
  const h = await startBenchHub({ mode: 'pg', instances: 1000, prefix: 'q' });
  try {
    const id = h.creds[0].id;
    const t0 = performance.now();
    const rows = await loadHistory(h, id, days);
    log(`  loaded ${rows} rows (${days} days per second) in ${round((performance.now() - t0) / 1000, 1)} s`);
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    const names = ['cpu', 'memory', 'disk', 'load1', 'net_rx', 'net_tx'];
    let points = 0;
    const chart = await timeCalls(60, async (i) => {
      const r = await api<{ points: unknown[] }>(
        h,
        'GET',
        `/instances/${id}/metrics?name=${names[i % names.length]}&from=${from.toISOString()}&to=${to.toISOString()}`,
      );
      if (r.status !== 200)
        throw new Error(`metrics query failed: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      points = r.body.points.length;
    });
    let listed = 0;
    const overview = await timeCalls(40, async () => {
      const r = await api<unknown[]>(h, 'GET', '/instances');
      if (r.status !== 200) throw new Error(`fleet overview failed: ${r.status}`);
      listed = r.body.length;
    });
    const c95 = percentile(chart, 95);
    const o95 = percentile(overview, 95);
    log(
      `  30-day chart p95 ${round(c95, 1)} ms (${points} points); fleet overview p95 ${round(o95, 1)} ms (${listed} instances)`,
    );
    return [
      {
        name: 'query.p95_ms_30d',
        value: round(c95, 1),
        unit: 'ms',
        goal: '<= 100',
        note: `${rows} raw rows of one instance; ${points} points per chart call (1 h rollups); 60 calls over 6 metrics.`,
      },
      {
        name: 'query.fleet_p95_ms',
        value: round(o95, 1),
        unit: 'ms',
        goal: '<= 100',
        note: `GET /instances listing ${listed} instances, 40 calls.`,
      },
    ];
  } finally {
    await h.cleanup();
  }
}
