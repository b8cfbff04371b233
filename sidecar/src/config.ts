import { readFileSync } from 'node:fs';
import { idSchema, importPublicKey } from '@deepsignal/protocol';
import * as z from 'zod';

/**
 * Every sidecar setting in one table: key in the config object/JSON file, its flag, its
 * environment variable, its default and what it means. `--help` prints this table.
 * Precedence: defaults < `--config` file < environment < flags.
 */
export const SETTINGS = [
  {
    key: 'hub',
    flag: 'hub',
    env: 'DS_HUB',
    kind: 'string',
    help: 'broker URL: mqtt://host:1883, mqtts://host:8883, ws:// or wss://',
  },
  {
    key: 'instanceId',
    flag: 'instance',
    env: 'DS_INSTANCE_ID',
    kind: 'string',
    help: 'instance id (from POST /instances)',
  },
  { key: 'secret', flag: 'secret', env: 'DS_INSTANCE_SECRET', kind: 'string', help: "the instance's MQTT secret" },
  {
    key: 'hubKey',
    flag: 'hub-key',
    env: 'DS_HUB_PUBLIC_KEY',
    kind: 'string',
    help: 'hub public key ed25519:<base64url>; commands not signed by it are refused',
  },
  {
    key: 'stateDir',
    flag: 'state-dir',
    env: 'DS_STATE_DIR',
    kind: 'string',
    help: 'outbox and command journal directory',
    def: '/var/lib/deepsignal',
  },
  {
    key: 'openclawUrl',
    flag: 'openclaw-url',
    env: 'DS_OPENCLAW_URL',
    kind: 'string',
    help: 'OpenClaw gateway WebSocket',
    def: 'ws://127.0.0.1:18789',
  },
  {
    key: 'openclawToken',
    flag: 'openclaw-token',
    env: 'DS_OPENCLAW_TOKEN',
    kind: 'string',
    help: 'gateway token (default: gateway.auth.token from the OpenClaw config)',
  },
  {
    key: 'openclawConfig',
    flag: 'openclaw-config',
    env: 'DS_OPENCLAW_CONFIG',
    kind: 'string',
    help: 'OpenClaw config file (default: $OPENCLAW_CONFIG_PATH or ~/.openclaw/openclaw.json)',
  },
  {
    key: 'openclawLogDir',
    flag: 'openclaw-log-dir',
    env: 'DS_OPENCLAW_LOG_DIR',
    kind: 'string',
    help: 'directory of openclaw-YYYY-MM-DD.log',
    def: '/tmp/openclaw',
  },
  {
    key: 'openclawBin',
    flag: 'openclaw-bin',
    env: 'DS_OPENCLAW_BIN',
    kind: 'string',
    help: 'openclaw CLI used for updates',
    def: 'openclaw',
  },
  {
    key: 'openclawUnit',
    flag: 'openclaw-unit',
    env: 'DS_OPENCLAW_UNIT',
    kind: 'string',
    help: 'systemd unit restarted when the gateway is unreachable (unset: openclaw.restart fails instead)',
  },
  {
    key: 'caFile',
    flag: 'ca-file',
    env: 'DS_CA_FILE',
    kind: 'string',
    help: 'CA certificate (PEM) for mqtts:// / wss://',
  },
  {
    key: 'sampleIntervalMs',
    flag: 'sample-interval-ms',
    env: 'DS_SAMPLE_INTERVAL_MS',
    kind: 'int',
    help: 'machine sampling interval',
    def: 1000,
  },
  {
    key: 'batchIntervalMs',
    flag: 'batch-interval-ms',
    env: 'DS_BATCH_INTERVAL_MS',
    kind: 'int',
    help: 'how often samples/logs/conversations are sent',
    def: 5000,
  },
  {
    key: 'openclawPollMs',
    flag: 'openclaw-poll-ms',
    env: 'DS_OPENCLAW_POLL_MS',
    kind: 'int',
    help: 'gateway status polling interval',
    def: 15000,
  },
  {
    key: 'outboxMaxMb',
    flag: 'outbox-max-mb',
    env: 'DS_OUTBOX_MAX_MB',
    kind: 'int',
    help: 'disk cap of the outbox; oldest metrics are dropped first',
    def: 512,
  },
  {
    key: 'replayRate',
    flag: 'replay-rate',
    env: 'DS_REPLAY_RATE',
    kind: 'int',
    help: 'messages per second replayed from the outbox after a reconnect',
    def: 50,
  },
  {
    key: 'inflight',
    flag: 'inflight',
    env: 'DS_INFLIGHT',
    kind: 'int',
    help: 'QoS1 publishes awaiting PUBACK at once',
    def: 32,
  },
  {
    key: 'keepaliveSec',
    flag: 'keepalive-sec',
    env: 'DS_KEEPALIVE_SEC',
    kind: 'int',
    help: 'MQTT keepalive; a silent network cut is noticed after about 1.5 times this',
    def: 30,
  },
  {
    key: 'updateTrialSec',
    flag: 'update-trial-sec',
    env: 'DS_UPDATE_TRIAL_SEC',
    kind: 'int',
    help: 'a self-updated sidecar not online within this long goes back to the previous bundle',
    def: 120,
  },
  {
    key: 'updateTrialStarts',
    flag: 'update-trial-starts',
    env: 'DS_UPDATE_TRIAL_STARTS',
    kind: 'int',
    help: 'starts a self-updated sidecar gets to come online before it goes back to the previous bundle',
    def: 3,
  },
  {
    key: 'firstConnectRetryMaxMs',
    flag: 'first-connect-retry-max-ms',
    env: 'DS_FIRST_CONNECT_RETRY_MAX_MS',
    kind: 'int',
    help: 'until the first login succeeds, retry at least this often (a pre-booted server waiting to be assigned; 0: normal backoff)',
    def: 0,
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'DS_LOG_LEVEL',
    kind: 'string',
    help: 'debug, info, warn or error',
    def: 'info',
  },
] as const;

const brokerUrl = z.string().refine((s) => {
  try {
    return ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'must be an mqtt://, mqtts://, ws:// or wss:// URL');

const wsUrl = z.string().refine((s) => {
  try {
    return ['ws:', 'wss:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'must be a ws:// or wss:// URL');

const hubKey = z.string().refine((s) => {
  try {
    importPublicKey(s);
    return true;
  } catch {
    return false;
  }
}, 'must look like ed25519:<43 base64url characters>');

const posInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The sidecar's settings, validated. Unknown keys are errors. */
export const configSchema = z
  .object({
    hub: brokerUrl,
    instanceId: idSchema,
    secret: z.string().min(1, 'must not be empty').max(512),
    hubKey,
    stateDir: z.string().min(1).default('/var/lib/deepsignal'),
    openclawUrl: wsUrl.default('ws://127.0.0.1:18789'),
    openclawToken: z.string().min(1).max(1024).optional(),
    openclawConfig: z.string().min(1).optional(),
    openclawLogDir: z.string().min(1).default('/tmp/openclaw'),
    openclawBin: z.string().min(1).default('openclaw'),
    openclawUnit: z
      .string()
      .regex(/^[A-Za-z0-9@._:-]+$/, 'must be a systemd unit name')
      .optional(),
    caFile: z.string().min(1).optional(),
    sampleIntervalMs: posInt(100, 3_600_000).default(1000),
    batchIntervalMs: posInt(100, 3_600_000).default(5000),
    openclawPollMs: posInt(500, 3_600_000).default(15000),
    outboxMaxMb: posInt(1, 1_000_000).default(512),
    replayRate: posInt(1, 100_000).default(50),
    inflight: posInt(1, 10_000).default(32),
    keepaliveSec: posInt(1, 3600).default(30),
    updateTrialSec: posInt(5, 3600).default(120),
    updateTrialStarts: posInt(1, 20).default(3),
    firstConnectRetryMaxMs: posInt(0, 60_000).default(0),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .strict();

/** Settings after validation (frozen by `loadConfig`). */
export type SidecarConfig = z.infer<typeof configSchema>;
/** Settings as given (defaults optional). */
export type SidecarConfigInput = z.input<typeof configSchema>;

/** A bad setting: `setting` names it as the operator typed it (flag and variable). */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`bad setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Setting = (typeof SETTINGS)[number];
const byKey = new Map<string, Setting>(SETTINGS.map((s) => [s.key, s]));
const byFlag = new Map<string, Setting>(SETTINGS.map((s) => [s.flag, s]));
const label = (s: Setting) => `--${s.flag} (${s.env})`;

/** Validates a config object; throws ConfigError naming the first bad setting. */
export function parseConfig(input: unknown): SidecarConfig {
  const r = configSchema.safeParse(input);
  if (r.success) return Object.freeze(r.data);
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const k = (issue as { keys?: string[] }).keys?.[0] ?? '?';
    throw new ConfigError(k, 'unknown setting');
  }
  const key = String(issue.path[0] ?? '');
  const s = byKey.get(key);
  const msg = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  throw new ConfigError(s ? label(s) : key || '(config)', msg);
}

/** Reads a JSON config file; accepts schema keys and flag names. Throws ConfigError. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      '--config (DS_CONFIG)',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('--config (DS_CONFIG)', `${path} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('--config (DS_CONFIG)', `${path} must hold a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    const s = byKey.get(k) ?? byFlag.get(k);
    if (!s) throw new ConfigError(`${JSON.stringify(k.slice(0, 40))} in ${path}`, 'unknown setting');
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') {
      throw new ConfigError(`${label(s)} in ${path}`, 'must be a string or a number');
    }
    if (v !== null) out[s.key] = v;
  }
  return out;
}

/** Settings present in an environment. */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') out[s.key] = v;
  }
  return out;
}

/**
 * Combines a config file, the environment and flags (already parsed to keys) into a frozen
 * config. Throws ConfigError naming the setting at fault.
 */
export function loadConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): SidecarConfig {
  const fromEnv = configFromEnv(env);
  const file = (flags.config as string | undefined) ?? env.DS_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const { config: _ignored, ...rest } = flags;
  return parseConfig({ ...fromFile, ...fromEnv, ...rest });
}

/** The help text listing every setting. */
export function settingsHelp(): string {
  const rows = SETTINGS.map((s) => {
    const def = 'def' in s ? ` (default ${s.def})` : '';
    return `  --${s.flag.padEnd(20)} ${s.env.padEnd(24)} ${s.help}${def}`;
  });
  return [
    'Usage: npm run sidecar -- --hub <url> --instance <id> --secret <secret> --hub-key <ed25519:…> [options]',
    '',
    'Deep Signal sidecar: streams machine and OpenClaw telemetry to the hub and runs signed commands.',
    '',
    '  flag                   variable                 meaning',
    `  --${'config'.padEnd(20)} ${'DS_CONFIG'.padEnd(24)} a JSON file holding any of the settings (keys as below, camelCase or flag names)`,
    ...rows,
    `  --${'help'.padEnd(20)} ${''.padEnd(24)} this text`,
    '',
    'Bad settings give a one-line error naming the setting and exit code 2.',
  ].join('\n');
}

/** Settings by flag name, for the CLI's argument parser. */
export function settingByFlag(flag: string): Setting | undefined {
  return byFlag.get(flag);
}
