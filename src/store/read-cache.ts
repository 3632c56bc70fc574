/**
 * Answers that change only when the database does, kept until it does: a findings listing's total and
 * a diff's counts each cost COUNT queries over thousands of rows, and every page of the listing asks
 * for them again (measured on 5,000 users: a third of a findings page's time, half of a diff page's).
 *
 * The database's version is read with every lookup, in one statement: this connection's
 * total_changes() (every row it inserted, updated or deleted, so any write through the API's
 * connection) and PRAGMA data_version (which changes whenever another connection commits: the
 * recording worker, a CLI scan, another keywatch process). Any change empties the cache, so an answer
 * is never older than the last commit; one that depends on more than the data (the time, the
 * suppressions active now) must say so in its key.
 */
import type Database from 'better-sqlite3';

export interface ReadCache {
  /** The value cached under `key` for the database as it is now, computed (and kept) when there is none. */
  get<T>(key: string, compute: () => T): T;
}

export function makeReadCache(sqlite: Database.Database, maxEntries = 256): ReadCache {
  let version: Database.Statement | null = null;
  let cachedAt: string | null = null;
  const entries = new Map<string, unknown>();
  return {
    get<T>(key: string, compute: () => T): T {
      // Prepared at first use: the tables need not exist yet when the store is built.
      version ??= sqlite.prepare(`SELECT total_changes() || ':' || (SELECT data_version FROM pragma_data_version)`).pluck();
      const now = version.get() as string;
      if (now !== cachedAt) {
        entries.clear();
        cachedAt = now;
      }
      if (entries.has(key)) return entries.get(key) as T;
      const value = compute();
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
      return value;
    },
  };
}
