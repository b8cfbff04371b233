import { HubClient, HubError } from '../hub-client.js';
import { createLlm } from '../llm.js';
import { COMMON_HELP, COMMON_OPTIONS, commonSettings, numberSetting, parseFlags } from '../settings.js';
import { formatSupport, runSupport } from './run.js';

export const SUPPORT_HELP = `Usage: npm run agent -- support [flags]

Triages the open support requests (GET /support-requests): attaches the instance's health and its
recent warn/error log lines, proposes a category and a next step (rules; with ANTHROPIC_API_KEY a
written note too). Changes nothing unless --apply, and then only resolves requests the hub's data
shows fixed (a restart succeeded after the request and the instance is healthy now).

Support settings:
  --apply           resolve the requests found fixed (needs an admin or support user's token;
                    service tokens may only read and issue commands)
  --log-lines N     error/warn log lines to attach per request (DS_AGENT_LOG_LINES, default 20)
Token scope needed: read.

${COMMON_HELP}`;

const OPTIONS = { ...COMMON_OPTIONS, apply: { type: 'boolean' }, 'log-lines': { type: 'string' } } as const;

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
  const hub = new HubClient({ baseUrl: common.hubUrl, token: common.token });
  try {
    const r = await runSupport({ hub, llm: createLlm(common.llm ?? { model: '' }), apply: !!v.apply, logLines });
    out(common.json ? JSON.stringify(r, null, 2) : formatSupport(r));
    return r.requests.some((x) => x.resolution && !x.resolution.resolved) ? 1 : 0;
  } catch (e) {
    process.stderr.write(`support: ${e instanceof HubError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
