import { writeFileSync } from 'node:fs';
import { HubClient, HubError } from '../hub-client.js';
import { createLlm } from '../llm.js';
import { COMMON_HELP, COMMON_OPTIONS, commonSettings, numberSetting, parseFlags } from '../settings.js';
import { runPass } from './pass.js';
import { DEFAULT_POLICY, type OrchestratorPolicy } from './policy.js';
import { formatReport } from './report.js';
import { DownSinceStore } from './state.js';

export const ORCHESTRATOR_HELP = `Usage: npm run agent -- orchestrator [flags]

Watches the fleet through the hub API and acts only through it. Rules:
  - an instance that is connected but whose OpenClaw is down or not ready for longer than the
    grace period gets one openclaw.restart proposal; none within the cooldown of any earlier
    restart, none while one is still running (the hub's command history is checked every time).
    The hub's policy runs it at once (auto-approved), queues it for an admin, or refuses it.
  - disk or memory above the threshold, offline and never-connected instances are findings,
    posted to the hub once per cooldown while they last
  - failover: an offline instance whose server is deleted at the provider, or offline past
    --failover-after-sec, gets server_dead and one instance.replace proposal per outage
  - scaling: CPU or memory above --pressure-pct over the whole --pressure-window-sec (from the
    metrics history) gets an instance.resize to the next type, with the monthly price difference;
    CPU and memory under --idle-cpu-pct/--idle-memory-pct for --idle-window-sec gets a downsize
  - updates: OpenClaw behind the pinned version gets an openclaw.update, held by the hub for the
    client's maintenance window once approved
Each pass is recorded on the hub as a run (with the model's tokens and cost). Prints a report
(text, or JSON with --json); with ANTHROPIC_API_KEY, a short written summary.

Orchestrator settings:
  --once                one pass, then exit (default: a pass every --interval seconds)
  --interval SEC        seconds between passes (DS_AGENT_INTERVAL_SEC, default 60)
  --dry-run             report what would be done, post nothing to the hub
  --grace-sec SEC       OpenClaw down this long before a restart (DS_AGENT_GRACE_SEC, default ${DEFAULT_POLICY.graceSec})
  --cooldown-sec SEC    no restart within this long of the last one (DS_AGENT_COOLDOWN_SEC, default ${DEFAULT_POLICY.cooldownSec})
  --disk-pct N          disk finding above N % (DS_AGENT_DISK_PCT, default ${DEFAULT_POLICY.diskPct})
  --memory-pct N        memory finding above N % (DS_AGENT_MEMORY_PCT, default ${DEFAULT_POLICY.memoryPct})
  --wait-sec SEC        wait this long for an issued restart to finish, 0 to not wait (default ${DEFAULT_POLICY.waitSec})
  --state-file PATH     when OpenClaw was first seen down, kept across runs
                        (DS_AGENT_STATE_FILE, default ./data/agents/orchestrator-state.json)
  --report PATH         also write each report as JSON to this file
  --failover-after-sec SEC  offline this long = dead server (DS_AGENT_FAILOVER_AFTER_SEC, default ${DEFAULT_POLICY.failoverAfterSec})
  --pressure-pct N      sustained CPU/memory pressure above N % (DS_AGENT_PRESSURE_PCT, default ${DEFAULT_POLICY.pressurePct})
  --pressure-window-sec SEC  over this window (DS_AGENT_PRESSURE_WINDOW_SEC, default ${DEFAULT_POLICY.pressureWindowSec})
  --idle-cpu-pct N, --idle-memory-pct N  idle below these (DS_AGENT_IDLE_CPU_PCT ${DEFAULT_POLICY.idleCpuPct}, DS_AGENT_IDLE_MEMORY_PCT ${DEFAULT_POLICY.idleMemoryPct})
  --idle-window-sec SEC  for this long (DS_AGENT_IDLE_WINDOW_SEC, default ${DEFAULT_POLICY.idleWindowSec})
Token: the orchestrator's own (POST /api/v1/ops-agents/orchestrator/token, scopes read and
agent:report); read alone is enough with --dry-run.

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  once: { type: 'boolean' },
  interval: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'grace-sec': { type: 'string' },
  'cooldown-sec': { type: 'string' },
  'disk-pct': { type: 'string' },
  'memory-pct': { type: 'string' },
  'wait-sec': { type: 'string' },
  'state-file': { type: 'string' },
  report: { type: 'string' },
  'failover-after-sec': { type: 'string' },
  'pressure-pct': { type: 'string' },
  'pressure-window-sec': { type: 'string' },
  'idle-cpu-pct': { type: 'string' },
  'idle-memory-pct': { type: 'string' },
  'idle-window-sec': { type: 'string' },
} as const;

/** `agent orchestrator`: returns the exit code (settings errors are thrown as SettingsError). */
export async function orchestratorCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
  signal?: AbortSignal,
): Promise<number> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) {
    out(ORCHESTRATOR_HELP);
    return 0;
  }
  const common = commonSettings(v, env);
  const sec = (flag: keyof typeof OPTIONS, name: string, def: number) =>
    numberSetting(v, env, flag, name, def, 60, 30 * 86_400);
  const policy: OrchestratorPolicy = {
    graceSec: numberSetting(v, env, 'grace-sec', 'DS_AGENT_GRACE_SEC', DEFAULT_POLICY.graceSec, 0, 86_400),
    cooldownSec: numberSetting(
      v,
      env,
      'cooldown-sec',
      'DS_AGENT_COOLDOWN_SEC',
      DEFAULT_POLICY.cooldownSec,
      0,
      7 * 86_400,
    ),
    diskPct: numberSetting(v, env, 'disk-pct', 'DS_AGENT_DISK_PCT', DEFAULT_POLICY.diskPct, 1, 100),
    memoryPct: numberSetting(v, env, 'memory-pct', 'DS_AGENT_MEMORY_PCT', DEFAULT_POLICY.memoryPct, 1, 100),
    waitSec: numberSetting(v, env, 'wait-sec', 'DS_AGENT_WAIT_SEC', DEFAULT_POLICY.waitSec, 0, 3600),
    dryRun: !!v['dry-run'],
    failoverAfterSec: sec('failover-after-sec', 'DS_AGENT_FAILOVER_AFTER_SEC', DEFAULT_POLICY.failoverAfterSec),
    pressurePct: numberSetting(v, env, 'pressure-pct', 'DS_AGENT_PRESSURE_PCT', DEFAULT_POLICY.pressurePct, 1, 100),
    pressureWindowSec: sec('pressure-window-sec', 'DS_AGENT_PRESSURE_WINDOW_SEC', DEFAULT_POLICY.pressureWindowSec),
    idleCpuPct: numberSetting(v, env, 'idle-cpu-pct', 'DS_AGENT_IDLE_CPU_PCT', DEFAULT_POLICY.idleCpuPct, 0, 100),
    idleMemoryPct: numberSetting(
      v,
      env,
      'idle-memory-pct',
      'DS_AGENT_IDLE_MEMORY_PCT',
      DEFAULT_POLICY.idleMemoryPct,
      0,
      100,
    ),
    idleWindowSec: sec('idle-window-sec', 'DS_AGENT_IDLE_WINDOW_SEC', DEFAULT_POLICY.idleWindowSec),
  };
  const interval = numberSetting(v, env, 'interval', 'DS_AGENT_INTERVAL_SEC', 60, 1, 86_400);
  const stateFile = v['state-file'] ?? env.DS_AGENT_STATE_FILE ?? 'data/agents/orchestrator-state.json';
  const hub = new HubClient({ baseUrl: common.hubUrl, token: common.token });
  const deps = { hub, policy, state: new DownSinceStore(stateFile), llm: createLlm(common.llm ?? { model: '' }) };

  const once = async (): Promise<boolean> => {
    try {
      const r = await runPass(deps);
      out(common.json ? JSON.stringify(r, null, 2) : formatReport(r));
      if (v.report) writeFileSync(v.report, `${JSON.stringify(r, null, 2)}\n`);
      return true;
    } catch (e) {
      process.stderr.write(`orchestrator: ${e instanceof HubError ? e.message : (e as Error).message}\n`);
      return false;
    }
  };
  if (v.once) return (await once()) ? 0 : 1;
  while (!signal?.aborted) {
    await once();
    await new Promise<void>((res) => {
      const t = setTimeout(res, interval * 1000);
      const stop = () => {
        clearTimeout(t);
        res();
      };
      signal?.addEventListener('abort', stop, { once: true });
    });
  }
  return 0;
}
