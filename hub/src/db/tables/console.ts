import { bigint, customType, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * A closed console session's recording (asciicast v2, gzipped), kept in the database so every hub
 * serves it, whichever hub the session ran through. While a session is open its recording is a
 * file of the hub holding it (`DS_DATA_DIR/recordings`); the file goes once the row is written.
 */
export const consoleRecordings = pgTable('console_recordings', {
  sessionId: text('session_id').primaryKey(),
  gz: bytea('gz').notNull(),
  /** Size of the recording before compression. */
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  storedAt: timestamp('stored_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
