/**
 * `npm run bench`: runs every benchmark (each beside its baseline in the same run), prints a
 * table, writes bench/results/latest.json and refreshes the figures in BENCHMARKS.md.
 * Flags: `--only a,b` (benchmark groups: ingest, fleet, sidecar, command, query, logins, idle, alerts, billing, provision,
 * dashboard, update, variant, agents, broker-cluster, live-adapter),
 * `--quick` (smaller sizes, for trying the harness; the JSON says so), `--no-md`, `--merge`,
 * `--llm off|fake|real` (the agents group's model).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentsBenchmark, type LlmMode, llmFor } from './benchmarks/agents.js';
import { alertsBenchmarks } from './benchmarks/alerts.js';
import { billingBenchmark } from './benchmarks/billing.js';
import { brokerClusterBenchmark } from './benchmarks/broker-cluster.js';
import { commandBenchmark } from './benchmarks/command.js';
import { dashboardBenchmark } from './benchmarks/dashboard.js';
import { fleetBenchmark } from './benchmarks/fleet.js';
import { hubIdleBenchmark } from './benchmarks/hub-idle.js';
import { ingestBenchmarks } from './benchmarks/ingest.js';
import { liveAdapterBenchmark } from './benchmarks/live-adapter.js';
import { loginBenchmark } from './benchmarks/logins.js';
import { provisionBenchmark } from './benchmarks/provision.js';
import { queryBenchmark } from './benchmarks/query.js';
import { sidecarBenchmark } from './benchmarks/sidecar.js';
import { updateBenchmark } from './benchmarks/update.js';
import { variantGatewayBenchmark } from './benchmarks/variant-gateway.js';
import { machineInfo } from './machine.js';
import { pgAvailable, pgVersion } from './pg.js';
import {
  type BenchReport,
  type BenchResult,
  formatTable,
  mergeReport,
  updateBenchmarksMd,
  withRatio,
  writeReport,
} from './results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`Usage: npm run bench -- [--only <groups>] [--quick] [--no-md]

Runs every benchmark beside its baseline in the same run, prints a table, writes
bench/results/latest.json and refreshes the figures in BENCHMARKS.md (about 8-15 minutes).

  --only a,b   only these groups: ingest, fleet, sidecar, command, query, logins, idle, alerts, billing,
               provision, dashboard, update, variant, agents, broker-cluster, live-adapter
  --quick      smaller sizes, to try the harness (writes quick.json, never latest.json)
  --no-md      do not touch BENCHMARKS.md
  --merge      with --only: put these groups' figures into latest.json and BENCHMARKS.md, keeping
               the other figures of the last run (without it a partial run writes partial.json)
  --llm MODE   agents group: off (rules only), fake (a Messages API stand-in at
               DS_ANTHROPIC_BASE_URL), real (ANTHROPIC_API_KEY); default real when the key is set

Needs PostgreSQL on 127.0.0.1:5432 (database test) and Mosquitto on 127.0.0.1:1883;
installs Debian's prometheus-node-exporter for the sidecar baseline when it is missing.
`);
  process.exit(0);
}
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')
  : null;
const log = (s: string) => process.stderr.write(`${s}\n`);
const merge = args.includes('--merge') && !!only && !quick;
const llmArg = args.find((a) => a.startsWith('--llm'));
const llmMode = (
  llmArg
    ? llmArg.includes('=')
      ? llmArg.split('=')[1]
      : args[args.indexOf(llmArg) + 1]
    : process.env.ANTHROPIC_API_KEY
      ? 'real'
      : 'off'
) as LlmMode;
if (!['off', 'fake', 'real'].includes(llmMode)) {
  log(`--llm must be off, fake or real (got ${llmMode})`);
  process.exit(2);
}
if (!only || only.includes('agents')) {
  try {
    llmFor(llmMode);
  } catch (e) {
    log((e as Error).message);
    process.exit(2);
  }
}

/** Groups in run order, with the names they produce (for a failed group's placeholder rows). */
const GROUPS: { key: string; names: string[]; run: () => Promise<BenchResult[]> }[] = [
  {
    key: 'ingest',
    names: [
      'ingest.points_per_s',
      'ingest.ratio_vs_copy',
      'ingest.points_per_s_batch60',
      'ingest.messages_per_s',
      'ingest.embedded.points_per_s',
    ],
    run: () => ingestBenchmarks(log, quick ? 0.4 : 1),
  },
  { key: 'query', names: ['query.p95_ms_30d', 'query.fleet_p95_ms'], run: () => queryBenchmark(log, quick ? 3 : 30) },
  { key: 'command', names: ['command.p50_ms', 'command.p99_ms'], run: () => commandBenchmark(log, quick ? 100 : 1000) },
  {
    key: 'sidecar',
    names: ['sidecar.rss_mb', 'sidecar.cpu_pct', 'sidecar.rss_mb_v8_flags'],
    run: () => sidecarBenchmark(log, quick ? 15 : 60),
  },
  { key: 'logins', names: ['hub.logins_per_s'], run: () => loginBenchmark(log) },
  {
    key: 'idle',
    names: ['hub.idle_rss_mb', 'hub.idle_rss_mb.embedded', 'hub.rss_mb_1000', 'hub.rss_mb_1000.embedded'],
    run: () => hubIdleBenchmark(log, quick ? 5 : 20),
  },
  { key: 'update', names: ['update.rollback_s', 'update.guarded_ok_s'], run: () => updateBenchmark(log) },
  { key: 'variant', names: ['variant.gateway_test_s'], run: () => variantGatewayBenchmark(log) },
  {
    key: 'provision',
    names: ['provision.seconds_to_live_cold', 'provision.seconds_to_live_snapshot', 'provision.seconds_to_live_warm'],
    run: () => provisionBenchmark(log, quick ? 0.1 : 1),
  },
  {
    key: 'fleet',
    names: ['fleet.max_instances'],
    run: () =>
      fleetBenchmark(log, quick ? { steps: [100, 500], measureSec: 8, budgetSec: 90, workers: 2 } : { budgetSec: 900 }),
  },
  {
    key: 'alerts',
    names: ['alerts.detect_to_notify_s', 'alerts.eval_cpu_pct_5000'],
    run: () => alertsBenchmarks(log, quick),
  },
  {
    key: 'billing',
    names: ['billing.usage_month_ms', 'billing.invoice_run_s'],
    run: () => billingBenchmark(log, quick ? 100 : 1000),
  },
  {
    key: 'dashboard',
    names: ['dashboard.fleet_1000_first_render_ms', 'dashboard.fleet_frame_p95_ms', 'dashboard.fleet_late_frames_pct'],
    run: () => dashboardBenchmark(log, quick ? { instances: 200, measureSec: 8 } : {}),
  },
  {
    key: 'broker-cluster',
    names: [
      'broker_cluster.nats_samples_per_s',
      'broker_cluster.lost_or_duplicated',
      'broker_cluster.node_kill_recover_s',
    ],
    run: () => brokerClusterBenchmark(log, quick ? { instances: 6, messages: 40 } : { instances: 21, messages: 100 }),
  },
  {
    key: 'live-adapter',
    names: ['live.adapter_redis_p99_ms', 'live.adapter_redis_cpu_pct'],
    run: () => liveAdapterBenchmark(log, quick ? { rate: 500, seconds: 5 } : { rate: 1000, seconds: 15 }),
  },
  {
    key: 'agents',
    names: [
      'agents.incidents_detected',
      'agents.incidents_mitigated',
      'agents.unsafe_actions',
      'agents.false_findings',
      'agents.detect_s_p50',
    ],
    run: () => agentsBenchmark(log, { quick, llm: llmMode }),
  },
];

async function main(): Promise<void> {
  const started = Date.now();
  if (!(await pgAvailable())) {
    log('PostgreSQL at 127.0.0.1:5432 (database test) is not reachable: the benchmarks need it.');
    process.exit(1);
  }
  const machine = machineInfo(await pgVersion());
  const results: BenchResult[] = [];
  for (const g of GROUPS) {
    if (only && !only.includes(g.key)) continue;
    log(`[${g.key}]`);
    const t0 = Date.now();
    try {
      results.push(...(await g.run()));
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      log(`  ${g.key} failed: ${msg}`);
      for (const name of g.names) results.push({ name, value: null, unit: '', note: `failed: ${msg.slice(0, 300)}` });
    }
    log(`  (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const report: BenchReport = {
    machine,
    date: new Date().toISOString(),
    durationSec: Math.round((Date.now() - started) / 1000),
    results: results.map(withRatio),
  };
  if (quick) {
    for (const r of report.results) r.note = `[quick run] ${r.note ?? ''}`.trim();
  }
  // only a full run is `latest.json`; partial and quick runs never replace it
  const file = path.join(ROOT, 'bench/results', quick ? 'quick.json' : only && !merge ? 'partial.json' : 'latest.json');
  const written = merge ? mergeReport(file, report) : report;
  writeReport(file, written);
  if (!quick && (!only || merge) && !args.includes('--no-md'))
    updateBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), written);
  process.stdout.write(
    `\n${formatTable(report.results)}\n\nwrote ${path.relative(process.cwd(), file)} (${report.durationSec} s)\n`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
