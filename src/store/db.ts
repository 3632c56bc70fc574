/**
 * Opens the SQLite database (WAL, foreign keys, busy timeout) and applies the committed Drizzle
 * migrations with migrate() — never `push`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { StoreError, toStoreError } from './errors';
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

/**
 * SQLite's page cache per connection (its default is 2 MB): history reads (diffs, run views) touch
 * many pages. The recording worker's connection, which mostly writes, asks for less.
 */
export const PAGE_CACHE_MB = 32;

/** busy_timeout of the connection: how long a write waits for another process's write lock. */
const BUSY_TIMEOUT_MS = 5000;
/** The readiness probe waits less: a long wait would block the event loop; another writer means the database is writable. */
const PROBE_BUSY_TIMEOUT_MS = 500;

/**
 * Opens the database; a failure (folder cannot be created, not a database, read-only file, …) is a
 * StoreError naming the path and the SQLite or file-system code.
 */
export function openDatabase(dbPath: string, options: { readonly?: boolean; pageCacheMb?: number } = {}): DatabaseHandle {
  let sqlite: Database.Database | undefined;
  try {
    if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
    sqlite = new Database(dbPath, { readonly: options.readonly ?? false });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('synchronous = NORMAL');
    // A negative cache_size is in KiB.
    sqlite.pragma(`cache_size = -${Math.round((options.pageCacheMb ?? PAGE_CACHE_MB) * 1024)}`);
  } catch (error) {
    if (sqlite?.open) sqlite.close();
    throw toStoreError(error, dbPath, 'open');
  }
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
  try {
    migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    // drizzle wraps SQLite's error ("Failed to run the query …"): keep SQLite's code and message.
    const cause = (error as { cause?: unknown }).cause ?? error;
    const wrapped = toStoreError(cause, handle.path, 'apply the migrations to');
    throw wrapped instanceof StoreError ? wrapped : error;
  }
}

/** Number of migrations committed in migrations/ (from drizzle's journal). */
export function expectedMigrationCount(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/**
 * Readiness: the database answers, every committed migration has been applied, and it can be
 * written (probeWrite).
 */
export function databaseReadiness(handle: DatabaseHandle, now: number): { ok: boolean; reason?: string } {
  try {
    handle.sqlite.prepare('SELECT 1').get();
    const hasTable = handle.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'")
      .get();
    if (!hasTable) return { ok: false, reason: 'migrations have not been applied' };
    const row = handle.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number };
    const expected = expectedMigrationCount();
    if (row.n < expected) return { ok: false, reason: `${row.n} of ${expected} migrations applied` };
  } catch (error) {
    const failure = toStoreError(error, handle.path, 'read');
    return { ok: false, reason: failure instanceof StoreError ? failure.message : `database unavailable: ${(error as Error).message}` };
  }
  try {
    probeWrite(handle, now);
    return { ok: true };
  } catch (error) {
    const failure = toStoreError(error, handle.path, 'write');
    return { ok: false, reason: failure instanceof StoreError ? failure.message : `database unavailable: ${(error as Error).message}` };
  }
}

/**
 * At start-up: a file SQLite could only open read-only (an immutable file, a read-only mount) opens
 * without an error, so prove now that a write commits rather than fail at the first scan.
 */
export function assertWritable(handle: DatabaseHandle, now: number): void {
  try {
    probeWrite(handle, now);
  } catch (error) {
    throw toStoreError(error, handle.path, 'write');
  }
}

/**
 * Proves that a write can be committed, cheaply and without growing the file:
 * - inside a savepoint that is rolled back, a row that needs two new pages: fails with SQLITE_FULL
 *   when the database cannot grow (max_page_count reached; no free pages);
 * - then a committed one-row update: the commit writes to the WAL, so it fails when the file or the
 *   file system is read-only, or the disk refuses the write. (A disk that is full but still has room
 *   in the existing WAL file is only noticed by a write that needs more room.)
 * SQLITE_BUSY counts as writable: another process holds the write lock, i.e. is writing.
 */
function probeWrite(handle: DatabaseHandle, now: number): void {
  const { sqlite } = handle;
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  sqlite.pragma(`busy_timeout = ${PROBE_BUSY_TIMEOUT_MS}`);
  try {
    sqlite.exec('BEGIN IMMEDIATE');
  } catch (error) {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (String((error as { code?: string }).code).startsWith('SQLITE_BUSY')) return;
    throw error;
  }
  try {
    sqlite.exec('SAVEPOINT room_to_grow');
    sqlite.prepare('INSERT INTO readiness_probe (id, checked_at, room) VALUES (2, 0, zeroblob(?))').run(2 * pageSize);
    sqlite.exec('ROLLBACK TO room_to_grow');
    sqlite.exec('RELEASE room_to_grow');
    sqlite
      .prepare('INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at')
      .run(now);
    sqlite.exec('COMMIT');
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
