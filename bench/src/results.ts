import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine.js';

/**
 * One measured figure. `baseline` is the comparable figure measured in the same run (COPY,
 * Mosquitto, node-exporter…); `ratio` is value / baseline; `goal` is the target as text
 * (e.g. ">= 200000"), checked by `meetsGoal`.
 */
export interface BenchResult {
  name: string;
  value: number | null;
  unit: string;
  baseline?: number;
  baselineName?: string;
  ratio?: number;
  goal?: string;
  /** Why a figure is missing or how it was obtained, one line. */
  note?: string;
}

/** The file `npm run bench` writes: bench/results/latest.json. */
export interface BenchReport {
  machine: MachineInfo;
  date: string;
  durationSec: number;
  results: BenchResult[];
  /** After `--merge`: the figures not re-measured are from this earlier run. */
  kept?: { from: string; machine: MachineInfo };
}

/** Adds `ratio` when both sides are there. */
export function withRatio(r: BenchResult): BenchResult {
  if (r.value != null && r.baseline != null && r.baseline !== 0 && r.ratio === undefined) {
    return { ...r, ratio: round(r.value / r.baseline, 3) };
  }
  return r;
}

/** Rounds to `digits` significant decimals, keeping integers readable. */
export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Whether a figure meets a goal written as "<= 60" or ">= 0.5"; undefined when not checkable. */
export function meetsGoal(r: BenchResult): boolean | undefined {
  if (!r.goal || r.value == null) return undefined;
  const m = /^\s*(<=|>=|<|>)\s*([0-9.eE+-]+)/.exec(r.goal);
  if (!m) return undefined;
  const g = Number(m[2]);
  switch (m[1]) {
    case '<=':
      return r.value <= g;
    case '>=':
      return r.value >= g;
    case '<':
      return r.value < g;
    default:
      return r.value > g;
  }
}

const fmt = (v: number | null | undefined): string =>
  v == null ? '—' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(round(v, 3));

function verdict(r: BenchResult): string {
  const ok = meetsGoal(r);
  return ok === undefined ? '' : ok ? 'met' : 'MISSED';
}

/** A plain-text table for the terminal. */
export function formatTable(results: BenchResult[]): string {
  const rows = [
    ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'goal', ''],
    ...results.map((r) => [
      r.name,
      fmt(r.value),
      r.unit,
      r.baseline == null ? '' : `${fmt(r.baseline)}${r.baselineName ? ` (${r.baselineName})` : ''}`,
      r.ratio == null ? '' : fmt(r.ratio),
      r.goal ?? '',
      verdict(r),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * A partial run's figures put into the last report at `path`: each figure replaces the one of the
 * same name (or is added), the others stay; machine and date become this run's, and a note on
 * every kept figure would be noise, so `kept` says when the rest was measured.
 */
export function mergeReport(path: string, partial: BenchReport): BenchReport {
  let last: BenchReport | null = null;
  try {
    last = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
  } catch {
    return partial;
  }
  const fresh = new Map(partial.results.map((r) => [r.name, r]));
  const results = last.results.map((r) => fresh.get(r.name) ?? r);
  for (const r of partial.results) if (!last.results.some((x) => x.name === r.name)) results.push(r);
  // figures kept over several merged runs are as old as the run that measured them
  return { ...partial, results, kept: last.kept ?? { from: last.date, machine: last.machine } };
}

/** Writes the JSON report (creating the folder). */
export function writeReport(path: string, report: BenchReport): void {
  writeJson(path, report);
}

/** Writes any JSON result file (creating the folder). */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

/** The Markdown block of figures that BENCHMARKS.md carries between its markers. */
export function markdownBlock(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    BEGIN,
    `Last run: ${report.date} on \`${m.hostname}\` — ${m.cpus} × ${m.cpuModel}, ${m.memGb} GB RAM,`,
    `${m.os}, Node ${m.node}, ${m.postgres ?? 'PostgreSQL ?'}, ${m.mosquitto ?? 'Mosquitto ?'}; load average at start ${m.loadAvg}. Whole run: ${report.durationSec} s.`,
    ...(report.kept
      ? [
          `Only some groups were re-run then (\`--merge\`); the other figures are from the run of ${report.kept.from} (${report.kept.machine.cpus} × ${report.kept.machine.cpuModel}).`,
        ]
      : []),
    '',
    '| benchmark | value | unit | baseline (same run) | ratio | goal | |',
    '|---|---:|---|---|---:|---|---|',
    ...report.results.map(
      (r) =>
        `| \`${r.name}\` | ${fmt(r.value)} | ${r.unit} | ${
          r.baseline == null ? '' : `${fmt(r.baseline)}${r.baselineName ? ` (${r.baselineName})` : ''}`
        } | ${r.ratio == null ? '' : fmt(r.ratio)} | ${r.goal ?? ''} | ${verdict(r)} |`,
    ),
    '',
    ...report.results.filter((r) => r.note).map((r) => `- \`${r.name}\`: ${r.note}`),
    END,
  ];
  return lines.join('\n');
}

/**
 * Replaces the figures block of BENCHMARKS.md (between the markers), keeping the prose around it;
 * creates a minimal file when there is none.
 */
export function updateBenchmarksMd(path: string, report: BenchReport): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  }
  const block = markdownBlock(report);
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
  // The repository's formatter pads the tables; without it the file would fail `npm run lint`.
  const biome = spawnSync('npx', ['biome', 'format', '--write', path], { stdio: 'ignore' });
  if (biome.status !== 0) process.stderr.write(`could not format ${path} with biome (exit ${biome.status})\n`);
}
