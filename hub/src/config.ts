import { z } from 'zod';

/**
 * Hub settings: one strict schema, parsed once at start from the environment and `--flags`
 * (a flag wins), then frozen and passed down. Every row here has a row in hub/README.md.
 */
const port = z.coerce.number().int().min(0).max(65535);
const optStr = z
  .string()
  .optional()
  .transform((s) => (s === '' ? undefined : s));

export const configSchema = z
  .object({
    httpPort: port.default(8080),
    mqttPort: port.default(1883),
    bind: z.string().min(1).default('127.0.0.1'),
    dataDir: z.string().min(1).default('./data'),
    databaseUrl: optStr,
    /** PostgreSQL schema for all hub tables (tests use one per run). */
    dbSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _')
      .default('public'),
    mqttUrl: optStr,
    /** Broker URL handed to new instances; default derived from bind and the MQTT port. */
    publicMqttUrl: optStr,
    mqttTlsCert: optStr,
    mqttTlsKey: optStr,
    adminEmail: optStr,
    adminPassword: optStr,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    retentionRawDays: z.coerce.number().int().min(1).default(30),
    retentionRollupDays: z.coerce.number().int().min(1).default(395),
    heartbeatTimeoutSec: z.coerce.number().int().min(5).default(90),
    dashboardDir: optStr,
    /** Shared-subscription group when several hubs share an external broker. */
    shareGroup: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('deepsignal-hub'),
    /** Master key(s) for envelope encryption: `id:base64` (or bare base64) list, newest first. */
    masterKey: optStr,
    masterKeyFile: optStr,
    /** Comma-separated IPs/CIDRs that admin, support and service callers must come from (empty: any). */
    adminIpAllowlist: optStr,
    /** Comma-separated origins allowed by CORS (empty: CORS closed). */
    corsOrigins: optStr,
    /** Trust X-Forwarded-For/-Proto from a reverse proxy (client IP for allowlists, Secure cookies). */
    trustProxy: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** Public base URL of the hub (password-reset links, SSO redirect); default from the request. */
    publicUrl: optStr,
    /** Where mail goes: `log` (printed) or an http(s) URL that receives `{to, subject, text}` as JSON. */
    mailTransport: z.string().default('log'),
    /** Sender of the hub's mail. */
    mailFrom: z.string().default('Deep Signal <noreply@localhost>'),
    /** Provider API base URLs (onboarding checks keys and tokens there; tests point them at local servers). */
    anthropicUrl: z.url().default('https://api.anthropic.com'),
    openrouterUrl: z.url().default('https://openrouter.ai'),
    telegramUrl: z.url().default('https://api.telegram.org'),
    slackUrl: z.url().default('https://slack.com'),
    /** Backups go to this S3-compatible bucket instead of the data directory. */
    backupS3Bucket: optStr.pipe(
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name: 3-63 lowercase letters, digits, dots, hyphens')
        .optional(),
    ),
    /** S3-compatible endpoint (MinIO, R2, B2, …); AWS S3 when unset. */
    backupS3Endpoint: optStr.pipe(
      z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://minio.example.com:9000' }).optional(),
    ),
    backupS3Region: optStr,
    /** Key prefix inside the bucket (backups/). */
    backupS3Prefix: optStr.pipe(
      z
        .string()
        .max(512)
        .refine((p) => !p.split('/').some((x) => x === '.' || x === '..'), 'no . or .. parts')
        .optional(),
    ),
    backupS3AccessKeyId: optStr,
    backupS3SecretAccessKey: optStr,
    /** Path-style bucket URLs; default: on with a custom endpoint (MinIO needs it), off for AWS. */
    backupS3ForcePathStyle: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .optional(),
    /** Whether restarts and guarded changes an ops agent issues wait for conversations by default. */
    agentDrain: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(true),
  })
  .strict()
  .refine((c) => !c.mqttTlsCert === !c.mqttTlsKey, {
    message: 'DS_MQTT_TLS_CERT and DS_MQTT_TLS_KEY go together',
    path: ['mqttTlsCert'],
  })
  .refine((c) => !c.backupS3AccessKeyId === !c.backupS3SecretAccessKey, {
    message: 'DS_BACKUP_S3_ACCESS_KEY_ID and DS_BACKUP_S3_SECRET_ACCESS_KEY go together',
    path: ['backupS3AccessKeyId'],
  })
  .refine(
    (c) =>
      c.backupS3Bucket ||
      [
        c.backupS3Endpoint,
        c.backupS3Region,
        c.backupS3Prefix,
        c.backupS3AccessKeyId,
        c.backupS3SecretAccessKey,
        c.backupS3ForcePathStyle,
      ].every((v) => v === undefined),
    {
      message: 'set the bucket to store backups in S3 (the other DS_BACKUP_S3_* settings need it)',
      path: ['backupS3Bucket'],
    },
  );

export type HubConfig = Readonly<z.infer<typeof configSchema>>;
export type HubConfigInput = z.input<typeof configSchema>;

/** Setting name -> env variable and flag, for parsing, --help and error messages. */
export const SETTINGS: Record<keyof z.infer<typeof configSchema>, { env: string; flag: string; help: string }> = {
  agentDrain: {
    env: 'DS_AGENT_DRAIN',
    flag: '--agent-drain',
    help: "agents' restarts and updates wait for conversations unless they say drain:false (true)",
  },
  httpPort: { env: 'DS_HTTP_PORT', flag: '--http-port', help: 'API + dashboard + live stream port (8080)' },
  mqttPort: { env: 'DS_MQTT_PORT', flag: '--mqtt-port', help: "embedded broker's TCP port (1883)" },
  bind: { env: 'DS_BIND', flag: '--bind', help: 'address to listen on (127.0.0.1)' },
  dataDir: { env: 'DS_DATA_DIR', flag: '--data-dir', help: 'embedded database and keys (./data)' },
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url', help: 'PostgreSQL instead of the embedded PGlite' },
  dbSchema: { env: 'DS_DB_SCHEMA', flag: '--db-schema', help: 'PostgreSQL schema for the hub tables (public)' },
  mqttUrl: { env: 'DS_MQTT_URL', flag: '--mqtt-url', help: 'external broker instead of the embedded one' },
  publicMqttUrl: { env: 'DS_PUBLIC_MQTT_URL', flag: '--public-mqtt-url', help: 'broker URL given to new instances' },
  mqttTlsCert: { env: 'DS_MQTT_TLS_CERT', flag: '--mqtt-tls-cert', help: 'PEM certificate: MQTT over TLS' },
  mqttTlsKey: { env: 'DS_MQTT_TLS_KEY', flag: '--mqtt-tls-key', help: 'PEM private key for MQTT over TLS' },
  adminEmail: { env: 'DS_ADMIN_EMAIL', flag: '--admin-email', help: 'first admin, on an empty database' },
  adminPassword: { env: 'DS_ADMIN_PASSWORD', flag: '--admin-password', help: "first admin's password" },
  logLevel: { env: 'DS_LOG_LEVEL', flag: '--log-level', help: 'fatal|error|warn|info|debug|trace|silent (info)' },
  retentionRawDays: { env: 'DS_RETENTION_RAW_DAYS', flag: '--retention-raw-days', help: 'raw samples kept (30)' },
  retentionRollupDays: {
    env: 'DS_RETENTION_ROLLUP_DAYS',
    flag: '--retention-rollup-days',
    help: 'rollups kept (395)',
  },
  heartbeatTimeoutSec: {
    env: 'DS_HEARTBEAT_TIMEOUT_SEC',
    flag: '--heartbeat-timeout-sec',
    help: 'silence after which an instance counts as offline (90)',
  },
  dashboardDir: { env: 'DS_DASHBOARD_DIR', flag: '--dashboard-dir', help: 'static dashboard export (dashboard/out)' },
  shareGroup: { env: 'DS_SHARE_GROUP', flag: '--share-group', help: 'shared-subscription group (deepsignal-hub)' },
  masterKey: { env: 'DS_MASTER_KEY', flag: '--master-key', help: 'master key(s) id:base64, newest first' },
  masterKeyFile: {
    env: 'DS_MASTER_KEY_FILE',
    flag: '--master-key-file',
    help: 'file with master key(s) (default <data dir>/master-key, generated)',
  },
  adminIpAllowlist: {
    env: 'DS_ADMIN_IP_ALLOWLIST',
    flag: '--admin-ip-allowlist',
    help: 'IPs/CIDRs for admin, support, service callers (any)',
  },
  corsOrigins: { env: 'DS_CORS_ORIGINS', flag: '--cors-origins', help: 'origins allowed by CORS (none)' },
  trustProxy: { env: 'DS_TRUST_PROXY', flag: '--trust-proxy', help: 'behind a reverse proxy (false)' },
  publicUrl: { env: 'DS_PUBLIC_URL', flag: '--public-url', help: 'public base URL for links (from the request)' },
  mailTransport: {
    env: 'DS_MAIL_TRANSPORT',
    flag: '--mail-transport',
    help: 'log, smtp(s)://user:pass@host:port, or an http(s) URL (log)',
  },
  mailFrom: {
    env: 'DS_MAIL_FROM',
    flag: '--mail-from',
    help: 'sender of the hub mail (Deep Signal <noreply@localhost>)',
  },
  anthropicUrl: {
    env: 'DS_ANTHROPIC_URL',
    flag: '--anthropic-url',
    help: 'Anthropic API base (https://api.anthropic.com)',
  },
  openrouterUrl: {
    env: 'DS_OPENROUTER_URL',
    flag: '--openrouter-url',
    help: 'OpenRouter base (https://openrouter.ai)',
  },
  telegramUrl: {
    env: 'DS_TELEGRAM_URL',
    flag: '--telegram-url',
    help: 'Telegram Bot API base (https://api.telegram.org)',
  },
  slackUrl: { env: 'DS_SLACK_URL', flag: '--slack-url', help: 'Slack Web API base (https://slack.com)' },
  backupS3Bucket: {
    env: 'DS_BACKUP_S3_BUCKET',
    flag: '--backup-s3-bucket',
    help: 'store backups in this S3 bucket (unset: <data dir>/backups)',
  },
  backupS3Endpoint: {
    env: 'DS_BACKUP_S3_ENDPOINT',
    flag: '--backup-s3-endpoint',
    help: 'S3-compatible endpoint URL, e.g. MinIO (AWS S3)',
  },
  backupS3Region: {
    env: 'DS_BACKUP_S3_REGION',
    flag: '--backup-s3-region',
    help: 'bucket region (AWS_REGION, else us-east-1)',
  },
  backupS3Prefix: {
    env: 'DS_BACKUP_S3_PREFIX',
    flag: '--backup-s3-prefix',
    help: 'key prefix in the bucket (backups/)',
  },
  backupS3AccessKeyId: {
    env: 'DS_BACKUP_S3_ACCESS_KEY_ID',
    flag: '--backup-s3-access-key-id',
    help: "access key (unset: the AWS SDK's default chain)",
  },
  backupS3SecretAccessKey: {
    env: 'DS_BACKUP_S3_SECRET_ACCESS_KEY',
    flag: '--backup-s3-secret-access-key',
    help: 'secret key, with the access key',
  },
  backupS3ForcePathStyle: {
    env: 'DS_BACKUP_S3_FORCE_PATH_STYLE',
    flag: '--backup-s3-force-path-style',
    help: 'path-style URLs (true with an endpoint, else false)',
  },
};

/** A setting that could not be parsed; `setting` is the env name to show the operator. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(message);
  }
}

/** Usage text for `--help`. */
export function helpText(): string {
  const rows = Object.values(SETTINGS).map((s) => `  ${s.flag.padEnd(29)} ${s.env.padEnd(30)} ${s.help}`);
  return ['Usage: npm start -- [flags]   (each flag has an environment variable)', '', ...rows].join('\n');
}

/** Reads env + argv into the raw object the schema parses. Unknown flags are errors. */
export function rawSettings(env: NodeJS.ProcessEnv, argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, s] of Object.entries(SETTINGS)) if (env[s.env] !== undefined) out[key] = env[s.env] as string;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const entry = Object.entries(SETTINGS).find(([, s]) => s.flag === flag);
    if (!entry) throw new ConfigError(`unknown option ${flag} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`, entry[1].env);
    out[entry[0]] = value;
  }
  return out;
}

/** Parses settings from any source object (programmatic options or rawSettings). */
export function parseConfig(input: Record<string, unknown>): HubConfig {
  const r = configSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const s = SETTINGS[key as keyof typeof SETTINGS];
    const name = s ? s.env : key || 'settings';
    throw new ConfigError(`${name}: ${issue.message}`, s?.env);
  }
  return Object.freeze(r.data);
}

/** Settings for the process: environment, then flags. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)) {
  return parseConfig(rawSettings(env, argv));
}
