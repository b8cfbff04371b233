import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { partners } from './tables/partners.js';

/**
 * The hub's tables. Migrations are generated from this file with `drizzle-kit generate`
 * (see hub/README.md) and applied at start by db/migrate.ts. Tables are unqualified so a whole
 * hub can live in any PostgreSQL schema (search_path), which the tests use for isolation.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const created = () => ts('created_at').notNull().defaultNow();

export const clients = pgTable('clients', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  industry: text('industry').notNull().default(''),
  plan: text('plan').notNull().default('starter'),
  status: text('status').notNull().default('onboarding'),
  /** Hetzner location the client's servers run in (data residency), with its city and country. */
  location: text('location'),
  locationCity: text('location_city'),
  locationCountry: text('location_country'),
  /** The partner reselling this client, null for Deep Signal's own clients. */
  partnerId: text('partner_id').references(() => partners.id, { onDelete: 'restrict' }),
  createdAt: created(),
});

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role').notNull(),
  clientId: text('client_id').references(() => clients.id, { onDelete: 'cascade' }),
  /** Set for partner users (partner_admin, partner_viewer): the partner whose clients they see. */
  partnerId: text('partner_id').references(() => partners.id, { onDelete: 'cascade' }),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: created(),
});

/** Login sessions; `id` is the sha256 of the bearer token (the token itself is never stored). */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: created(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const instances = pgTable(
  'instances',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    hostname: text('hostname').notNull(),
    /** Presence as last reported (retained status / last will): online | offline | null (never). */
    presence: text('presence'),
    lastSeen: ts('last_seen'),
    paused: boolean('paused').notNull().default(false),
    sidecarVersion: text('sidecar_version'),
    openclawVersion: text('openclaw_version'),
    capabilities: jsonb('capabilities').$type<string[]>(),
    hello: jsonb('hello').$type<Record<string, unknown>>(),
    openclaw: jsonb('openclaw').$type<Record<string, unknown>>(),
    /** Operator labels (`region: eu`, …) that rollout selectors match. */
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    createdAt: created(),
  },
  (t) => [index('instances_client_idx').on(t.clientId)],
);

/** MQTT credentials of an instance; only a slow hash of the secret is kept. */
export const instanceCredentials = pgTable('instance_credentials', {
  instanceId: text('instance_id')
    .primaryKey()
    .references(() => instances.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull(),
  createdAt: created(),
  rotatedAt: ts('rotated_at'),
  /** A new secret staged by credentials.rotate; both are valid until the new one is used. [SPEC 6.6] */
  nextSecretHash: text('next_secret_hash'),
  /**
   * The same secret in Mosquitto's password-file format ($7$, PBKDF2-SHA512), computed when the
   * secret is created or staged, so an external broker's password file can be exported without
   * the hub ever storing the secret. Null for secrets made before this column existed.
   */
  mosquittoHash: text('mosquitto_hash'),
  /** Mosquitto-format hash of the staged secret. */
  nextMosquittoHash: text('next_mosquitto_hash'),
});

/** Metric columns: the API metric names (protocol API_METRICS), one wide row per sample. */
const metricColumns = () => ({
  cpu: real('cpu'),
  memory: real('memory'),
  disk: real('disk'),
  load1: real('load1'),
  load5: real('load5'),
  load15: real('load15'),
  swap: real('swap'),
  netRx: doublePrecision('net_rx'),
  netTx: doublePrecision('net_tx'),
  uptime: doublePrecision('uptime'),
  openclawCpu: real('openclaw_cpu'),
  openclawRss: doublePrecision('openclaw_rss'),
});

export const metricSamples = pgTable(
  'metric_samples',
  { instanceId: text('instance_id').notNull(), t: ts('t').notNull(), ...metricColumns() },
  (t) => [index('metric_samples_instance_t_idx').on(t.instanceId, t.t)],
);

/** Rollups the hub maintains itself on plain PostgreSQL/PGlite (averages; `samples` weights them). */
export const metricRollups1m = pgTable(
  'metric_rollups_1m',
  {
    instanceId: text('instance_id').notNull(),
    bucket: ts('bucket').notNull(),
    samples: integer('samples').notNull(),
    ...metricColumns(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.bucket] })],
);

export const metricRollups1h = pgTable(
  'metric_rollups_1h',
  {
    instanceId: text('instance_id').notNull(),
    bucket: ts('bucket').notNull(),
    samples: integer('samples').notNull(),
    ...metricColumns(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.bucket] })],
);

export const logLines = pgTable(
  'log_lines',
  {
    instanceId: text('instance_id').notNull(),
    t: ts('t').notNull(),
    level: text('level').notNull(),
    subsystem: text('subsystem').notNull().default(''),
    msg: text('msg').notNull(),
  },
  (t) => [index('log_lines_instance_t_idx').on(t.instanceId, t.t)],
);

export const conversationMessages = pgTable(
  'conversation_messages',
  {
    instanceId: text('instance_id').notNull(),
    messageId: text('message_id').notNull(),
    t: ts('t').notNull(),
    sessionKey: text('session_key').notNull(),
    channel: text('channel').notNull(),
    role: text('role').notNull(),
    text: text('text').notNull(),
    tokensIn: integer('tokens_in').notNull().default(0),
    tokensOut: integer('tokens_out').notNull().default(0),
    cost: doublePrecision('cost').notNull().default(0),
    model: text('model'),
    provider: text('provider'),
    latencyMs: integer('latency_ms'),
    /** Set on a failed assistant reply (OpenClaw's stopReason "error"): the provider's message. */
    error: text('error'),
    /** [-1, 1] from the text, scored at ingest; null when nothing in it can be scored. */
    sentiment: doublePrecision('sentiment'),
  },
  // [SPEC 5.5] each (instance, messageId) is stored once.
  (t) => [
    primaryKey({ columns: [t.instanceId, t.messageId] }),
    index('conversation_messages_instance_t_idx').on(t.instanceId, t.t),
  ],
);

export const events = pgTable(
  'events',
  {
    instanceId: text('instance_id').notNull(),
    t: ts('t').notNull(),
    type: text('type').notNull(),
    severity: text('severity').notNull(),
    message: text('message').notNull().default(''),
    data: jsonb('data'),
  },
  (t) => [index('events_instance_t_idx').on(t.instanceId, t.t)],
);

/** Per (instance, boot, stream): highest seq such that every seq up to it is committed. [SPEC 4.2] */
export const ingestCursors = pgTable(
  'ingest_cursors',
  {
    instanceId: text('instance_id').notNull(),
    bootId: text('boot_id').notNull(),
    stream: text('stream').notNull(),
    contiguous: bigint('contiguous', { mode: 'number' }).notNull().default(-1),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.bootId, t.stream] })],
);

/** Seqs committed above a cursor (out of order); pruned once the cursor passes them. [SPEC 4.1] */
export const ingestSeen = pgTable(
  'ingest_seen',
  {
    instanceId: text('instance_id').notNull(),
    bootId: text('boot_id').notNull(),
    stream: text('stream').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.bootId, t.stream, t.seq] })],
);

/** Seqs a sidecar dropped before they reached the hub (seen through `base`). [SPEC 4.3] */
export const ingestGaps = pgTable('ingest_gaps', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  instanceId: text('instance_id').notNull(),
  bootId: text('boot_id').notNull(),
  stream: text('stream').notNull(),
  fromSeq: bigint('from_seq', { mode: 'number' }).notNull(),
  toSeq: bigint('to_seq', { mode: 'number' }).notNull(),
  detectedAt: created(),
});

export const commands = pgTable(
  'commands',
  {
    id: text('id').primaryKey(),
    instanceId: text('instance_id')
      .notNull()
      .references(() => instances.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull(),
    issuedBy: text('issued_by').notNull(),
    idempotencyKey: text('idempotency_key'),
    issuedAt: ts('issued_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    deliveredAt: ts('delivered_at'),
    updatedAt: ts('updated_at').notNull(),
    progress: jsonb('progress'),
    result: jsonb('result'),
    error: jsonb('error').$type<{ code: string; message: string }>(),
    /** Secret params (protocol secretParams), sealed with the client key; params holds them redacted. */
    sealedParams: text('sealed_params'),
    /** The rollout that issued it, if any. */
    rolloutId: text('rollout_id'),
  },
  (t) => [
    index('commands_instance_idx').on(t.instanceId, t.issuedAt),
    index('commands_status_idx').on(t.status, t.expiresAt),
    uniqueIndex('commands_idempotency_idx').on(t.instanceId, t.idempotencyKey),
  ],
);

/** Every report a sidecar sent about a command (the command row holds the latest). */
export const commandResults = pgTable(
  'command_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    commandId: text('command_id').notNull(),
    t: ts('t').notNull(),
    state: text('state').notNull(),
    progress: jsonb('progress'),
    result: jsonb('result'),
    error: jsonb('error'),
  },
  (t) => [index('command_results_command_idx').on(t.commandId)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    t: created(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    clientId: text('client_id'),
    detail: jsonb('detail'),
  },
  (t) => [index('audit_log_t_idx').on(t.t)],
);

/** "Get help" requests from a client's people to the operator. */
export const supportRequests = pgTable(
  'support_requests',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    instanceId: text('instance_id'),
    userId: text('user_id'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status').notNull().default('open'),
    createdAt: created(),
  },
  (t) => [index('support_requests_client_idx').on(t.clientId, t.createdAt)],
);

/** Per-user login throttling: consecutive failures and a temporary lock. */
export const loginAttempts = pgTable('login_attempts', {
  email: text('email').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lockedUntil: ts('locked_until'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * API tokens of service accounts (and anyone an admin issues one to) and clients' API keys
 * (`clientId` set, `userId` the owner who made it); only a sha256 is stored.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** A client's API key: it acts for this client only and is managed by its owners. */
    clientId: text('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** The token's first characters, shown in listings (null for tokens minted before it was kept). */
    prefix: text('prefix'),
    /** `read` and/or `command:<type>`; empty means nothing at all. */
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: created(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId), index('api_tokens_client_idx').on(t.clientId)],
);

/** One-time password-reset links; only a sha256 of the token is stored. */
export const passwordResets = pgTable('password_resets', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: created(),
});

/** A client's security and data settings: IP allowlist, retention, single sign-on. */
export const clientSettings = pgTable('client_settings', {
  clientId: text('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  ipAllowlist: jsonb('ip_allowlist').$type<string[]>().notNull().default([]),
  retentionConversationsDays: integer('retention_conversations_days'),
  retentionLogsDays: integer('retention_logs_days'),
  /** OpenID Connect: issuer, clientId, allowedDomain (its client secret is a sealed secret). */
  oidc: jsonb('oidc').$type<Record<string, unknown>>(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Hub-wide settings that change at run time (e.g. the admin IP allowlist). */
export const hubSettings = pgTable('hub_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Envelope encryption: each client's data key, wrapped by the master key (or the client's own KEK). */
export const clientKeys = pgTable('client_keys', {
  clientId: text('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  /** `v1.<kekId>.<iv>.<tag>.<ciphertext>` (base64url parts). */
  wrappedKey: text('wrapped_key').notNull(),
  /** A client-supplied key-encryption key, itself wrapped by the master key; null = master only. */
  clientKek: text('client_kek'),
  createdAt: created(),
  rotatedAt: ts('rotated_at'),
});

/** Client secrets (model-provider keys, channel tokens), sealed with the client's data key. */
export const clientSecrets = pgTable(
  'client_secrets',
  {
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    sealed: text('sealed').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.name] })],
);

/** A command sent to many instances in waves, with an abort threshold (AWS IoT Jobs style). */
export const rollouts = pgTable(
  'rollouts',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** Params as validated, secret ones redacted (they are not allowed in rollouts). */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    target: jsonb('target').$type<Record<string, unknown>>().notNull(),
    waveSize: integer('wave_size').notNull(),
    pauseBetweenSec: integer('pause_between_sec').notNull(),
    maxFailureRate: doublePrecision('max_failure_rate').notNull(),
    minExecuted: integer('min_executed').notNull(),
    expiresInSec: integer('expires_in_sec'),
    /** running | paused | aborted | completed */
    status: text('status').notNull(),
    /** Index of the wave started last (-1 before the first). */
    currentWave: integer('current_wave').notNull().default(-1),
    /** When the next wave may start (after the pause between waves). */
    nextWaveAt: ts('next_wave_at'),
    reason: text('reason'),
    createdBy: text('created_by').notNull(),
    createdByEmail: text('created_by_email').notNull(),
    createdAt: created(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('rollouts_status_idx').on(t.status)],
);

/** One instance of a rollout: its wave, its command and its state (pending/skipped or the command's). */
export const rolloutItems = pgTable(
  'rollout_items',
  {
    rolloutId: text('rollout_id')
      .notNull()
      .references(() => rollouts.id, { onDelete: 'cascade' }),
    instanceId: text('instance_id').notNull(),
    wave: integer('wave').notNull(),
    position: integer('position').notNull(),
    commandId: text('command_id'),
    status: text('status').notNull(),
    reason: text('reason'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.instanceId] }), index('rollout_items_command_idx').on(t.commandId)],
);

/** Operator broadcasts shown on client dashboards; `clientIds` null means every client. */
export const announcements = pgTable(
  'announcements',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    level: text('level').notNull(),
    clientIds: jsonb('client_ids').$type<string[]>(),
    rolloutId: text('rollout_id'),
    createdBy: text('created_by').notNull(),
    createdAt: created(),
  },
  (t) => [index('announcements_created_idx').on(t.createdAt)],
);

/** Console sessions (recorded as asciicast v2 files under the data directory). */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    id: text('id').primaryKey(),
    instanceId: text('instance_id').notNull(),
    clientId: text('client_id'),
    userId: text('user_id').notNull(),
    commandId: text('command_id'),
    status: text('status').notNull(),
    cols: integer('cols').notNull(),
    rows: integer('rows').notNull(),
    openedAt: created(),
    closedAt: ts('closed_at'),
    exitCode: integer('exit_code'),
    reason: text('reason'),
    bytesOut: bigint('bytes_out', { mode: 'number' }).notNull().default(0),
    recording: text('recording'),
  },
  (t) => [index('console_sessions_instance_idx').on(t.instanceId, t.openedAt)],
);

/** Backups of an instance's OpenClaw state, stored in the data directory or S3-compatible storage. */
export const backups = pgTable(
  'backups',
  {
    id: text('id').primaryKey(),
    instanceId: text('instance_id').notNull(),
    clientId: text('client_id'),
    commandId: text('command_id'),
    /** pending | receiving | ready | failed */
    status: text('status').notNull(),
    size: bigint('size', { mode: 'number' }),
    sha256: text('sha256'),
    files: integer('files'),
    storageKey: text('storage_key'),
    /** The regional store the archive is in (a DS_BACKUP_STORAGE_REGIONS key); null: the default store. */
    storageRegion: text('storage_region'),
    scheduled: boolean('scheduled').notNull().default(false),
    error: text('error'),
    createdBy: text('created_by').notNull(),
    createdAt: created(),
    completedAt: ts('completed_at'),
  },
  (t) => [index('backups_instance_idx').on(t.instanceId, t.createdAt)],
);

/**
 * A client's onboarding: progress through the eight screens and the desired configuration of its
 * agent (no secrets here: provider keys and channel tokens are sealed in client_secrets). Every
 * change bumps `revision`; `applied` holds, per instance, the revision its config.apply echoed.
 */
export const onboarding = pgTable('onboarding', {
  clientId: text('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  useCase: text('use_case').notNull().default(''),
  /** Screens finished, by name (company, provider, model, channels, personality, test, success). */
  completed: jsonb('completed').$type<string[]>().notNull().default([]),
  /** Desired state without secrets: provider, model, volume, channels, identity, persona. */
  desired: jsonb('desired').$type<Record<string, unknown>>().notNull().default({}),
  revision: integer('revision').notNull().default(0),
  /** instanceId -> { revision, commandId, status, error, at } of the latest config.apply. */
  applied: jsonb('applied').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: created(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  completedAt: ts('completed_at'),
});
