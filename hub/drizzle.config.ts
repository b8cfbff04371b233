import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config hub/drizzle.config.ts --name <what>` writes a new versioned
// migration. The core tables are in src/db/schema.ts; each feature that adds tables keeps them in
// its own file under src/db/tables/.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./hub/src/db/schema.ts', './hub/src/db/tables/*.ts'],
  out: './hub/drizzle',
});
