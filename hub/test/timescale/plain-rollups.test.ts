import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openPglite, openPostgres } from '../../src/db/client.js';
import { PLAIN_SOURCES, queryMetric } from '../../src/db/metrics-query.js';
import { migrate } from '../../src/db/migrate.js';
import { Rollups } from '../../src/db/rollups.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.js';

/** The hub's own rollups and retention (no TimescaleDB), on PGlite and on the machine's PostgreSQL. */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const log = pino({ level: 'silent' });
const havePg = await pgAvailable();

const backends: [string, boolean, () => Promise<{ db: Db; done: () => Promise<void> }>][] = [
  [
    'PGlite',
    true,
    async () => {
      const db = await openPglite(null);
      return { db, done: () => db.close() };
    },
  ],
  [
    'PostgreSQL',
    havePg,
    async () => {
      const schema = uniqueSchema('hubroll');
      const db = await openPostgres(PG_URL, schema);
      return {
        db,
        done: async () => {
          await db.close();
          await dropSchema(schema);
        },
      };
    },
  ],
];

describe.each(backends)('plain rollups on %s', (_name, available, open) => {
  let db: Db;
  let done: () => Promise<void>;
  const id = 'inst_roll1';
  const t0 = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
  const at = (ms: number) => new Date(t0 + ms);
  const sample = (t: Date, cpu: number) =>
    db.query('INSERT INTO metric_samples (instance_id, t, cpu) VALUES ($1, $2, $3)', [id, t, cpu]);
  const rollup = async (table: string) =>
    (
      await db.query<{ bucket: Date | string; samples: number; cpu: number }>(
        `SELECT bucket, samples, cpu FROM ${table} WHERE instance_id = $1 ORDER BY bucket`,
        [id],
      )
    ).map((r) => [new Date(r.bucket).getTime() - t0, r.samples, Math.round(r.cpu * 100) / 100]);

  beforeAll(async () => {
    if (!available) return;
    ({ db, done } = await open());
    await migrate(db);
    await db.query("INSERT INTO clients (id, name) VALUES ('cl_roll', 'Roll')");
    await db.query("INSERT INTO instances (id, client_id, hostname) VALUES ($1, 'cl_roll', 'h')", [id]);
  }, 60_000);
  afterAll(async () => {
    await done?.();
  });

  it.skipIf(!available)(
    'averages minutes from samples and hours from minutes, and redoes buckets that get late data',
    async () => {
      const r = new Rollups(db, log, { rawDays: 30, rollupDays: 395 });
      await sample(at(0), 10);
      await sample(at(10_000), 20);
      await sample(at(60_000), 40);
      await sample(at(HOUR), 100);
      r.touched(id, at(0));
      await r.run();
      expect(await rollup('metric_rollups_1m')).toEqual([
        [0, 2, 15],
        [60_000, 1, 40],
        [HOUR, 1, 100],
      ]);
      expect(await rollup('metric_rollups_1h')).toEqual([
        [0, 3, 23.33],
        [HOUR, 1, 100],
      ]);

      // A replayed sample lands late in an old bucket: only touching it recomputes both levels.
      await sample(at(5_000), 30);
      r.touched(id, at(5_000));
      await r.run();
      expect(await rollup('metric_rollups_1m')).toEqual([
        [0, 3, 20],
        [60_000, 1, 40],
        [HOUR, 1, 100],
      ]);
      expect(await rollup('metric_rollups_1h')).toEqual([
        [0, 4, 25],
        [HOUR, 1, 100],
      ]);

      // After a restart, samples newer than the last rollup are caught up without being touched.
      await sample(at(HOUR + 120_000), 50);
      const again = new Rollups(db, log, { rawDays: 30, rollupDays: 395 });
      await again.recover();
      await again.run();
      expect(await rollup('metric_rollups_1h')).toEqual([
        [0, 4, 25],
        [HOUR, 2, 75],
      ]);

      // Queries over a day read the minute rollups, over a month the hour ones.
      const q = (days: number) =>
        queryMetric(db, PLAIN_SOURCES, {
          instanceId: id,
          name: 'cpu',
          from: new Date(Date.now() - days * DAY),
          to: new Date(),
          rawDays: 30,
        });
      const day = await q(1);
      expect(day.resolution).toBe('1m');
      expect(day.points.map((p) => p[1])).toEqual([20, 40, 100, 50]);
      const month = await q(30);
      expect(month.resolution).toBe('1h');
      expect(month.points).toEqual([
        [at(0).toISOString(), 25],
        [at(HOUR).toISOString(), 75],
      ]);
    },
  );

  it.skipIf(!available)('rolls up many instances in one run, each from its own oldest new sample', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `inst_many${i}`); // more than one chunk
    await db.query(
      "INSERT INTO instances (id, client_id, hostname) SELECT x, 'cl_roll', x FROM unnest($1::text[]) AS x",
      [ids],
    );
    // Each instance: a sample in minute 0 and one in minute 2, cpu = its index.
    await db.query(
      `INSERT INTO metric_samples (instance_id, t, cpu)
       SELECT x, $2::timestamptz + m * interval '1 minute', i FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i), unnest(ARRAY[0, 2]) AS m`,
      [ids, at(0)],
    );
    const r = new Rollups(db, log, { rawDays: 30, rollupDays: 395 });
    for (const x of ids) r.touched(x, at(0));
    await r.run();
    const count = async (sql: string) => Number((await db.query<{ n: number }>(sql, [ids]))[0].n);
    expect(await count('SELECT count(*)::int AS n FROM metric_rollups_1m WHERE instance_id = ANY($1)')).toBe(600);
    // The first instance's minute 0 is changed behind its back; touched only from minute 2, the
    // run leaves minute 0 alone and recomputes minute 2, the others are not touched at all.
    await db.query('UPDATE metric_samples SET cpu = 99 WHERE instance_id = $1', [ids[0]]);
    r.touched(ids[0], at(120_000));
    await r.run();
    const mins = await db.query<{ bucket: Date | string; cpu: number }>(
      'SELECT bucket, cpu FROM metric_rollups_1m WHERE instance_id = $1 ORDER BY bucket',
      [ids[0]],
    );
    expect(mins.map((m) => [new Date(m.bucket).getTime() - t0, Number(m.cpu)])).toEqual([
      [0, 1],
      [120_000, 99],
    ]);
    const hour = await db.query<{ cpu: number }>('SELECT cpu FROM metric_rollups_1h WHERE instance_id = $1', [ids[1]]);
    expect(hour.map((h) => Number(h.cpu))).toEqual([2]);
  });

  it.skipIf(!available)(
    'deletes raw samples and logs past raw retention and rollups past rollup retention',
    async () => {
      const r = new Rollups(db, log, { rawDays: 30, rollupDays: 395 });
      const ago = (days: number) => new Date(Date.now() - days * DAY);
      await db.query('DELETE FROM metric_samples');
      await db.query('DELETE FROM metric_rollups_1m');
      await db.query('DELETE FROM metric_rollups_1h');
      for (const d of [31, 29]) {
        await sample(ago(d), d);
        await db.query("INSERT INTO log_lines (instance_id, t, level, msg) VALUES ($1, $2, 'info', $3)", [
          id,
          ago(d),
          `d${d}`,
        ]);
      }
      for (const d of [400, 100]) {
        await db.query('INSERT INTO metric_rollups_1m (instance_id, bucket, samples, cpu) VALUES ($1, $2, 1, $3)', [
          id,
          ago(d),
          d,
        ]);
        await db.query('INSERT INTO metric_rollups_1h (instance_id, bucket, samples, cpu) VALUES ($1, $2, 1, $3)', [
          id,
          ago(d),
          d,
        ]);
      }
      await r.run(); // the first run applies retention (then at most hourly)
      const vals = async (sql: string) => (await db.query<{ v: number | string }>(sql, [id])).map((x) => String(x.v));
      expect(await vals('SELECT cpu AS v FROM metric_samples WHERE instance_id = $1')).toEqual(['29']);
      expect(await vals('SELECT msg AS v FROM log_lines WHERE instance_id = $1')).toEqual(['d29']);
      expect(await vals('SELECT cpu AS v FROM metric_rollups_1m WHERE instance_id = $1')).toEqual(['100']);
      expect(await vals('SELECT cpu AS v FROM metric_rollups_1h WHERE instance_id = $1')).toEqual(['100']);
    },
  );
});
