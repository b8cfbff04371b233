/**
 * Checks the hub's TimescaleDB path on a real server (bench/README.md, "A real TimescaleDB"):
 * two hubs on two schemas of one database, where the extension lives, which background jobs
 * each scheduler mode leaves, and whether a 10-day backfill is complete in the 30-day chart.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5433/test npx tsx bench/src/tools/timescale-check.ts
 */

import mqtt from 'mqtt';
import pino from 'pino';
import { queryMetric } from '../../../hub/src/db/metrics-query.js';
import { startHub } from '../../../hub/src/hub.js';
import { dropSchema, uniqueSchema } from '../pg.js';

if (process.argv.includes('--help')) {
  console.log('DATABASE_URL=postgres://…/test npx tsx bench/src/tools/timescale-check.ts  (prints a JSON report)');
  process.exit(0);
}
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL with TimescaleDB');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const log = pino({ level: 'warn' });
const admin = { adminEmail: 'check@example.com', adminPassword: 'check-password-123' };

async function hubOn(schema: string, scheduler: 'hub' | 'timescaledb') {
  return startHub({
    databaseUrl: url,
    dbSchema: schema,
    httpPort: 0,
    mqttPort: 0,
    dataDir: `/tmp/${schema}`,
    timescaleScheduler: scheduler,
    logger: log,
    ...admin,
  });
}

const report: Record<string, unknown> = {};
const a = uniqueSchema('tsa');
const b = uniqueSchema('tsb');
const hubA = await hubOn(a, 'hub');
const hubB = await hubOn(b, 'timescaledb');
try {
  report.server = (await hubA.db.query<{ v: string }>('SELECT version() AS v'))[0].v;
  report.active = [hubA.ctx.timescale, hubB.ctx.timescale];
  report.extensionSchema = (
    await hubA.db.query<{ s: string }>(
      `SELECT n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'timescaledb'`,
    )
  )[0]?.s;
  const jobs = async (schema: string) =>
    (
      await hubA.db.query<{ job_id: number }>(
        'SELECT job_id FROM timescaledb_information.jobs WHERE hypertable_schema = $1 ORDER BY job_id',
        [schema],
      )
    ).map((r) => Number(r.job_id));
  report.jobsHubScheduler = (await jobs(a)).length;
  const before = await jobs(b);
  report.jobsTimescaleScheduler = before.length;

  // A 10-day backfill for one instance, one message every 30 minutes, through the broker.
  const client = (
    await hubA.db.query<{ id: string }>("INSERT INTO clients (id, name) VALUES ('cl-ts', 'TS') RETURNING id")
  )[0];
  const res = await fetch(`${hubA.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: admin.adminEmail, password: admin.adminPassword }),
  });
  const token = ((await res.json()) as { token: string }).token;
  const inst = (await (
    await fetch(`${hubA.httpUrl}/api/v1/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: client.id, hostname: 'ts-1' }),
    })
  ).json()) as { id: string; secret: string };
  const c = await mqtt.connectAsync(hubA.mqttUrl, {
    clientId: `ds-${inst.id}`,
    username: inst.id,
    password: inst.secret,
    protocolVersion: 4,
  });
  const start = Math.floor((Date.now() - 10 * DAY) / HOUR) * HOUR;
  const n = 10 * 48;
  const acked = new Promise<void>((resolve) =>
    c.on('message', (_t, p) => {
      const m = JSON.parse(p.toString()) as { acks: { seq: number }[] };
      if (m.acks.some((x) => x.seq === n - 1)) resolve();
    }),
  );
  await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
  const t0 = Date.now();
  for (let seq = 0; seq < n; seq++) {
    const t = start + seq * 30 * 60_000;
    await c.publishAsync(
      `ds/v1/${inst.id}/metrics`,
      JSON.stringify({
        v: 1,
        id: `m${seq}`,
        instanceId: inst.id,
        bootId: 'b',
        seq,
        ts: Date.now(),
        samples: [{ t, cpu: 10 + (seq % 7) }],
      }),
      { qos: 1 },
    );
  }
  await acked;
  await c.endAsync();
  const t1 = Date.now();
  await hubA.ctx.rollups.run();
  report.backfill = { messages: n, ingestMs: t1 - t0, refreshMs: Date.now() - t1 };
  const chart = await queryMetric(hubA.db, hubA.ctx.metricSources, {
    instanceId: inst.id,
    name: 'cpu',
    from: new Date(Date.now() - 30 * DAY),
    to: new Date(),
    rawDays: 30,
  });
  const hours = new Set(Array.from({ length: n }, (_, i) => Math.floor((start + i * 30 * 60_000) / HOUR))).size;
  report.chart30d = { points: chart.points.length, hoursWithData: hours, resolution: chart.resolution };
  report.failingJobs = [hubA.ctx.timescaleJobs?.jobs() ?? [], await hubB.ctx.timescaleJobs?.check()];

  // A restart of the timescaledb-scheduled hub keeps its policies.
  await hubB.stop();
  const hubB2 = await hubOn(b, 'timescaledb');
  report.jobsKeptAcrossRestart = JSON.stringify(await jobs(b)) === JSON.stringify(before);
  await hubB2.stop();
} finally {
  await hubA.stop().catch(() => {});
  await hubB.stop().catch(() => {});
  await dropSchema(a, url);
  await dropSchema(b, url);
  report.extensionAfterDrops =
    (await import('pg').then(async ({ default: pg }) => {
      const cl = new pg.Client({ connectionString: url });
      await cl.connect();
      const r = await cl.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
      await cl.end();
      return r.rowCount;
    })) === 1;
}
console.log(JSON.stringify(report, null, 2));
process.exit(0);
