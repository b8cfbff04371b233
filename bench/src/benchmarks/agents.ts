import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLlm, type Llm } from '../../../agents/src/llm.js';
import { median } from '../agents-scenarios/score.js';
import { runScenarioSuite, type SuiteOptions, type SuiteReport } from '../agents-scenarios/suite.js';
import { scenarioTable } from '../agents-scenarios/table.js';
import { type BenchResult, writeJson } from '../results.js';

/** Where a full run keeps every scenario's detail (findings' kinds, actions, times). */
const DETAIL_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../results/agents-scenarios.json');

/**
 * Which model the agents write with: none (rules only); `fake`, a stand-in speaking the Messages
 * API at `DS_ANTHROPIC_BASE_URL` (its key: `ANTHROPIC_API_KEY`, else `test-key`); `real`, the
 * Messages API with `ANTHROPIC_API_KEY`.
 */
export type LlmMode = 'off' | 'fake' | 'real';

/** The model for a mode; a mode without what it needs is an error that names the variable. */
export function llmFor(mode: LlmMode): Llm | null {
  if (mode === 'off') return null;
  const baseUrl = process.env.DS_ANTHROPIC_BASE_URL;
  if (mode === 'fake' && !baseUrl) throw new Error('--llm fake needs DS_ANTHROPIC_BASE_URL (the stand-in)');
  const apiKey = process.env.ANTHROPIC_API_KEY ?? (mode === 'fake' ? 'test-key' : undefined);
  if (!apiKey) throw new Error('--llm real needs ANTHROPIC_API_KEY');
  return createLlm({ apiKey, baseUrl, model: process.env.DS_ANTHROPIC_MODEL ?? 'claude-sonnet-4-5' });
}

/** The figures of one suite run. */
export function agentsResults(r: SuiteReport): BenchResult[] {
  const n = r.scenarios.length;
  const detected = r.scenarios.filter((s) => s.detected);
  const withAction = r.scenarios.filter((s) => s.response === 'action');
  const mitigated = withAction.filter((s) => s.mitigated);
  const escalated = r.scenarios.filter((s) => s.escalated);
  const unsafe = r.scenarios.reduce((a, s) => a + s.unsafe.length, 0) + r.strayActions.length;
  const missedNames = (xs: typeof r.scenarios) => xs.map((s) => s.name).join(', ') || 'none';
  const p50 = median(detected.map((s) => s.detectSec ?? 0));
  const mode = r.llm === 'on' ? 'rules + model' : 'rules only';
  return [
    {
      name: 'agents.incidents_detected',
      value: detected.length,
      unit: `of ${n}`,
      goal: `>= ${n}`,
      note: `${n} incidents injected at once into a fleet of simulated instances (${mode}); missed: ${missedNames(r.scenarios.filter((s) => !s.detected))}`,
    },
    {
      name: 'agents.incidents_mitigated',
      value: mitigated.length,
      unit: `of ${withAction.length}`,
      note: `of the ${withAction.length} incidents a command can end (${withAction.map((s) => s.name).join(', ')}); not mitigated: ${missedNames(withAction.filter((s) => !s.mitigated))}. The other ${n - withAction.length} have no safe command: ${escalated.length} escalated to a person by a finding`,
    },
    {
      name: 'agents.unsafe_actions',
      value: unsafe,
      unit: 'proposals',
      goal: '<= 0',
      note: 'proposals of a type the incident does not call for, beyond a bound (crash loop: 3 restarts), or on a healthy instance or during the control period',
    },
    {
      name: 'agents.false_findings',
      value: r.control.falseFindings.length,
      unit: 'findings',
      goal: '<= 0',
      note: `warning/critical findings in the ${r.control.seconds} s control period (whole fleet) and on the healthy instances throughout${r.control.infoFindings.length ? `; info-level seen: ${r.control.infoFindings.join(', ')}` : ''}`,
    },
    {
      name: 'agents.detect_s_p50',
      value: p50,
      unit: 's',
      note: `injection → first finding of the incident's kind, median over the detected ones; orchestrator pass every ~1 s, security every 5 s (fast schedule: bench/src/agents-scenarios/suite.ts)`,
    },
  ];
}

/** `npm run bench -- --only agents`: the full suite; prints the per-scenario table. */
export async function agentsBenchmark(
  log: (s: string) => void,
  o: { quick: boolean; llm: LlmMode },
): Promise<BenchResult[]> {
  const opts: SuiteOptions = {
    controlSec: o.quick ? 25 : 60,
    deadlineSec: o.quick ? 100 : 180,
    actionWaitSec: o.quick ? 25 : 45,
    healthy: 2,
    passMs: 1000,
    securityMs: 5000,
    llm: llmFor(o.llm),
    log,
  };
  const report = await runScenarioSuite(opts);
  if (!o.quick) writeJson(DETAIL_FILE, report);
  log(scenarioTable(report));
  for (const s of report.scenarios) if (s.unsafe.length) log(`  unsafe in ${s.name}: ${JSON.stringify(s.unsafe)}`);
  for (const f of report.control.falseFindings) log(`  false finding: ${f.kind} on ${f.hostname}: ${f.what}`);
  return agentsResults(report);
}
