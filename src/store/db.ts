/**
 * Opens the SQLite database (WAL, foreign keys, busy timeout) and applies the committed Drizzle
 * migrations with migrate() — never `push`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema>;

/** migrations/ sits at the package root, both for src/store (ts) and dist/store (js). */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', '..', 'migrations');

export interface DatabaseHandle {
  db: Db;
  sqlite: Database.Database;
  path: string;
  close(): void;
}

export function openDatabase(dbPath: string, options: { readonly?: boolean } = {}): DatabaseHandle {
  if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
  const sqlite = new Database(dbPath, { readonly: options.readonly ?? false });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // Up to 32 MB of page cache (default 2 MB): history reads (diffs, run views) touch many pages.
  sqlite.pragma('cache_size = -32768');
  const db = drizzle(sqlite, { schema });
  return {
    db,
    sqlite,
    path: dbPath,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

export function applyMigrations(handle: DatabaseHandle): void {
  migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/** Number of migrations committed in migrations/ (from drizzle's journal). */
export function expectedMigrationCount(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Readiness: the database answers and every committed migration has been applied. */
export function databaseReadiness(handle: DatabaseHandle): { ok: boolean; reason?: string } {
  try {
    handle.sqlite.prepare('SELECT 1').get();
    const hasTable = handle.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'")
      .get();
    if (!hasTable) return { ok: false, reason: 'migrations have not been applied' };
    const row = handle.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number };
    const expected = expectedMigrationCount();
    if (row.n < expected) return { ok: false, reason: `${row.n} of ${expected} migrations applied` };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `database unavailable: ${(error as Error).message}` };
  }
}
