import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ConfigError, type HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { mintAgentToken } from './identity.js';

/**
 * Agents the runner process can run, with their default seconds between runs. The hub never
 * imports the agents' code (they talk to it over HTTP only), so the list is repeated here and in
 * agents/src/runner/run.ts.
 */
export const RUNNABLE_AGENTS = {
  orchestrator: 60,
  support: 60,
  security: 900,
  billing: 3600,
  onboarding: 300,
  learning: 3600,
} as const;
type Runnable = keyof typeof RUNNABLE_AGENTS;

/** The runner's entry point, beside the hub in the repository. */
export const RUNNER_SCRIPT = fileURLToPath(new URL('../../../agents/src/runner/main.ts', import.meta.url));

/** Seconds between runs per agent from DS_AGENT_SCHEDULES (`name=sec,…`; 0 turns one off). */
export function parseSchedules(raw: string | undefined): Record<Runnable, number> {
  const out: Record<Runnable, number> = { ...RUNNABLE_AGENTS };
  for (const pair of (raw ?? '').split(',').filter(Boolean)) {
    const [name, sec] = pair.split('=');
    if (!(name in RUNNABLE_AGENTS))
      throw new ConfigError(
        `DS_AGENT_SCHEDULES: ${name} is not an agent the runner runs (${Object.keys(RUNNABLE_AGENTS).join(', ')})`,
        'DS_AGENT_SCHEDULES',
      );
    const n = Number(sec);
    if (!Number.isInteger(n) || n < 0 || n > 86_400)
      throw new ConfigError(
        `DS_AGENT_SCHEDULES: ${name}=${sec} must be 0 (off) to 86400 seconds`,
        'DS_AGENT_SCHEDULES',
      );
    out[name as Runnable] = n;
  }
  return out;
}

/** Options of the agents' process. */
export interface AgentRunnerOptions {
  db: Db;
  config: Pick<HubConfig, 'agentSchedules' | 'agentTokenTtlHours' | 'dataDir'>;
  /** The hub's own HTTP URL, which the agents call. */
  httpUrl: string;
  log: Logger;
  script?: string;
  env?: NodeJS.ProcessEnv;
  /** First wait before starting an ended process again (doubles while it keeps ending fast). */
  minBackoffMs?: number;
}

/**
 * Starts the ops agents as their own child process (`npm start`, unless DS_AGENTS=off): mints
 * each scheduled agent a fresh token, hands the tokens over stdin (never argv or the
 * environment), logs what the agents print, and starts the process again with new tokens when
 * it ends (backing off from 5 s to 5 min while it keeps failing fast).
 */
export function startAgentRunner(o: AgentRunnerOptions): { stop(): Promise<void>; child(): ChildProcess | null } {
  const schedules = parseSchedules(o.config.agentSchedules);
  const names = (Object.keys(schedules) as Runnable[]).filter((n) => schedules[n] > 0);
  const script = o.script ?? RUNNER_SCRIPT;
  const log = o.log.child({ mod: 'agents' });
  let child: ChildProcess | null = null;
  let stopping = false;
  const minBackoff = o.minBackoffMs ?? 5_000;
  let backoff = minBackoff;
  let timer: NodeJS.Timeout | null = null;
  if (!names.length || !existsSync(script)) {
    if (names.length) log.warn({ script }, 'the agents are not installed beside the hub; not starting them');
    return { stop: async () => {}, child: () => null };
  }

  const start = async () => {
    const env = o.env ?? process.env;
    const agents = [];
    for (const name of names) {
      const t = await mintAgentToken(o.db, name, {
        actor: 'system',
        ttlHours: o.config.agentTokenTtlHours,
        reason: 'mint',
      });
      agents.push({ name, token: t.token, expiresAt: t.expiresAt, intervalSec: schedules[name] });
    }
    const stateDir = join(o.config.dataDir, 'agents');
    mkdirSync(stateDir, { recursive: true });
    const llm = env.ANTHROPIC_API_KEY
      ? {
          apiKey: env.ANTHROPIC_API_KEY,
          baseUrl: env.DS_ANTHROPIC_BASE_URL,
          model: env.DS_ANTHROPIC_MODEL ?? 'claude-sonnet-4-5',
        }
      : null;
    const startedAt = Date.now();
    const c = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'pipe'], env });
    child = c;
    c.stdin?.end(JSON.stringify({ hubUrl: o.httpUrl, agents, stateDir, llm }));
    createInterface({ input: c.stdout as NodeJS.ReadableStream }).on('line', (l) => log.info(l));
    createInterface({ input: c.stderr as NodeJS.ReadableStream }).on('line', (l) => log.warn(l));
    c.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      backoff = Date.now() - startedAt > 60_000 ? minBackoff : Math.min(backoff * 2, 300_000);
      log.warn({ code, signal, retryInSec: backoff / 1000 }, 'the agents process ended; starting it again');
      timer = setTimeout(() => void start().catch(fail), backoff);
      timer.unref();
    });
    log.info({ agents: names, pid: c.pid }, 'started the ops agents');
  };
  const fail = (e: unknown) => log.error({ err: (e as Error).message }, 'could not start the ops agents');
  void start().catch(fail);

  return {
    child: () => child,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((res) => {
        const kill = setTimeout(() => c.kill('SIGKILL'), 5_000);
        c.once('exit', () => {
          clearTimeout(kill);
          res();
        });
        c.kill('SIGTERM');
      });
    },
  };
}
