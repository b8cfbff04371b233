import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../../sidecar/src/config.js';
import { brokerThroughput } from '../baselines/broker.js';
import { copyBaseline, POINTS_PER_ROW, syntheticRows } from '../baselines/copy.js';
import { profileThisProcess } from '../cpu-profile.js';
import { watchCpuShares } from '../cpu-shares.js';
import { type BenchHub, startBenchHub } from '../hub/harness.js';
import { request } from '../ipc.js';
import {
  answerTo,
  type GeneratorEnd,
  type GeneratorRequest,
  type GeneratorTotals,
  InlineGenerator,
} from '../load/ingest-generator.js';
import { percentile } from '../load/lite-sidecar.js';
import { type BenchResult, round } from '../results.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GENERATOR = path.join(HERE, '../load/ingest-worker.ts');
const RESULTS = path.join(HERE, '../../results');
/**
 * A sidecar with a backlog keeps this many messages awaiting acks (its `inflight` default), so the
 * benchmark offers the hub what 200 such sidecars would (a window of 4, used before 2026-12-04,
 * left the hub idle a fifth of the time waiting for senders: DS_BENCH_INGEST_WINDOW=4 measures it).
 */
const SIDECAR_INFLIGHT = configSchema.shape.inflight.parse(undefined);

/** Settings of one ingest run. */
export interface IngestOptions {
  mode: 'pg' | 'embedded';
  /** Simulated instances, each with its own MQTT connection (default 200). */
  instances?: number;
  /** Samples per metrics message (default 5: a sidecar's 5 s batch). */
  samplesPerMessage?: number;
  /** Messages each instance keeps awaiting the hub's ack (default: the sidecar's `inflight`, 32). */
  window?: number;
  warmupSec?: number;
  measureSec?: number;
  /** Where the publishers run: their own process (default) or this one. */
  generator?: 'process' | 'inline';
  log?: (s: string) => void;
}

/** What the ingest run measured. */
export interface IngestMeasure {
  pointsPerSec: number;
  samplesPerSec: number;
  messagesPerSec: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** Rows in the database equal the samples acknowledged (checked after draining). */
  exact: boolean;
  /** Where the 2 cores went during the window, in % of one core (cpu-shares.ts). */
  cpu: Record<string, number>;
  rowsInDb: number;
  samplesAcked: number;
}

/**
 * End-to-end ingest: `instances` protocol-level publishers push metrics messages as fast as the
 * hub acknowledges them (each keeps `window` unacknowledged); the rate counts only samples the
 * hub acknowledged, i.e. committed to the database. [SPEC 4.2] After the window the publishers
 * stop, wait for the last acks, and the database row count is compared with the acked samples.
 * The publishers run in their own process (load/ingest-worker.ts), as sidecars are not on the
 * hub's event loop; `generator: 'inline'` (DS_BENCH_INGEST_GENERATOR=inline) runs them in this
 * process instead, the way figures before 2026-12-04 were measured.
 */
export async function measureIngest(h: BenchHub, o: IngestOptions): Promise<IngestMeasure> {
  const countRows = async () =>
    Number((await h.hub.db.query<{ n: string }>('SELECT count(*)::bigint AS n FROM metric_samples'))[0].n);
  const rows0 = await countRows();
  const inline = (o.generator ?? process.env.DS_BENCH_INGEST_GENERATOR) === 'inline';
  const gen = inline ? inlineGenerator() : forkGenerator();
  try {
    await gen.ask({
      setup: {
        url: h.hub.mqttUrl,
        creds: h.creds,
        samplesPerMessage: o.samplesPerMessage ?? 5,
        window: o.window ?? (Number(process.env.DS_BENCH_INGEST_WINDOW) || SIDECAR_INFLIGHT),
        // backfill-like: 20 days ago, one sample per second
        startT: Date.now() - 20 * 86_400_000,
      },
    });
    await gen.ask({ go: true });
    await new Promise((r) => setTimeout(r, (o.warmupSec ?? 3) * 1000));
    const mark = (await gen.ask({ mark: true })) as GeneratorTotals;
    const t0 = performance.now();
    const shares = watchCpuShares({
      pids: { hub: [process.pid], generator: gen.pid ? [gen.pid] : [] },
      commands: { postgres: 'postgres' },
    });
    await new Promise((r) => setTimeout(r, (o.measureSec ?? 15) * 1000));
    const end = (await gen.ask({ stop: true })) as GeneratorEnd;
    const secs = (performance.now() - t0) / 1000;
    const cpu = shares.stop();
    const samples = end.during.samples - mark.samples;
    const messages = end.during.messages - mark.messages;
    const rows = (await countRows()) - rows0;
    o.log?.(
      `  ${o.mode}${inline ? ' (generator inline)' : ''}: ${Math.round(samples / secs)} samples/s, ${Math.round(messages / secs)} msg/s, db rows ${rows} vs acked ${end.acked}; ${cpuText(cpu)}`,
    );
    return {
      pointsPerSec: (samples * POINTS_PER_ROW) / secs,
      samplesPerSec: samples / secs,
      messagesPerSec: messages / secs,
      ackP50Ms: percentile(end.latencies, 50),
      ackP99Ms: percentile(end.latencies, 99),
      exact: rows === end.acked,
      rowsInDb: rows,
      samplesAcked: end.acked,
      cpu,
    };
  } finally {
    await gen.close();
  }
}

/** `cpu % of a core: hub 120, generator 45, …` (the machine's total is out of 200 on 2 cores). */
const cpuText = (c: Record<string, number>) =>
  `cpu % of a core: ${Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;

/** The generator, asked the same way in its own process or in this one. */
interface Generator {
  /** Its process, when it has one of its own. */
  pid?: number;
  ask(m: GeneratorRequest): Promise<unknown>;
  close(): Promise<void>;
}

function forkGenerator(): Generator {
  const child = fork(GENERATOR, [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((r) => child.once('message', () => r()));
  return {
    pid: child.pid,
    async ask(m) {
      await ready;
      const key = answerTo(m);
      const reply = await request<Record<string, unknown>>(child, m, key, 'stop' in m ? 60_000 : 120_000);
      return reply[key];
    },
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      if (child.connected) child.send({ exit: true });
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** The same generator's code on this process's event loop (see measureIngest). */
function inlineGenerator(): Generator {
  const g = new InlineGenerator();
  return { ask: (m) => g.handle(m), close: () => g.close() };
}

/** Raw multi-row INSERT of the same rows into PGlite: the embedded database's own ceiling. */
async function pgliteBaseline(h: BenchHub, rows: number): Promise<number> {
  const db = h.hub.db;
  await db.query('CREATE TABLE IF NOT EXISTS bench_copy_baseline (LIKE metric_samples INCLUDING ALL)');
  const data = [...syntheticRows(100, rows, Date.now() - 86_400_000)].map((l) => l.trimEnd().split('\t'));
  const t0 = performance.now();
  await db.bulkInsert(
    'bench_copy_baseline',
    [
      'instance_id',
      't',
      'cpu',
      'memory',
      'disk',
      'load1',
      'load5',
      'load15',
      'swap',
      'net_rx',
      'net_tx',
      'uptime',
      'openclaw_cpu',
      'openclaw_rss',
    ],
    data,
  );
  const secs = (performance.now() - t0) / 1000;
  await db.query('DROP TABLE bench_copy_baseline');
  return (rows * POINTS_PER_ROW) / secs;
}

/** `ingest.*` figures: PostgreSQL with the COPY baseline, and embedded with the PGlite baseline. */
export async function ingestBenchmarks(log: (s: string) => void, scale = 1): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  {
    // DS_INGEST_THREAD=true measures the writer thread, as the hub reads the same setting.
    const h = await startBenchHub({
      mode: 'pg',
      instances: 200,
      prefix: 'ing',
      settings: { ingestThread: process.env.DS_INGEST_THREAD === 'true' },
    });
    try {
      // DS_BENCH_PROFILE=ingest: a CPU profile of the hub's thread over the 5-sample run, summed by area.
      const prof = process.env.DS_BENCH_PROFILE === 'ingest' ? await profileThisProcess() : undefined;
      const m = await measureIngest(h, { mode: 'pg', measureSec: Math.max(5, 15 * scale), log });
      if (prof) {
        const file = path.join(RESULTS, 'ingest-5.cpuprofile');
        const { areas, functions } = await prof.stop(file);
        log(
          `  hub thread self time (${path.relative(process.cwd(), file)}): ${areas.map((t) => `${t.what} ${t.pct}%`).join(', ')}; functions: ${functions.map((t) => `${t.what} ${t.pct}%`).join(', ')}`,
        );
      }
      const copy = await copyBaseline({
        schema: h.store.dbSchema,
        rows: Math.max(50_000, Math.round(m.samplesPerSec * 10)),
        instances: 200,
        likeTable: `"${h.store.dbSchema}".metric_samples`,
      });
      log(`  COPY baseline: ${Math.round(copy.rowsPerSec)} rows/s`);
      out.push({
        name: 'ingest.points_per_s',
        value: Math.round(m.pointsPerSec),
        unit: 'points/s',
        baseline: Math.round(copy.pointsPerSec),
        baselineName: 'raw COPY',
        goal: '>= 200000',
        note: `PostgreSQL, 200 instances x ${5}-sample messages, ${SIDECAR_INFLIGHT} awaiting acks each, ${Math.round(m.messagesPerSec)} msg/s acked; ack p50 ${round(m.ackP50Ms, 1)} ms, p99 ${round(m.ackP99Ms, 1)} ms; rows in db ${m.exact ? '=' : '!='} samples acked (${m.rowsInDb} / ${m.samplesAcked}); ${cpuText(m.cpu)} (the generator stands in for sidecars on other machines).`,
      });
      out.push({
        name: 'ingest.ratio_vs_copy',
        value: round(m.pointsPerSec / copy.pointsPerSec, 3),
        unit: 'ratio',
        goal: '>= 0.5',
      });
      // The same hub with 60-sample messages (a sidecar replaying its outbox after an outage):
      // shows how much of the cost is per message rather than per point.
      const big = await measureIngest(h, {
        mode: 'pg',
        samplesPerMessage: 60,
        instances: 200,
        warmupSec: 2,
        measureSec: Math.max(5, 8 * scale),
        log,
      });
      out.push({
        name: 'ingest.points_per_s_batch60',
        value: Math.round(big.pointsPerSec),
        unit: 'points/s',
        baseline: Math.round(copy.pointsPerSec),
        baselineName: 'raw COPY',
        note: `60-sample messages (outbox replay shape), ${Math.round(big.messagesPerSec)} msg/s; rows in db ${big.exact ? '=' : '!='} samples acked.`,
      });
      const mosq = await brokerThroughput({
        url: process.env.DS_BENCH_MOSQUITTO ?? 'mqtt://127.0.0.1:1883',
        messages: 30_000,
      }).catch(() => null);
      out.push({
        name: 'ingest.messages_per_s',
        value: Math.round(m.messagesPerSec),
        unit: 'msg/s',
        baseline: mosq ? Math.round(mosq.msgsPerSec) : undefined,
        baselineName: 'Mosquitto QoS1 publish',
        note: mosq
          ? 'metrics messages acked end to end (MQTT, validation, commit, ack) vs plain QoS1 publishes of 290 B to Mosquitto, same run.'
          : 'Mosquitto at 127.0.0.1:1883 not reachable: no baseline.',
      });
    } finally {
      await h.cleanup();
    }
  }
  {
    const h = await startBenchHub({ mode: 'embedded', instances: 100, prefix: 'emb' });
    try {
      const m = await measureIngest(h, { mode: 'embedded', measureSec: Math.max(5, 10 * scale), log });
      const base = await pgliteBaseline(h, 30_000);
      out.push({
        name: 'ingest.embedded.points_per_s',
        value: Math.round(m.pointsPerSec),
        unit: 'points/s',
        baseline: Math.round(base),
        baselineName: 'raw PGlite INSERT',
        note: `PGlite + aedes, 100 instances; ack p99 ${round(m.ackP99Ms, 1)} ms; rows in db ${m.exact ? '=' : '!='} samples acked.`,
      });
    } finally {
      await h.cleanup();
    }
  }
  return out;
}
