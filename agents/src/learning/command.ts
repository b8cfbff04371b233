import { HubClient, HubError } from '../hub-client.js';
import { createLlm } from '../llm.js';
import { COMMON_HELP, COMMON_OPTIONS, commonSettings, numberSetting, parseFlags } from '../settings.js';
import { DEFAULT_LEARNING_POLICY as P } from './analyse.js';
import { formatLearning, runLearning } from './run.js';

export const LEARNING_HELP = `Usage: npm run agent -- learning [flags]

Analyses each instance's recent conversations (GET /instances/:id/conversations): questions left
without a reply, handoffs and requests for a person, negative turns, and the same question asked
in several conversations that mostly did not resolve. Posts each finding once per instance and
week with example excerpts, and asks the hub to propose the persona instructions that address
them (an operator, or the client owner with DS_LEARNING_APPROVER=owner, approves). Proposes the
winner of each decided A/B experiment. With ANTHROPIC_API_KEY a model rewords the instructions.

Learning settings:
  --dry-run         post nothing, print what was found
  --days N          days of conversations read (DS_LEARN_DAYS, default ${P.days})
  --min-sessions N  conversations needed to judge an instance (DS_LEARN_MIN_SESSIONS, default ${P.minSessions})
  --min-count N     occurrences that make a finding (DS_LEARN_MIN_COUNT, default ${P.minCount})
Token: the learning agent's own (POST /api/v1/ops-agents/learning/token); read alone with --dry-run.

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'dry-run': { type: 'boolean' },
  days: { type: 'string' },
  'min-sessions': { type: 'string' },
  'min-count': { type: 'string' },
} as const;

/** `agent learning`: one pass; returns the exit code (settings errors are thrown as SettingsError). */
export async function learningCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) {
    out(LEARNING_HELP);
    return 0;
  }
  const common = commonSettings(v, env);
  const policy = {
    ...P,
    days: numberSetting(v, env, 'days', 'DS_LEARN_DAYS', P.days, 1, 90),
    minSessions: numberSetting(v, env, 'min-sessions', 'DS_LEARN_MIN_SESSIONS', P.minSessions, 1, 100_000),
    minCount: numberSetting(v, env, 'min-count', 'DS_LEARN_MIN_COUNT', P.minCount, 2, 100_000),
  };
  const hub = new HubClient({ baseUrl: common.hubUrl, token: common.token });
  try {
    const r = await runLearning({ hub, llm: createLlm(common.llm ?? { model: '' }), dryRun: !!v['dry-run'], policy });
    out(common.json ? JSON.stringify(r, null, 2) : formatLearning(r));
    return r.errors.length ? 1 : 0;
  } catch (e) {
    process.stderr.write(`learning: ${e instanceof HubError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
