import { DEFAULT_BILLING_POLICY, formatBilling, runBilling } from '../billing/run.js';
import { HubClient, HubError } from '../hub-client.js';
import { formatLearning, runLearning } from '../learning/run.js';
import { createLlm, type Llm, type LlmSettings } from '../llm.js';
import { helpLoop } from '../onboarding/help.js';
import { OnboardingHub } from '../onboarding/hub-api.js';
import { formatWelcome, welcomePass } from '../onboarding/welcome.js';
import { runPass } from '../orchestrator/pass.js';
import { DEFAULT_POLICY } from '../orchestrator/policy.js';
import { formatReport } from '../orchestrator/report.js';
import { DownSinceStore } from '../orchestrator/state.js';
import { formatSecurity } from '../security/report.js';
import { DEFAULT_SECURITY_POLICY, runSecurity } from '../security/run.js';
import { formatSupport, runSupport } from '../support/run.js';
import { TokenKeeper } from './token.js';

/**
 * The agents the runner can run, with their default seconds between runs: support every minute
 * (every new ticket triaged within one), billing and learning hourly, the onboarding agent's
 * welcome pass every five minutes (its help answers are long-polled).
 */
export const RUNNABLE = {
  orchestrator: 60,
  support: 60,
  security: 900,
  billing: 3600,
  onboarding: 300,
  learning: 3600,
} as const;
export type RunnableAgent = keyof typeof RUNNABLE;

/** What the hub hands the runner on stdin when it starts it. */
export interface RunnerConfig {
  hubUrl: string;
  /** One entry per agent to run: its minted token and seconds between runs. */
  agents: { name: RunnableAgent; token: string; expiresAt: string; intervalSec: number }[];
  /** Where the orchestrator keeps its first sightings across restarts. */
  stateDir?: string;
  llm?: LlmSettings | null;
}

/** Runs `fn` as a recorded run on the hub, with the model tokens and cost it used (best effort). */
async function recordedRun<T>(hub: HubClient, llm: Llm | null, fn: () => Promise<T>): Promise<T> {
  const run = await hub.startRun().catch(() => null);
  const u0 = llm ? { ...llm.usage } : null;
  let error: string | undefined;
  try {
    return await fn();
  } catch (e) {
    error = (e as Error).message.slice(0, 2000);
    throw e;
  } finally {
    if (run) {
      const u = llm?.usage;
      await hub
        .finishRun(run.id, {
          costUsd: u && u0 ? Math.max(0, u.costUsd - u0.costUsd) : 0,
          tokensIn: u && u0 ? u.tokensIn - u0.tokensIn : 0,
          tokensOut: u && u0 ? u.tokensOut - u0.tokensOut : 0,
          ...(error ? { error } : {}),
        })
        .catch(() => {});
    }
  }
}

/** Exit code when an agent's token was refused (expired or revoked): the hub restarts it with new ones. */
export const EXIT_TOKEN_REFUSED = 3;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((res) => {
    const t = setTimeout(res, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        res();
      },
      { once: true },
    );
  });

/**
 * Runs each agent on its own schedule until `signal` aborts, through the hub's HTTP API with its
 * own token (rotated at half its life). One agent's failed run never stops another; a token the
 * hub refuses ends the runner with EXIT_TOKEN_REFUSED.
 */
export async function runAgents(cfg: RunnerConfig, signal: AbortSignal, out: (s: string) => void): Promise<number> {
  const llm = cfg.llm ? createLlm(cfg.llm) : null;
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  let code = 0;
  const loop = async (a: RunnerConfig['agents'][number]) => {
    const hub =
      a.name === 'onboarding'
        ? new OnboardingHub({ baseUrl: cfg.hubUrl, token: a.token })
        : new HubClient({ baseUrl: cfg.hubUrl, token: a.token });
    const refused = (e: unknown) => {
      out(`${a.name}: the hub refused its token (${(e as Error).message}); stopping for a fresh one`);
      code = EXIT_TOKEN_REFUSED;
      stop.abort();
    };
    // The onboarding agent answers help questions all the time; its schedule is the welcome mails'.
    if (hub instanceof OnboardingHub)
      void helpLoop({ hub, llm, signal: stop.signal, out }).catch((e) =>
        e instanceof HubError && e.status === 401
          ? refused(e)
          : out(`${a.name}: help loop ended: ${(e as Error).message}`),
      );
    const keeper = new TokenKeeper(hub, a.name, a.expiresAt);
    const state = new DownSinceStore(cfg.stateDir ? `${cfg.stateDir}/orchestrator-state.json` : undefined);
    while (!stop.signal.aborted) {
      try {
        if (await keeper.fresh()) out(`${a.name}: token rotated`);
        if (a.name === 'orchestrator')
          out(formatReport(await runPass({ hub, policy: { ...DEFAULT_POLICY, waitSec: 0 }, state, llm })));
        else if (hub instanceof OnboardingHub)
          out(formatWelcome(await recordedRun(hub, llm, () => welcomePass({ hub, llm }))));
        else if (a.name === 'security')
          out(formatSecurity(await runSecurity({ hub, policy: DEFAULT_SECURITY_POLICY, dryRun: false, llm })));
        else if (a.name === 'billing')
          out(
            formatBilling(
              await recordedRun(hub, llm, () =>
                runBilling({ hub, llm, dryRun: false, policy: DEFAULT_BILLING_POLICY }),
              ),
            ),
          );
        else if (a.name === 'learning')
          out(formatLearning(await recordedRun(hub, llm, () => runLearning({ hub, llm, dryRun: false }))));
        else
          out(formatSupport(await recordedRun(hub, llm, () => runSupport({ hub, llm, dryRun: false, logLines: 20 }))));
      } catch (e) {
        if (e instanceof HubError && e.status === 401) return refused(e);
        out(`${a.name}: run failed: ${(e as Error).message}`);
      }
      await sleep(a.intervalSec * 1000, stop.signal);
    }
  };
  await Promise.all(cfg.agents.map(loop));
  return code;
}
