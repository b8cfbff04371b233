import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * Alerting: rules, their alert instances (one per label set), silences, notification channels,
 * notification groups and the delivery outbox. Everything that must survive a restart (what is
 * firing, what was already sent, what is still to send) is here.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A rule: built-in ones have their kind as id and can be edited, not deleted. */
export const alertRules = pgTable('alert_rules', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  name: text('name').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  builtin: boolean('builtin').notNull().default(false),
  /** The rule's threshold in its own unit (percent, seconds, per minute, ratio…). */
  threshold: doublePrecision('threshold'),
  forSec: integer('for_sec').notNull().default(0),
  keepFiringSec: integer('keep_firing_sec').notNull().default(0),
  /** critical | error | warning | info */
  severity: text('severity').notNull(),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  /** summary / description templates: {{instance}}, {{client}}, {{value}}, {{hostname}}, {{threshold}}. */
  annotations: jsonb('annotations').$type<Record<string, string>>().notNull().default({}),
  /** fleet | client | instance, with scopeId the client or instance. */
  scope: text('scope').notNull().default('fleet'),
  scopeId: text('scope_id'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** One alert: a rule's series keyed by the fingerprint of its labels. */
export const alertInstances = pgTable(
  'alert_instances',
  {
    id: text('id').primaryKey(),
    ruleId: text('rule_id').notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull(),
    annotations: jsonb('annotations').$type<Record<string, string>>().notNull().default({}),
    clientId: text('client_id'),
    instanceId: text('instance_id'),
    /** inactive | pending | firing | resolved | nodata */
    state: text('state').notNull(),
    severity: text('severity').notNull(),
    value: doublePrecision('value'),
    activeAt: ts('active_at'),
    firedAt: ts('fired_at'),
    resolvedAt: ts('resolved_at'),
    /** Last evaluation that found the condition true (keep-firing counts from it). */
    lastTrueAt: ts('last_true_at'),
    ackedBy: text('acked_by'),
    ackedAt: ts('acked_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('alert_instances_state_idx').on(t.state), index('alert_instances_client_idx').on(t.clientId)],
);

/** State changes of alerts, for the history timeline. */
export const alertHistory = pgTable(
  'alert_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: text('alert_id').notNull(),
    ruleId: text('rule_id').notNull(),
    clientId: text('client_id'),
    instanceId: text('instance_id'),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    value: doublePrecision('value'),
    t: ts('t').notNull(),
  },
  (t) => [index('alert_history_t_idx').on(t.t), index('alert_history_alert_idx').on(t.alertId, t.t)],
);

/** Alertmanager-style silence: label matchers, a time range, who and why. */
export const alertSilences = pgTable('alert_silences', {
  id: text('id').primaryKey(),
  /** [{name, value, isRegex, isEqual}] */
  matchers: jsonb('matchers').$type<{ name: string; value: string; isRegex: boolean; isEqual: boolean }[]>().notNull(),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at').notNull(),
  createdBy: text('created_by').notNull(),
  comment: text('comment').notNull(),
  clientId: text('client_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Where notifications go. `clientId` set: a client's own channel, which only gets that client's alerts. */
export const notificationChannels = pgTable('notification_channels', {
  id: text('id').primaryKey(),
  clientId: text('client_id'),
  type: text('type').notNull(),
  name: text('name').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** Type-specific: routingKey, url, secret, to. */
  config: jsonb('config').$type<Record<string, unknown>>().notNull(),
  /** Route: severities, clientIds, ruleIds, label matchers; empty = everything in reach. */
  route: jsonb('route').$type<Record<string, unknown>>().notNull().default({}),
  /** Grouping as Alertmanager: labels, wait, interval, repeat. */
  groupBy: jsonb('group_by').$type<string[]>().notNull().default(['alertname', 'client']),
  groupWaitSec: integer('group_wait_sec').notNull().default(10),
  groupIntervalSec: integer('group_interval_sec').notNull().default(60),
  repeatIntervalSec: integer('repeat_interval_sec').notNull().default(14_400),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** A notification group of a channel: what was last sent, so a restart does not send it again. */
export const notificationGroups = pgTable(
  'notification_groups',
  {
    channelId: text('channel_id').notNull(),
    groupKey: text('group_key').notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull(),
    firstAt: ts('first_at').notNull(),
    lastSentAt: ts('last_sent_at'),
    /** Fingerprints of the firing alerts in the last notification. */
    sentFiring: jsonb('sent_firing').$type<string[]>().notNull().default([]),
    /** Every firing alert of the group is acknowledged (repeats stop; PagerDuty got `acknowledge`). */
    acked: boolean('acked').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.groupKey] })],
);

/** Deliveries to send or sent: attempts and the next attempt survive restarts; failures stay visible. */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id').notNull(),
    /** alert | test */
    kind: text('kind').notNull(),
    /** trigger | resolve | acknowledge */
    action: text('action').notNull(),
    groupKey: text('group_key'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** pending | sent | failed */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    response: text('response'),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    index('notification_outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('notification_outbox_channel_idx').on(t.channelId, t.createdAt),
  ],
);
