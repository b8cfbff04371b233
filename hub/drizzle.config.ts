import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config hub/drizzle.config.ts` writes a new versioned migration.
export default defineConfig({
  dialect: 'postgresql',
  schema: './hub/src/db/schema.ts',
  out: './hub/drizzle',
});
