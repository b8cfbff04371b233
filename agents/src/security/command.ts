import { HubClient, HubError } from '../hub-client.js';
import { createLlm } from '../llm.js';
import { COMMON_HELP, COMMON_OPTIONS, commonSettings, numberSetting, parseFlags } from '../settings.js';
import { formatSecurity } from './report.js';
import { DEFAULT_SECURITY_POLICY, runSecurity, type SecurityPolicy } from './run.js';

const P = DEFAULT_SECURITY_POLICY;

export const SECURITY_HELP = `Usage: npm run agent -- security [flags]

One security pass through the hub API; posts each problem once (a dedupe key in its evidence):
  - versions: each instance's OpenClaw and sidecar against the hub's advisories (GET /advisories)
    and the pinned version; an openclaw.update proposal, which the hub holds for an admin and the
    client's maintenance window
  - keys: provider keys, instance secrets (credentials.rotate proposal, admin approves), the hub's
    signing key and agent tokens older than their thresholds
  - access: operator logins from a new address, bursts of failed logins, service accounts acting at
    unusual hours, console sessions outside maintenance windows
  - anomalies: messages, tokens, error lines and reply latency per instance against the median and
    MAD of the same hour of week, sustained for several hours

Security settings:
  --dry-run                 post nothing, print what was found
  --provider-key-days N     (DS_SEC_PROVIDER_KEY_DAYS, default ${P.keys.providerKeyDays})
  --instance-secret-days N  (DS_SEC_INSTANCE_SECRET_DAYS, default ${P.keys.instanceSecretDays})
  --hub-key-days N          (DS_SEC_HUB_KEY_DAYS, default ${P.keys.hubKeyDays})
  --agent-token-days N      (DS_SEC_AGENT_TOKEN_DAYS, default ${P.keys.agentTokenDays})
  --recent-hours N          access events this recent are judged (DS_SEC_RECENT_HOURS, default ${P.access.recentHours})
  --burst-count N           failed logins from one address within --burst-minutes (default ${P.access.burstCount} in ${P.access.burstMinutes})
  --burst-minutes N
  --mad-factor N            anomaly threshold in MADs (DS_SEC_MAD_FACTOR, default ${P.anomalies.madFactor})
  --sustain-hours N         consecutive hours beyond it (DS_SEC_SUSTAIN_HOURS, default ${P.anomalies.sustainHours})
Token: the security agent's own (POST /api/v1/ops-agents/security/token); read alone is enough with --dry-run.

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'dry-run': { type: 'boolean' },
  'provider-key-days': { type: 'string' },
  'instance-secret-days': { type: 'string' },
  'hub-key-days': { type: 'string' },
  'agent-token-days': { type: 'string' },
  'recent-hours': { type: 'string' },
  'burst-count': { type: 'string' },
  'burst-minutes': { type: 'string' },
  'mad-factor': { type: 'string' },
  'sustain-hours': { type: 'string' },
} as const;

/** `agent security`: one pass; returns the exit code (settings errors are thrown as SettingsError). */
export async function securityCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) {
    out(SECURITY_HELP);
    return 0;
  }
  const common = commonSettings(v, env);
  const n = (flag: string, envName: string, def: number, min: number, max: number) =>
    numberSetting(v, env, flag, envName, def, min, max);
  const policy: SecurityPolicy = {
    keys: {
      providerKeyDays: n('provider-key-days', 'DS_SEC_PROVIDER_KEY_DAYS', P.keys.providerKeyDays, 1, 3650),
      instanceSecretDays: n('instance-secret-days', 'DS_SEC_INSTANCE_SECRET_DAYS', P.keys.instanceSecretDays, 1, 3650),
      hubKeyDays: n('hub-key-days', 'DS_SEC_HUB_KEY_DAYS', P.keys.hubKeyDays, 1, 3650),
      agentTokenDays: n('agent-token-days', 'DS_SEC_AGENT_TOKEN_DAYS', P.keys.agentTokenDays, 1, 3650),
    },
    access: {
      ...P.access,
      recentHours: n('recent-hours', 'DS_SEC_RECENT_HOURS', P.access.recentHours, 1, 720),
      burstCount: n('burst-count', 'DS_SEC_BURST_COUNT', P.access.burstCount, 2, 10_000),
      burstMinutes: n('burst-minutes', 'DS_SEC_BURST_MINUTES', P.access.burstMinutes, 1, 1440),
    },
    anomalies: {
      ...P.anomalies,
      madFactor: n('mad-factor', 'DS_SEC_MAD_FACTOR', P.anomalies.madFactor, 1, 100),
      sustainHours: n('sustain-hours', 'DS_SEC_SUSTAIN_HOURS', P.anomalies.sustainHours, 1, 168),
    },
  };
  const hub = new HubClient({ baseUrl: common.hubUrl, token: common.token });
  try {
    const llm = createLlm(common.llm ?? { model: '' });
    const r = await runSecurity({ hub, policy, dryRun: !!v['dry-run'], llm });
    out(common.json ? JSON.stringify(r, null, 2) : formatSecurity(r));
    return 0;
  } catch (e) {
    process.stderr.write(`security: ${e instanceof HubError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
