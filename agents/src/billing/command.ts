import { HubClient, HubError } from '../hub-client.js';
import { createLlm } from '../llm.js';
import { COMMON_HELP, COMMON_OPTIONS, commonSettings, numberSetting, parseFlags, SettingsError } from '../settings.js';
import { DEFAULT_COST_POLICY } from './costs.js';
import { DEFAULT_REVIEW_POLICY } from './review.js';
import { type BillingPolicy, DEFAULT_BILLING_POLICY, formatBilling, runBilling } from './run.js';

export const BILLING_HELP = `Usage: npm run agent -- billing [flags]

Reviews the month's invoices before they go out (GET /billing/invoice-preview) and holds the ones
that look wrong (POST /billing/holds, with a finding): usage far from the run-rate forecast, a
plan change inside the period, a zero invoice for an active client. Then runs the invoices
(POST /billing/run; held ones wait for an operator) and the due reminders, and posts cost
suggestions with their numbers: a cheaper model of the client's plan where the sentiment of
comparable conversations holds (a model.set proposal an admin approves), a server larger than
its measured load needs (a finding, priced from the provider's catalogue).

Billing settings:
  --dry-run                 write nothing; print what would be held and suggested
  --period YYYY-MM          period to review (default: last month)
  --no-run                  review and hold only; leave the invoice run to the hub
  --usage-factor N          flag usage N times above/below the forecast (DS_BILLING_USAGE_FACTOR, 3)
  --usage-min-messages N    ...differing by at least N messages (DS_BILLING_USAGE_MIN_MESSAGES, 50)
  --lookback-days N         days of conversations and metrics for cost suggestions (DS_BILLING_LOOKBACK_DAYS, 30)
  --min-conversations N     conversations needed on each side (DS_BILLING_MIN_CONVERSATIONS, 5)
  --sentiment-tolerance X   how much lower the cheaper model's sentiment may be (DS_BILLING_SENTIMENT_TOLERANCE, 0.1)
Token scopes needed: read, agent:report, billing:review (read alone with --dry-run).

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'dry-run': { type: 'boolean' },
  'no-run': { type: 'boolean' },
  period: { type: 'string' },
  'usage-factor': { type: 'string' },
  'usage-min-messages': { type: 'string' },
  'lookback-days': { type: 'string' },
  'min-conversations': { type: 'string' },
  'sentiment-tolerance': { type: 'string' },
} as const;

/** The billing policy from flags and environment. */
export function billingPolicy(v: Record<string, unknown>, env: Record<string, string | undefined>): BillingPolicy {
  return {
    ...DEFAULT_BILLING_POLICY,
    runInvoices: !v['no-run'],
    review: {
      usageFactor: numberSetting(
        v,
        env,
        'usage-factor',
        'DS_BILLING_USAGE_FACTOR',
        DEFAULT_REVIEW_POLICY.usageFactor,
        1.1,
        100,
      ),
      usageMinMessages: numberSetting(
        v,
        env,
        'usage-min-messages',
        'DS_BILLING_USAGE_MIN_MESSAGES',
        DEFAULT_REVIEW_POLICY.usageMinMessages,
        0,
        1e9,
      ),
    },
    lookbackDays: numberSetting(v, env, 'lookback-days', 'DS_BILLING_LOOKBACK_DAYS', 30, 1, 365),
    cost: {
      ...DEFAULT_COST_POLICY,
      minConversations: numberSetting(
        v,
        env,
        'min-conversations',
        'DS_BILLING_MIN_CONVERSATIONS',
        DEFAULT_COST_POLICY.minConversations,
        1,
        10_000,
      ),
      sentimentTolerance: numberSetting(
        v,
        env,
        'sentiment-tolerance',
        'DS_BILLING_SENTIMENT_TOLERANCE',
        DEFAULT_COST_POLICY.sentimentTolerance,
        0,
        2,
      ),
    },
  };
}

/** `agent billing`: returns the exit code (settings errors are thrown as SettingsError). */
export async function billingCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) {
    out(BILLING_HELP);
    return 0;
  }
  const common = commonSettings(v, env);
  const period = typeof v.period === 'string' ? v.period : undefined;
  if (period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(period))
    throw new SettingsError(`--period must be YYYY-MM, got "${period}"`);
  const policy = billingPolicy(v, env);
  const hub = new HubClient({ baseUrl: common.hubUrl, token: common.token });
  try {
    const r = await runBilling({
      hub,
      llm: createLlm(common.llm ?? { model: '' }),
      dryRun: !!v['dry-run'],
      policy,
      period,
    });
    out(common.json ? JSON.stringify(r, null, 2) : formatBilling(r));
    return r.errors.length ? 1 : 0;
  } catch (e) {
    process.stderr.write(`billing: ${e instanceof HubError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
