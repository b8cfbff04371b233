import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter as postgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as redisAdapter } from '@socket.io/redis-adapter';
import pg from 'pg';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { io as connectClient } from 'socket.io-client';
import { percentile } from '../load/lite-sidecar.js';
import { PG_URL } from '../pg.js';
import { readProc } from '../proc-stats.js';
import { type BenchResult, round } from '../results.js';

const REDIS_URL = process.env.DS_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One adapter's run: frames emitted on hub A, as seen by a browser on hub B. */
interface AdapterRun {
  sent: number;
  received: number;
  /** Publishes the adapter failed (they reject inside it). */
  failedPublishes: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of this process (both Socket.IO servers and the browser), % of one core. */
  nodeCpuPct: number;
  /** CPU of the adapter's PostgreSQL backends, % of one core (PostgreSQL adapter only). */
  dbCpuPct?: number;
}

type Setup = { attach(io: Server): Promise<void>; backendPids(): Promise<number[]>; close(): Promise<void> };

/**
 * `live.adapter_*`: the live stream between two hubs at fleet frame rate, through Socket.IO's Redis
 * adapter (what the hub uses with `DS_REDIS_URL`) and through `@socket.io/postgres-adapter`, in
 * the same run: two Socket.IO servers in this process, a browser client on server B in the
 * `fleet` room, server A emitting `rate` metric frames per second (one per instance, the shape of
 * the hub's `metrics` event) for `seconds`. Latency emit→browser (same clock), frames lost, CPU.
 */
export async function liveAdapterBenchmark(
  log: (s: string) => void,
  o: { rate: number; seconds: number },
): Promise<BenchResult[]> {
  const redis = await runAdapter(redisSetup(), o);
  log(
    `  redis: p99 ${round(redis.p99Ms, 1)} ms, ${redis.sent - redis.received} lost, node ${round(redis.nodeCpuPct, 1)} %`,
  );
  const postgres = await runAdapter(postgresSetup(), o);
  log(
    `  postgres: p99 ${round(postgres.p99Ms, 1)} ms, ${postgres.sent - postgres.received} lost, node ${round(postgres.nodeCpuPct, 1)} %, db ${round(postgres.dbCpuPct ?? 0, 1)} %`,
  );
  const note = `${o.rate} frames/s for ${o.seconds} s, emitted on hub A, browser on hub B`;
  return [
    {
      name: 'live.adapter_redis_p99_ms',
      value: round(redis.p99Ms, 1),
      unit: 'ms',
      baseline: round(postgres.p99Ms, 1),
      baselineName: '@socket.io/postgres-adapter',
      note: `${note}; p50 ${round(redis.p50Ms, 1)} vs ${round(postgres.p50Ms, 1)} ms; lost ${redis.sent - redis.received} vs ${postgres.sent - postgres.received} of ${redis.sent} (failed publishes ${redis.failedPublishes} vs ${postgres.failedPublishes}).`,
    },
    {
      name: 'live.adapter_redis_cpu_pct',
      value: round(redis.nodeCpuPct, 1),
      unit: '% core',
      baseline: round(postgres.nodeCpuPct + (postgres.dbCpuPct ?? 0), 1),
      baselineName: 'postgres-adapter (node + its PostgreSQL backends)',
      note: `hub processes' CPU; the PostgreSQL adapter's backends took ${round(postgres.dbCpuPct ?? 0, 1)} % of a core on top of ${round(postgres.nodeCpuPct, 1)} % in node (Redis's own CPU is not counted: a shared server).`,
    },
  ];
}

function redisSetup(): Setup {
  const clients: { quit(): Promise<unknown> }[] = [];
  return {
    async attach(io) {
      const pub = createClient({ url: REDIS_URL });
      const sub = pub.duplicate();
      clients.push(pub, sub);
      await Promise.all([pub.connect(), sub.connect()]);
      io.adapter(redisAdapter(pub, sub, { key: `ds-live-bench-${process.pid}` }));
    },
    backendPids: async () => [],
    async close() {
      await Promise.allSettled(clients.map((c) => c.quit()));
    },
  };
}

function postgresSetup(): Setup {
  const table = `ds_live_bench_${process.pid}`;
  const pools: pg.Pool[] = [];
  return {
    async attach(io) {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 4, application_name: 'ds-live-bench' });
      pools.push(pool);
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${table} (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`,
      );
      io.adapter(postgresAdapter(pool, { tableName: table, channelPrefix: `ds_live_bench_${process.pid}` }));
    },
    async backendPids() {
      const r = await pools[0].query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'ds-live-bench' AND pid <> pg_backend_pid()",
      );
      return r.rows.map((x) => x.pid);
    },
    async close() {
      await pools[0]?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      await Promise.allSettled(pools.map((p) => p.end()));
    },
  };
}

async function runAdapter(setup: Setup, o: { rate: number; seconds: number }): Promise<AdapterRun> {
  const servers = [0, 1].map(() => {
    const http = createServer();
    return { http, io: new Server(http, { serveClient: false }) };
  });
  try {
    for (const s of servers) {
      await setup.attach(s.io);
      await new Promise<void>((r) => s.http.listen(0, '127.0.0.1', () => r()));
      s.io.on('connection', (socket) => socket.join('fleet'));
    }
    const port = (servers[1].http.address() as AddressInfo).port;
    const browser = connectClient(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    await new Promise<void>((res, rej) => {
      browser.once('connect', () => res());
      browser.once('connect_error', rej);
    });
    // The browser's socket is in hub B's `fleet` room once hub A can reach it through the adapter.
    const until = Date.now() + 30_000;
    let seen = false;
    browser.on('probe', () => {
      seen = true;
    });
    while (!seen && Date.now() < until) {
      servers[0].io.to('fleet').emit('probe');
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!seen) throw new Error('hub B never received what hub A emitted');
    const lat: number[] = [];
    let received = 0;
    browser.on('metrics', (e: { sentAt: number }) => {
      received++;
      lat.push(performance.now() - e.sentAt);
    });
    // An adapter's publish that fails (Redis: a command not sent within its timeout) rejects
    // inside the adapter, where nobody awaits it: counted here, so the run reports it as lost.
    let failedPublishes = 0;
    const onRejection = () => {
      failedPublishes++;
    };
    process.on('unhandledRejection', onRejection);
    const pids = await setup.backendPids();
    const db0 = pids.map((p) => readProc(p)?.cpuSec ?? 0);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let sent = 0;
    // Emitted in 10 ms ticks, as many frames as the rate asks for by then.
    while (performance.now() - t0 < o.seconds * 1000) {
      const due = Math.floor(((performance.now() - t0) / 1000) * o.rate);
      for (; sent < due; sent++)
        servers[0].io.to('fleet').emit('metrics', {
          instanceId: `i${sent % o.rate}`,
          t: new Date().toISOString(),
          values: { cpu: 12.5, load1: 0.4, memUsed: 1e9, memTotal: 4e9, diskUsed: 1e10, diskTotal: 4e10 },
          sentAt: performance.now(),
        });
      await new Promise((r) => setTimeout(r, 10));
    }
    const wall = (performance.now() - t0) / 1000;
    const drainUntil = Date.now() + 10_000;
    while (received < sent && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    const cpu = process.cpuUsage(cpu0);
    const db1 = pids.map((p) => readProc(p)?.cpuSec ?? 0);
    browser.close();
    process.off('unhandledRejection', onRejection);
    return {
      sent,
      received,
      failedPublishes,
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
      nodeCpuPct: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
      dbCpuPct: pids.length ? (db1.reduce((a, b, i) => a + b - db0[i], 0) / wall) * 100 : undefined,
    };
  } finally {
    for (const s of servers) await new Promise<void>((r) => s.io.close(() => r()));
    await setup.close();
  }
}
