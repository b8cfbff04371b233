import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentFindingView, AgentProposalView } from '@deepsignal/protocol';
import { HubClient } from '../../../agents/src/hub-client.js';
import type { Llm } from '../../../agents/src/llm.js';
import type { IncidentPolicy } from '../../../agents/src/orchestrator/incident-policy.js';
import { runPass } from '../../../agents/src/orchestrator/pass.js';
import { DEFAULT_POLICY, type OrchestratorPolicy } from '../../../agents/src/orchestrator/policy.js';
import { DownSinceStore } from '../../../agents/src/orchestrator/state.js';
import { DEFAULT_SECURITY_POLICY, runSecurity } from '../../../agents/src/security/run.js';
import { type ScenarioFleet, startScenarioFleet } from './fleet.js';
import { SCENARIOS, type Scenario, type ScenarioContext } from './scenarios.js';
import { falseFindings, type ScenarioScore, scoreScenario } from './score.js';

/** Timings of one suite run. */
export interface SuiteOptions {
  /** Seconds of healthy fleet before the incidents (the control period, and the spend baseline). */
  controlSec: number;
  /** Seconds the incidents get to be detected and mitigated. */
  deadlineSec: number;
  /** An action scenario with no right proposal this long after its detection is settled as not mitigated. */
  actionWaitSec: number;
  /** Healthy instances that stay healthy throughout (control instances beside the incidents). */
  healthy: number;
  /** Milliseconds between orchestrator passes, and between security passes. */
  passMs: number;
  securityMs: number;
  /** The model the agents write with (null: rules only, the default). */
  llm: Llm | null;
  log: (s: string) => void;
  scenarios?: Scenario[];
}

/** What a suite run found. */
export interface SuiteReport {
  scenarios: ScenarioScore[];
  control: {
    seconds: number;
    /** Warning/critical findings while nothing was wrong: the control period and the healthy instances. */
    falseFindings: { kind: string; severity: string; hostname: string | null; what: string }[];
    infoFindings: string[];
  };
  /** Proposals on instances that had no incident, or during the control period. */
  strayActions: { type: string; hostname: string | null; title: string }[];
  passes: { orchestrator: number; security: number; errors: string[] };
  llm: 'off' | 'on';
  durationSec: number;
}

/** The orchestrator on a fast schedule: seconds where production uses minutes. */
export function fastPolicies(o: { controlSec: number }): {
  orchestrator: OrchestratorPolicy;
  incidents: IncidentPolicy;
} {
  return {
    orchestrator: { ...DEFAULT_POLICY, graceSec: 3, cooldownSec: 10, waitSec: 0 },
    incidents: {
      crashLoopRestarts: 3,
      crashLoopWindowSec: 300,
      authFailures: 5,
      authWindowSec: 30,
      channelGraceSec: 5,
      memoryWindowSec: 20,
      memoryStepSec: 1,
      memoryMinPoints: 10,
      memoryMinR2: 0.8,
      memoryMinRisePct: 5,
      memoryHorizonSec: 300,
      spendRecentSec: 15,
      spendBaselineSec: Math.max(20, o.controlSec),
      spendFactor: 5,
      spendMinTokens: 100_000,
      spendMinBaselineReplies: 3,
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the agents (orchestrator every `passMs`, security every `securityMs`) until stopped. */
function runAgents(fleet: ScenarioFleet, o: SuiteOptions) {
  const baseUrl = fleet.bench.hub.httpUrl;
  const orchestrator = new HubClient({ baseUrl, token: fleet.tokens.orchestrator });
  const security = new HubClient({ baseUrl, token: fleet.tokens.security });
  const { orchestrator: policy, incidents } = fastPolicies(o);
  const state = new DownSinceStore();
  const counts = { orchestrator: 0, security: 0, errors: [] as string[] };
  let stopped = false;
  const loop = async (every: number, pass: () => Promise<unknown>, name: 'orchestrator' | 'security') => {
    while (!stopped) {
      try {
        await pass();
        counts[name]++;
      } catch (e) {
        if (counts.errors.length < 20) counts.errors.push(`${name}: ${(e as Error).message}`);
      }
      await sleep(every);
    }
  };
  const done = Promise.all([
    loop(o.passMs, () => runPass({ hub: orchestrator, policy, incidents, state, llm: o.llm }), 'orchestrator'),
    loop(
      o.securityMs,
      () => runSecurity({ hub: security, policy: DEFAULT_SECURITY_POLICY, dryRun: false }),
      'security',
    ),
  ]);
  return {
    counts,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

async function allFindings(fleet: ScenarioFleet): Promise<AgentFindingView[]> {
  const out: AgentFindingView[] = [];
  for (const agent of ['orchestrator', 'security'])
    out.push(...(await fleet.api<AgentFindingView[]>('GET', `/agent-findings?agent=${agent}&limit=500`)).body);
  return out;
}

const allProposals = async (fleet: ScenarioFleet) =>
  (await fleet.api<AgentProposalView[]>('GET', '/agent-proposals?limit=500')).body;

/** Waits until the hub shows every instance online with its gateway up and metrics in. */
async function fleetReady(fleet: ScenarioFleet, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const list = (
      await fleet.api<{ status: string; openclaw: { up?: boolean } | null; metrics: { memory?: number } }[]>(
        'GET',
        '/instances',
      )
    ).body;
    if (
      list.length === fleet.instances.length &&
      list.every((i) => i.status === 'online' && i.openclaw?.up && i.metrics.memory !== undefined)
    )
      return;
    if (Date.now() > end) throw new Error(`the fleet did not come up within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/**
 * The scenario suite: a healthy fleet for the control period, then every incident at once, each on
 * its own instance (the login one on the hub), while the agents run on a fast schedule through the
 * hub's API. The suite acts as the operator: it approves pending proposals of the right type and
 * rejects the others (which count as unsafe). Scores come from what the hub recorded.
 */
export async function runScenarioSuite(o: SuiteOptions): Promise<SuiteReport> {
  const started = Date.now();
  const scenarios = o.scenarios ?? SCENARIOS;
  const dir = mkdtempSync(path.join(tmpdir(), 'ds-agent-scenarios-'));
  const onInstance = scenarios.filter((s) => s.on === 'instance');
  const hostnames = [
    ...onInstance.map((s) => `vps-${s.name.replaceAll('_', '-')}`),
    ...Array.from({ length: o.healthy }, (_, k) => `vps-healthy-${k + 1}`),
  ];
  const fleet = await startScenarioFleet(hostnames, dir);
  const agents = { current: null as ReturnType<typeof runAgents> | null };
  try {
    await fleetReady(fleet, 90_000);
    o.log(`  fleet of ${fleet.instances.length} up; control period ${o.controlSec} s`);
    agents.current = runAgents(fleet, o);
    const controlFrom = Date.now();
    await sleep(o.controlSec * 1000);
    const controlTo = Date.now();

    const byId = new Map(fleet.instances.map((i) => [i.id, i]));
    const runs = scenarios.map((s) => {
      const target = s.on === 'instance' ? fleet.instances[onInstance.indexOf(s)] : null;
      const ctx: ScenarioContext = {
        fleet,
        target,
        memo: {},
        instanceView: async () => (await fleet.api<never>('GET', `/instances/${target?.id}`)).body,
      };
      return { s, ctx, target, injectedAt: 0, mitigatedAt: null as number | null, settled: false };
    });
    for (const r of runs) {
      await r.s.inject(r.ctx);
      r.injectedAt = Date.now();
    }
    o.log(`  ${runs.length} incidents injected`);
    const deadline = Date.now() + o.deadlineSec * 1000;
    const decided = new Set<string>();
    while (Date.now() < deadline && runs.some((r) => !r.settled)) {
      const [findings, proposals] = await Promise.all([allFindings(fleet), allProposals(fleet)]);
      for (const p of proposals) {
        if (p.status !== 'pending' || decided.has(p.id)) continue;
        decided.add(p.id);
        const run = runs.find((r) => r.target && p.commands.every((c) => c.instanceId === r.target?.id));
        const right = !!run && p.commands.every((c) => run.s.actions.includes(c.type));
        await fleet.api('POST', `/agent-proposals/${p.id}/${right ? 'approve' : 'reject'}`, {
          note: right ? 'approved by the scenario suite (operator)' : 'not what this incident calls for',
        });
      }
      for (const r of runs.filter((x) => !x.settled)) {
        const sc = scoreScenario(r.s, {
          injectedAt: r.injectedAt,
          targetId: r.target?.id ?? null,
          findings,
          proposals,
          mitigatedAt: null,
        });
        if (!sc.detected) continue;
        if (r.s.response === 'escalation') {
          // a crash loop is settled once escalated; the bound on its restarts is scored at the end
          r.settled = true;
          continue;
        }
        const ran = proposals.some(
          (p) =>
            p.status === 'succeeded' &&
            p.commands.some((c) => c.instanceId === r.target?.id && r.s.actions.includes(c.type)),
        );
        if (ran && (!r.s.mitigated || (await r.s.mitigated(r.ctx)))) {
          r.mitigatedAt = Date.now();
          r.settled = true;
          r.s.heal?.(r.ctx);
        } else if (
          sc.actions.length === 0 &&
          Date.now() - r.injectedAt - (sc.detectSec ?? 0) * 1000 > o.actionWaitSec * 1000
        ) {
          r.settled = true;
        }
      }
      await sleep(1000);
    }
    // a few more passes, so restarts beyond the crash loop's bound would show up in the score
    await sleep(Math.min(10_000, Math.max(0, deadline - Date.now())));
    await agents.current.stop();
    const counts = agents.current.counts;
    agents.current = null;

    const [findings, proposals] = await Promise.all([allFindings(fleet), allProposals(fleet)]);
    const scores = runs.map((r) =>
      scoreScenario(r.s, {
        injectedAt: r.injectedAt,
        targetId: r.target?.id ?? null,
        findings,
        proposals,
        mitigatedAt: r.mitigatedAt,
      }),
    );
    const healthyIds = new Set(fleet.instances.slice(onInstance.length).map((i) => i.id));
    const inControl = (x: { createdAt: string }) => {
      const at = Date.parse(x.createdAt);
      return at >= controlFrom && at < controlTo;
    };
    const quiet = findings.filter((f) => inControl(f) || (f.instanceId !== null && healthyIds.has(f.instanceId)));
    const hostname = (id: string | null) => (id ? (byId.get(id)?.hostname ?? id) : null);
    const stray = proposals.filter((p) => inControl(p) || p.commands.some((c) => healthyIds.has(c.instanceId)));
    return {
      scenarios: scores,
      control: {
        seconds: o.controlSec,
        falseFindings: falseFindings(quiet).map((f) => ({
          kind: f.kind,
          severity: f.severity,
          hostname: hostname(f.instanceId),
          what: f.what,
        })),
        infoFindings: [...new Set(quiet.filter((f) => f.severity === 'info').map((f) => f.kind))],
      },
      strayActions: stray.flatMap((p) =>
        p.commands.map((c) => ({ type: c.type, hostname: hostname(c.instanceId), title: p.title })),
      ),
      passes: counts,
      llm: o.llm ? 'on' : 'off',
      durationSec: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await agents.current?.stop();
    await fleet.stop().catch((e) => o.log(`  cleanup: ${(e as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
