import { HubClient, HubError } from '../hub-client.js';
import { createLlm } from '../llm.js';
import { COMMON_HELP, COMMON_OPTIONS, commonSettings, numberSetting, parseFlags } from '../settings.js';
import { DEFAULT_HEALTHY_WINDOW_SEC, formatSupport, runSupport } from './run.js';

export const SUPPORT_HELP = `Usage: npm run agent -- support [flags]

Triages the open tickets (GET /tickets?state=open) not triaged since the client last wrote:
reads the instance's health and recent warn/error log lines and the articles that match, and
writes back on the ticket (POST /tickets/:id/triage) an internal note (category, priority,
suspected cause, recent changes, articles), a drafted reply for an operator to send or edit, and
an escalation to a person when the client asks for one, is upset, or the agent is unsure. It
follows triaged tickets: once the measured cause stayed gone for the window it resolves them
where an operator allowed automatic replies for the category (else proposes it), and it proposes
draft articles from resolved tickets that had none. With ANTHROPIC_API_KEY the
note also carries a written summary.

Support settings:
  --dry-run         write nothing to the hub; print what would be written
  --log-lines N     error/warn log lines to read per ticket (DS_AGENT_LOG_LINES, default 20)
  --healthy-window-sec N
                    seconds the measured cause must stay gone before a ticket is resolved (or
                    proposed for it) (DS_SUPPORT_HEALTHY_WINDOW_SEC, default 600)
Token scopes needed: read, support:triage (read alone with --dry-run).

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'dry-run': { type: 'boolean' },
  'log-lines': { type: 'string' },
  'healthy-window-sec': { type: 'string' },
} as const;

/** `agent support`: returns the exit code (settings errors are thrown as SettingsError). */
export async function supportCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) {
    out(SUPPORT_HELP);
    return 0;
  }
  const common = commonSettings(v, env);
  const logLines = numberSetting(v, env, 'log-lines', 'DS_AGENT_LOG_LINES', 20, 1, 500);
  const healthyWindowSec = numberSetting(
    v,
    env,
    'healthy-window-sec',
    'DS_SUPPORT_HEALTHY_WINDOW_SEC',
    DEFAULT_HEALTHY_WINDOW_SEC,
    0,
    86_400,
  );
  const hub = new HubClient({ baseUrl: common.hubUrl, token: common.token });
  try {
    const r = await runSupport({
      hub,
      llm: createLlm(common.llm ?? { model: '' }),
      dryRun: !!v['dry-run'],
      logLines,
      healthyWindowSec,
    });
    out(common.json ? JSON.stringify(r, null, 2) : formatSupport(r));
    return r.tickets.some((x) => x.posted && !x.posted.ok) ? 1 : 0;
  } catch (e) {
    process.stderr.write(`support: ${e instanceof HubError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
