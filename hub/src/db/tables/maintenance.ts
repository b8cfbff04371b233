import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A client's maintenance window: once (no days) or weekly on some days, at a local time in a
 * time zone, for a duration. While it is open the rules it names (all when empty) do not notify.
 */
export const maintenanceWindows = pgTable('maintenance_windows', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull(),
  /** First local day, YYYY-MM-DD. */
  startDate: text('start_date').notNull(),
  /** Local start time, HH:MM. */
  startTime: text('start_time').notNull(),
  durationMin: integer('duration_min').notNull(),
  /** Weekdays 0 (Sunday)…6 for a weekly window; empty for a single one. */
  days: jsonb('days').$type<number[]>().notNull().default([]),
  /** Last local day a weekly window recurs on (inclusive), or null. */
  untilDate: text('until_date'),
  /** Rule ids it mutes; empty = every rule. */
  ruleIds: jsonb('rule_ids').$type<string[]>().notNull().default([]),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
