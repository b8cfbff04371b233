import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Partners: resellers above clients. A partner owns clients (`clients.partner_id`) and has its
 * own users (`users.partner_id`); clients without a partner are Deep Signal's own.
 */
export const partners = pgTable('partners', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
