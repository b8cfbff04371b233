import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Leases of the hubs sharing one database: the hub holding a name's lease (until it expires or is
 * renewed) is the one that runs that name's work, e.g. the fleet-wide jobs (cluster/lease.ts).
 */
export const hubLeases = pgTable('hub_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});
