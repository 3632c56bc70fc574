import { defineConfig } from 'drizzle-kit';

// Migrations are generated (`npm run db:generate`), committed under migrations/, and applied with
// migrate() at start-up and in tests. Never `drizzle-kit push`.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema.ts',
  out: './migrations',
});
