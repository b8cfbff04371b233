import { z } from 'zod';
import { backupRegionsSetting } from './backups/regions-setting.js';
import { validAllowlist } from './security/ip.js';

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
    /** The embedded PGlite's shared buffers (a PostgreSQL size, e.g. 32MB): see openPglite. */
    pgliteSharedBuffers: z
      .string()
      .regex(/^[1-9][0-9]*(kB|MB|GB)$/, 'a PostgreSQL size such as 32MB')
      .default('32MB'),
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
    /** With TimescaleDB: who runs aggregate refresh, compression and retention. */
    timescaleScheduler: z.enum(['hub', 'timescaledb']).default('hub'),
    heartbeatTimeoutSec: z.coerce.number().int().min(5).default(90),
    /**
     * On PostgreSQL, metrics committed by a worker thread with its own connection. Off by default
     * until it is shown faster than the in-thread writer (BENCHMARKS.md, "Ingest writer thread").
     */
    ingestThread: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    dashboardDir: optStr,
    /** Shared-subscription group when several hubs share an external broker. */
    shareGroup: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('deepsignal-hub'),
    /**
     * Redis that carries live-stream frames between several hubs (Socket.IO's Redis adapter), so
     * a browser on any hub sees every instance. Unset: one hub, frames stay in the process.
     */
    redisUrl: optStr,
    /** Master key(s) for envelope encryption: `id:base64` (or bare base64) list, newest first. */
    masterKey: optStr,
    masterKeyFile: optStr,
    /** Comma-separated IPs/CIDRs that admin, support and service callers must come from (empty: any). */
    adminIpAllowlist: optStr,
    /** Comma-separated origins allowed by CORS (empty: CORS closed). */
    corsOrigins: optStr,
    /**
     * Reverse proxies whose X-Forwarded-For/-Proto are believed: `false` (none), a hop count
     * (`1`: the one proxy in front; `true` means 1), or IPs/CIDRs of the proxies. Never every hop:
     * a client can prepend anything to X-Forwarded-For.
     */
    trustProxy: z
      .union([z.boolean(), z.number(), z.string(), z.array(z.string())])
      .transform((v, c): false | number | string[] => {
        const s = String(v).trim();
        if (v === false || s === 'false' || s === '0' || s === '') return false;
        if (v === true || s === 'true') return 1;
        if (/^\d+$/.test(s)) return Number(s);
        const list = s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const bad = validAllowlist(list);
        if (bad) {
          c.addIssue({ code: 'custom', message: `a hop count or proxy IPs/CIDRs: ${bad}` });
          return z.NEVER;
        }
        return list;
      })
      .default(false),
    /**
     * SSO issuers (and every URL their discovery names) may be plain http and on loopback or
     * private addresses: for a test identity provider only, never in production.
     */
    ssoAllowInsecureIssuers: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** Origins besides the issuer's own that an SSO authorization endpoint may be on (comma-separated https origins). */
    ssoAuthorizationOrigins: optStr.pipe(
      z
        .string()
        .refine(
          (s) => s.split(',').every((o) => /^https:\/\/[^/?#\s]+$/i.test(o.trim())),
          'comma-separated https origins, e.g. https://login.example.com',
        )
        .optional(),
    ),
    /** DNS servers (ip or ip:port, comma-separated) for SSO domain proofs and issuer look-ups; unset: the system's. */
    dnsServers: optStr.pipe(
      z
        .string()
        .refine(
          (s) =>
            s
              .split(',')
              .every((x) =>
                /^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9a-f:]+\](:\d{1,5})?|[0-9a-f:]+)$/i.test(x.trim()),
              ),
          'comma-separated IP addresses, each with an optional :port, e.g. 1.1.1.1,[2606:4700::1111]:53',
        )
        .optional(),
    ),
    /** Public base URL of the hub (password-reset links, SSO redirect); default: the address the hub listens on. */
    publicUrl: optStr,
    /** Serve the OpenAPI document and UI at /docs (default: on, off when NODE_ENV=production). */
    apiDocs: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .optional(),
    /** Where mail goes: `log` (printed) or an http(s) URL that receives `{to, subject, text}` as JSON. */
    mailTransport: z.string().default('log'),
    /** Sender of the hub's mail. */
    mailFrom: z.string().default('Deep Signal <noreply@localhost>'),
    /** Address replies to ticket mails go to (support+t<token>@…); unset: mails link to the thread only. */
    supportReplyAddress: optStr.pipe(z.email({ error: 'an e-mail address, e.g. support@example.com' }).optional()),
    /** Shared secret of POST /api/v1/inbound/mail (the mail route sends it); unset: the endpoint is off. */
    inboundMailSecret: optStr.pipe(z.string().min(16, 'at least 16 characters').optional()),
    /** Provider API base URLs (onboarding checks keys and tokens there; tests point them at local servers). */
    anthropicUrl: z.url().default('https://api.anthropic.com'),
    openrouterUrl: z.url().default('https://openrouter.ai'),
    telegramUrl: z.url().default('https://api.telegram.org'),
    slackUrl: z.url().default('https://slack.com'),
    /** Alerting: evaluation cadence, stored-data refresh, PagerDuty base URL, delivery retries. */
    alertsEvalSec: z.coerce.number().min(0.1).max(3600).default(5),
    alertsDataRefreshSec: z.coerce.number().min(1).max(3600).default(60),
    pagerdutyUrl: z.url().default('https://events.pagerduty.com'),
    alertsRetrySec: z.coerce.number().min(0).max(3600).default(30),
    alertsMaxAttempts: z.coerce.number().int().min(1).max(20).default(3),
    /** Webhook and Slack channels may call http and private, loopback or link-local addresses (tests, on-prem). */
    alertsAllowPrivateTargets: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** Client event webhooks may call http and private, loopback or link-local addresses (tests, on-prem). */
    webhooksAllowPrivateTargets: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /**
     * Domains partners may serve their clients on (comma-separated; `*.example.com` is any name
     * below example.com). Unset: partners get no custom domains.
     */
    partnerDomains: optStr.pipe(
      z
        .string()
        .refine(
          (s) =>
            s.split(',').every((d) => /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(d.trim())),
          'comma-separated domains, each optionally starting with *., e.g. *.example.com,agents.acme.test',
        )
        .optional(),
    ),
    /** Port the well-known proof of a partner domain is fetched on over http (80; tests use a local server). */
    partnerVerifyHttpPort: port.default(80),
    /** The well-known proof may be fetched from loopback and private addresses (tests, on-prem only). */
    partnerVerifyAllowPrivate: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** Hetzner Cloud project API token: deployments rent client servers with it (unset: no deploys). */
    hetznerToken: optStr,
    hetznerUrl: z.url().default('https://api.hetzner.cloud/v1'),
    /** Image new client servers start from (a name such as debian-12, or a snapshot id). */
    hetznerImage: z.string().min(1).default('debian-12'),
    /** Comma-separated Hetzner SSH key names put on new servers (break-glass; SSH is tailnet-only). */
    hetznerSshKeys: optStr,
    /** Tailscale API access token, or an OAuth client (id + secret) with the auth_keys and devices scopes. */
    tailscaleApiKey: optStr,
    tailscaleOauthClientId: optStr,
    tailscaleOauthClientSecret: optStr,
    tailscaleTailnet: z.string().min(1).default('-'),
    tailscaleUrl: z.url().default('https://api.tailscale.com'),
    /** Comma-separated tags client servers join the tailnet with. */
    tailscaleTags: z
      .string()
      .regex(/^tag:[A-Za-z0-9-]+(,tag:[A-Za-z0-9-]+)*$/, 'tags like tag:deepsignal-client, comma-separated')
      .default('tag:deepsignal-client'),
    /** The hub's HTTP URL as client servers reach it over the tailnet (sidecar bundle, installer). */
    deployHubUrl: optStr.pipe(z.url().optional()),
    /** A prebuilt sidecar bundle to serve instead of building one from this checkout. */
    deploySidecarBundle: optStr,
    deployLocation: z.string().min(1).default('fsn1'),
    deployServerType: z.string().min(1).default('cx22'),
    deployOpenclawVersion: z
      .string()
      .regex(/^[0-9][0-9A-Za-z.+-]*$/, 'a version such as 2026.9.6')
      .default('2026.9.6'),
    /** Seconds a new server has to join the tailnet, for its sidecar to connect, and to take its config. */
    deployJoinTimeoutSec: z.coerce.number().int().min(1).default(600),
    deployConnectTimeoutSec: z.coerce.number().int().min(1).default(900),
    deployConfigureTimeoutSec: z.coerce.number().int().min(1).default(300),
    /** How often deployments poll Hetzner actions and the tailnet (each poll counts against Hetzner's limit). */
    deployPollMs: z.coerce.number().int().min(10).default(2000),
    /** Onboarding deploys on its own (`auto`) or waits for an operator (`operator`). */
    deployApproval: z.enum(['auto', 'operator']).default('operator'),
    /**
     * Warm pool: pre-booted servers kept per location, e.g. `fsn1:2,nbg1:1` (unset: none), so a
     * deploy takes one instead of creating a server.
     */
    warmPool: z
      .string()
      .trim()
      .regex(/^([a-z0-9-]+:\d{1,2}(,[a-z0-9-]+:\d{1,2})*)?$/, 'locations with a count, e.g. fsn1:2,nbg1:1')
      .default(''),
    /** The prepared snapshot id (or image name) pool servers start from (default DS_HETZNER_IMAGE). */
    warmPoolImage: optStr,
    /** The server type of pool servers (default DS_DEPLOY_SERVER_TYPE). */
    warmPoolServerType: optStr,
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
    /** Regional backup stores (JSON: region key -> bucket or dir), see backups/regions.ts. */
    backupStorageRegions: backupRegionsSetting,
    /** Per-instance series on GET /metrics (off for very large fleets: the fleet totals stay). */
    metricsPerInstance: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(true),
    /** Billing: the operator's company details printed on invoices. */
    billingCompanyName: z.string().default('Deep Signal'),
    billingCompanyAddress: z.string().default(''),
    billingCompanyCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'ISO country code, e.g. DE')
      .default('DE'),
    billingCompanyVatId: z.string().default(''),
    billingCompanyEmail: z.string().default(''),
    billingDueDays: z.coerce.number().int().min(0).max(120).default(14),
    /** Hours after a period ends before the hub's own invoice run: the billing agent reviews first. */
    billingReviewHours: z.coerce.number().min(0).max(240).default(6),
    /** After the last reminder (+14 days) pause the agent of a client that has not paid. */
    billingPauseAfterDunning: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** Monthly server cost per instance (cents) when the instance records none. */
    billingVpsMonthlyCents: z.coerce.number().int().min(0).default(1_500),
    /** Backup storage cost per GB-month (cents). */
    billingBackupGbMonthCents: z.coerce.number().int().min(0).default(5),
    /** Stripe API base (a local fake in tests); the official SDK is pointed at it. */
    stripeUrl: optStr.pipe(z.url().optional()),
    stripeSecretKey: optStr,
    stripeWebhookSecret: optStr,
    /** Whether restarts and guarded changes an ops agent issues wait for conversations by default. */
    agentDrain: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(true),
    /** Who approves the learning agent's persona changes: an operator, or the client's owner too. */
    learningApprover: z.enum(['operator', 'owner']).default('operator'),
    /** Start the ops agents beside the hub (`npm start`) as their own process. */
    agents: z.enum(['on', 'off']).default('on'),
    /** Seconds between runs per agent: `orchestrator=60,support=300` (an agent left out keeps its default). */
    agentSchedules: optStr.pipe(
      z
        .string()
        .regex(/^([a-z]+=\d+)(,[a-z]+=\d+)*$/, 'name=seconds pairs, e.g. orchestrator=60,support=300')
        .optional(),
    ),
    /**
     * Requests per window a client's API keys may make, per plan: `plan=perKey/perClient` pairs
     * (`starter=60/120`). A plan left out keeps its default (api-rate-limit.ts).
     */
    apiRateLimits: optStr.pipe(
      z
        .string()
        .regex(
          /^([a-z0-9_-]+=\d+\/\d+)(,[a-z0-9_-]+=\d+\/\d+)*$/,
          'plan=perKey/perClient pairs, e.g. starter=60/120,growth=300/600',
        )
        .optional(),
    ),
    /** The window of those limits, in seconds. */
    apiRateWindowSec: z.coerce.number().int().min(1).max(86_400).default(60),
    /** How long an agent's token lives; the runner rotates it at half its life. */
    agentTokenTtlHours: z.coerce.number().min(0.001).max(8760).default(24),
    /** Blast radius: distinct instances one agent may act on per hour (unless its policy says otherwise). */
    agentMaxInstancesPerHour: z.coerce.number().int().min(1).max(100_000).default(5),
    /** Circuit breaker: failed actions in a row after which an agent is stopped until an admin resets it. */
    agentFailureLimit: z.coerce.number().int().min(1).max(1000).default(3),
    /**
     * npm's bulk advisory endpoint (`POST {package: [versions]}`) the hub asks about the OpenClaw and
     * sidecar versions in the fleet; unset keeps the list it has (empty at first).
     */
    advisoriesUrl: optStr.pipe(z.url().optional()),
    /** Hours between advisory refreshes (with `advisoriesUrl`). */
    advisoriesRefreshHours: z.coerce.number().min(0.01).max(720).default(6),
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
  advisoriesUrl: {
    env: 'DS_ADVISORIES_URL',
    flag: '--advisories-url',
    help: "npm's bulk advisory endpoint for the fleet's versions, e.g. https://registry.npmjs.org/-/npm/v1/security/advisories/bulk (unset: no refresh)",
  },
  advisoriesRefreshHours: {
    env: 'DS_ADVISORIES_REFRESH_HOURS',
    flag: '--advisories-refresh-hours',
    help: 'hours between advisory refreshes (6)',
  },
  agentDrain: {
    env: 'DS_AGENT_DRAIN',
    flag: '--agent-drain',
    help: "agents' restarts and updates wait for conversations unless they say drain:false (true)",
  },
  learningApprover: {
    env: 'DS_LEARNING_APPROVER',
    flag: '--learning-approver',
    help: "who approves the learning agent's persona changes and A/B winners: operator | owner (operator)",
  },
  agents: { env: 'DS_AGENTS', flag: '--agents', help: 'start the ops agents beside the hub: on | off (on)' },
  agentSchedules: {
    env: 'DS_AGENT_SCHEDULES',
    flag: '--agent-schedules',
    help: 'seconds between runs per agent, e.g. orchestrator=60,support=300,security=900,onboarding=300 (those)',
  },
  agentTokenTtlHours: {
    env: 'DS_AGENT_TOKEN_TTL_HOURS',
    flag: '--agent-token-ttl-hours',
    help: "agent tokens' lifetime; rotated at half of it (24)",
  },
  agentMaxInstancesPerHour: {
    env: 'DS_AGENT_MAX_INSTANCES_PER_HOUR',
    flag: '--agent-max-instances-per-hour',
    help: 'blast radius: instances one agent may act on per hour (5)',
  },
  agentFailureLimit: {
    env: 'DS_AGENT_FAILURE_LIMIT',
    flag: '--agent-failure-limit',
    help: 'failed actions in a row that open an agent’s circuit breaker (3)',
  },
  httpPort: { env: 'DS_HTTP_PORT', flag: '--http-port', help: 'API + dashboard + live stream port (8080)' },
  mqttPort: { env: 'DS_MQTT_PORT', flag: '--mqtt-port', help: "embedded broker's TCP port (1883)" },
  bind: { env: 'DS_BIND', flag: '--bind', help: 'address to listen on (127.0.0.1)' },
  dataDir: { env: 'DS_DATA_DIR', flag: '--data-dir', help: 'embedded database and keys (./data)' },
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url', help: 'PostgreSQL instead of the embedded PGlite' },
  pgliteSharedBuffers: {
    env: 'DS_PGLITE_SHARED_BUFFERS',
    flag: '--pglite-shared-buffers',
    help: "embedded database's shared buffers, held in the hub's memory (32MB)",
  },
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
  timescaleScheduler: {
    env: 'DS_TIMESCALE_SCHEDULER',
    flag: '--timescale-scheduler',
    help: 'with TimescaleDB: hub (the hub runs refresh, compression, retention) or timescaledb (its policies) (hub)',
  },
  heartbeatTimeoutSec: {
    env: 'DS_HEARTBEAT_TIMEOUT_SEC',
    flag: '--heartbeat-timeout-sec',
    help: 'silence after which an instance counts as offline (90)',
  },
  ingestThread: {
    env: 'DS_INGEST_THREAD',
    flag: '--ingest-thread',
    help: 'on PostgreSQL: commit metrics in a worker thread with its own connection (false)',
  },
  dashboardDir: { env: 'DS_DASHBOARD_DIR', flag: '--dashboard-dir', help: 'static dashboard export (dashboard/out)' },
  shareGroup: { env: 'DS_SHARE_GROUP', flag: '--share-group', help: 'shared-subscription group (deepsignal-hub)' },
  redisUrl: {
    env: 'DS_REDIS_URL',
    flag: '--redis-url',
    help: 'redis://… carrying live frames between several hubs (unset: one hub)',
  },
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
  trustProxy: {
    env: 'DS_TRUST_PROXY',
    flag: '--trust-proxy',
    help: 'proxies to believe: hop count (true = 1) or proxy IPs/CIDRs (false)',
  },
  ssoAllowInsecureIssuers: {
    env: 'DS_SSO_ALLOW_INSECURE_ISSUERS',
    flag: '--sso-allow-insecure-issuers',
    help: 'SSO issuers may be http and on loopback/private addresses: test IdPs only (false)',
  },
  ssoAuthorizationOrigins: {
    env: 'DS_SSO_AUTHORIZATION_ORIGINS',
    flag: '--sso-authorization-origins',
    help: "https origins an SSO authorization endpoint may be on besides the issuer's (none)",
  },
  dnsServers: {
    env: 'DS_DNS_SERVERS',
    flag: '--dns-servers',
    help: 'DNS servers for SSO domain proofs and issuer look-ups (the system resolver)',
  },
  publicUrl: { env: 'DS_PUBLIC_URL', flag: '--public-url', help: 'public base URL for links (the bound address)' },
  apiDocs: { env: 'DS_API_DOCS', flag: '--api-docs', help: 'serve /docs (on; off when NODE_ENV=production)' },
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
  supportReplyAddress: {
    env: 'DS_SUPPORT_REPLY_ADDRESS',
    flag: '--support-reply-address',
    help: 'address ticket replies are mailed back to (unset: links only)',
  },
  inboundMailSecret: {
    env: 'DS_INBOUND_MAIL_SECRET',
    flag: '--inbound-mail-secret',
    help: 'shared secret of POST /api/v1/inbound/mail (unset: off)',
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
  alertsEvalSec: { env: 'DS_ALERTS_EVAL_SEC', flag: '--alerts-eval-sec', help: 'alert rule evaluation interval (5)' },
  alertsDataRefreshSec: {
    env: 'DS_ALERTS_DATA_REFRESH_SEC',
    flag: '--alerts-data-refresh-sec',
    help: 'how often alert rules re-read logs, replies, usage, backups (60)',
  },
  pagerdutyUrl: {
    env: 'DS_PAGERDUTY_URL',
    flag: '--pagerduty-url',
    help: 'PagerDuty Events API base (https://events.pagerduty.com)',
  },
  alertsRetrySec: {
    env: 'DS_ALERTS_RETRY_SEC',
    flag: '--alerts-retry-sec',
    help: 'seconds between notification tries, times the try number (30)',
  },
  alertsMaxAttempts: {
    env: 'DS_ALERTS_MAX_ATTEMPTS',
    flag: '--alerts-max-attempts',
    help: 'tries per notification before it is marked failed (3)',
  },
  alertsAllowPrivateTargets: {
    env: 'DS_ALERTS_ALLOW_PRIVATE_TARGETS',
    flag: '--alerts-allow-private-targets',
    help: 'let webhook and Slack channels call http and private addresses (false)',
  },
  webhooksAllowPrivateTargets: {
    env: 'DS_WEBHOOKS_ALLOW_PRIVATE_TARGETS',
    flag: '--webhooks-allow-private-targets',
    help: 'let client event webhooks call http and private addresses (false)',
  },
  partnerDomains: {
    env: 'DS_PARTNER_DOMAINS',
    flag: '--partner-domains',
    help: 'domains partners may serve clients on, e.g. *.example.com,agents.acme.test (none)',
  },
  partnerVerifyHttpPort: {
    env: 'DS_PARTNER_VERIFY_HTTP_PORT',
    flag: '--partner-verify-http-port',
    help: 'port of the http well-known proof of partner domains (80)',
  },
  partnerVerifyAllowPrivate: {
    env: 'DS_PARTNER_VERIFY_ALLOW_PRIVATE',
    flag: '--partner-verify-allow-private',
    help: 'fetch the well-known proof from loopback/private addresses: tests only (false)',
  },
  hetznerToken: {
    env: 'DS_HETZNER_TOKEN',
    flag: '--hetzner-token',
    help: 'Hetzner Cloud API token (unset: no deploys)',
  },
  hetznerUrl: { env: 'DS_HETZNER_URL', flag: '--hetzner-url', help: 'Hetzner API base (https://api.hetzner.cloud/v1)' },
  hetznerImage: { env: 'DS_HETZNER_IMAGE', flag: '--hetzner-image', help: 'image of new client servers (debian-12)' },
  hetznerSshKeys: {
    env: 'DS_HETZNER_SSH_KEYS',
    flag: '--hetzner-ssh-keys',
    help: 'Hetzner SSH key names for new servers (none)',
  },
  tailscaleApiKey: { env: 'DS_TAILSCALE_API_KEY', flag: '--tailscale-api-key', help: 'Tailscale API access token' },
  tailscaleOauthClientId: {
    env: 'DS_TAILSCALE_OAUTH_CLIENT_ID',
    flag: '--tailscale-oauth-client-id',
    help: 'Tailscale OAuth client id (instead of an API key)',
  },
  tailscaleOauthClientSecret: {
    env: 'DS_TAILSCALE_OAUTH_CLIENT_SECRET',
    flag: '--tailscale-oauth-client-secret',
    help: 'Tailscale OAuth client secret',
  },
  tailscaleTailnet: {
    env: 'DS_TAILSCALE_TAILNET',
    flag: '--tailscale-tailnet',
    help: 'tailnet name (- : the key’s own)',
  },
  tailscaleUrl: {
    env: 'DS_TAILSCALE_URL',
    flag: '--tailscale-url',
    help: 'Tailscale API base (https://api.tailscale.com)',
  },
  tailscaleTags: {
    env: 'DS_TAILSCALE_TAGS',
    flag: '--tailscale-tags',
    help: 'tags of client servers (tag:deepsignal-client)',
  },
  deployHubUrl: {
    env: 'DS_DEPLOY_HUB_URL',
    flag: '--deploy-hub-url',
    help: 'hub HTTP URL over the tailnet, for new servers (public URL)',
  },
  deploySidecarBundle: {
    env: 'DS_DEPLOY_SIDECAR_BUNDLE',
    flag: '--deploy-sidecar-bundle',
    help: 'prebuilt sidecar bundle file servers get and sidecar.update installs (built from this checkout)',
  },
  deployLocation: { env: 'DS_DEPLOY_LOCATION', flag: '--deploy-location', help: 'default Hetzner location (fsn1)' },
  deployServerType: { env: 'DS_DEPLOY_SERVER_TYPE', flag: '--deploy-server-type', help: 'default server type (cx22)' },
  deployOpenclawVersion: {
    env: 'DS_DEPLOY_OPENCLAW_VERSION',
    flag: '--deploy-openclaw-version',
    help: 'OpenClaw version new servers install (2026.9.6)',
  },
  deployJoinTimeoutSec: {
    env: 'DS_DEPLOY_JOIN_TIMEOUT_SEC',
    flag: '--deploy-join-timeout-sec',
    help: 'seconds for a new server to join the tailnet (600)',
  },
  deployConnectTimeoutSec: {
    env: 'DS_DEPLOY_CONNECT_TIMEOUT_SEC',
    flag: '--deploy-connect-timeout-sec',
    help: 'seconds for its sidecar to connect (900)',
  },
  deployConfigureTimeoutSec: {
    env: 'DS_DEPLOY_CONFIGURE_TIMEOUT_SEC',
    flag: '--deploy-configure-timeout-sec',
    help: 'seconds for it to confirm the client config (300)',
  },
  deployPollMs: { env: 'DS_DEPLOY_POLL_MS', flag: '--deploy-poll-ms', help: 'deployment polling interval (2000)' },
  deployApproval: {
    env: 'DS_DEPLOY_APPROVAL',
    flag: '--deploy-approval',
    help: 'onboarding deploys: auto | operator (operator)',
  },
  warmPool: {
    env: 'DS_WARM_POOL',
    flag: '--warm-pool',
    help: 'pre-booted servers per location, e.g. fsn1:2,nbg1:1 (none)',
  },
  warmPoolImage: {
    env: 'DS_WARM_POOL_IMAGE',
    flag: '--warm-pool-image',
    help: 'prepared snapshot id pool servers start from (DS_HETZNER_IMAGE)',
  },
  warmPoolServerType: {
    env: 'DS_WARM_POOL_SERVER_TYPE',
    flag: '--warm-pool-server-type',
    help: 'server type of pool servers (DS_DEPLOY_SERVER_TYPE)',
  },
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
  apiRateLimits: {
    env: 'DS_API_RATE_LIMITS',
    flag: '--api-rate-limits',
    help: 'client API key requests per window, plan=perKey/perClient (starter=60/120,growth=300/600,enterprise=1200/2400)',
  },
  apiRateWindowSec: {
    env: 'DS_API_RATE_WINDOW_SEC',
    flag: '--api-rate-window-sec',
    help: 'window of the client API key limits in seconds (60)',
  },
  backupStorageRegions: {
    env: 'DS_BACKUP_STORAGE_REGIONS',
    flag: '--backup-storage-regions',
    help: 'JSON: location, country or network zone -> {bucket,endpoint,…} or {dir} (none)',
  },
  metricsPerInstance: {
    env: 'DS_METRICS_PER_INSTANCE',
    flag: '--metrics-per-instance',
    help: 'per-instance series on /metrics (true; false keeps fleet totals only)',
  },
  billingCompanyName: {
    env: 'DS_BILLING_COMPANY_NAME',
    flag: '--billing-company-name',
    help: 'seller on invoices (Deep Signal)',
  },
  billingCompanyAddress: {
    env: 'DS_BILLING_COMPANY_ADDRESS',
    flag: '--billing-company-address',
    help: 'seller address, lines split by |',
  },
  billingCompanyCountry: {
    env: 'DS_BILLING_COMPANY_COUNTRY',
    flag: '--billing-company-country',
    help: 'seller country, sets VAT (DE)',
  },
  billingCompanyVatId: {
    env: 'DS_BILLING_COMPANY_VAT_ID',
    flag: '--billing-company-vat-id',
    help: 'seller VAT id on invoices',
  },
  billingCompanyEmail: {
    env: 'DS_BILLING_COMPANY_EMAIL',
    flag: '--billing-company-email',
    help: 'seller contact on invoices',
  },
  billingDueDays: { env: 'DS_BILLING_DUE_DAYS', flag: '--billing-due-days', help: 'invoice payment term in days (14)' },
  billingReviewHours: {
    env: 'DS_BILLING_REVIEW_HOURS',
    flag: '--billing-review-hours',
    help: 'hours after a period ends before the hub runs the invoices itself (6): time for review',
  },
  billingPauseAfterDunning: {
    env: 'DS_BILLING_PAUSE_AFTER_DUNNING',
    flag: '--billing-pause-after-dunning',
    help: 'pause unpaid agents after the last reminder (false)',
  },
  billingVpsMonthlyCents: {
    env: 'DS_BILLING_VPS_MONTHLY_CENTS',
    flag: '--billing-vps-monthly-cents',
    help: 'server cost per instance when unknown (1500)',
  },
  billingBackupGbMonthCents: {
    env: 'DS_BILLING_BACKUP_GB_MONTH_CENTS',
    flag: '--billing-backup-gb-month-cents',
    help: 'backup storage cost per GB-month (5)',
  },
  stripeUrl: { env: 'DS_STRIPE_URL', flag: '--stripe-url', help: 'Stripe API base URL (https://api.stripe.com)' },
  stripeSecretKey: {
    env: 'DS_STRIPE_SECRET_KEY',
    flag: '--stripe-secret-key',
    help: 'Stripe secret key (unset: no Stripe)',
  },
  stripeWebhookSecret: {
    env: 'DS_STRIPE_WEBHOOK_SECRET',
    flag: '--stripe-webhook-secret',
    help: 'whsec_… to verify webhooks',
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
