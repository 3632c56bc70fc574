/**
 * The store: one SQLite database, its repositories, and the one write that must be atomic —
 * a succeeded run together with all of its results.
 *
 * Every write either commits and is confirmed or raises: statements run to completion (`.run()`, or
 * inside a transaction whose COMMIT raises), never an `INSERT … RETURNING` read with one step, whose
 * commit error better-sqlite3 would drop. Every failure of SQLite under a repository call is raised as
 * a StoreError naming the database path and SQLite's code (guard below).
 */
import { count } from 'drizzle-orm';
import { applyMigrations, assertWritable, databaseReadiness, openDatabase, type DatabaseHandle } from './db';
import { guardRepository } from './errors';
import { makeFindingReads } from './finding-reads';
import { makeHistoryWriter, type RecordOutcome, type SucceededRunInput } from './history-writer';
import { makeReadCache } from './read-cache';
import { makeKnownCredentialsRepository, type KnownCredentialsRepository } from './known-credentials-repository';
import { makeRetentionRepository } from './retention-repository';
import { makeRunViews } from './run-views';
import { makeRunsRepository } from './runs-repository';
import { findingStates, findings as findingsTable, scanRuns } from './schema';
import { makeSuppressionsRepository } from './suppressions-repository';
import { makeTargetsRepository } from './targets-repository';

export interface Store {
  handle: DatabaseHandle;
  runs: ReturnType<typeof makeRunsRepository>;
  /** Current findings, one finding, a finding's intervals. */
  findings: ReturnType<typeof makeFindingReads>;
  /** What runs saw, and the difference between two runs. */
  runViews: ReturnType<typeof makeRunViews>;
  suppressions: ReturnType<typeof makeSuppressionsRepository>;
  /** Configured and discovered targets, active or not. */
  targets: ReturnType<typeof makeTargetsRepository>;
  retention: ReturnType<typeof makeRetentionRepository>;
  /** Credential ids earlier runs learned, per target (the credential-report source's slot → id). */
  knownCredentials: KnownCredentialsRepository;
  /** Writes a run's results and marks it succeeded in ONE transaction (src/store/history-writer.ts). */
  recordSucceededRun(input: SucceededRunInput): RecordOutcome;
  /** The database answers, its migrations are applied and a write can be committed (see db.ts probeWrite). */
  readiness(): { ok: boolean; reason?: string };
  /** Bytes a table and its indexes take (benchmarks). */
  tableBytes(table: 'scan_runs' | 'findings' | 'finding_states'): number;
  /** Moves the WAL into the database file (benchmarks measure the file). */
  checkpoint(): void;
  /** Row counts of the history tables (tests, metrics, benchmarks). */
  tableCounts(): { scan_runs: number; findings: number; finding_states: number };
  close(): void;
}

export interface OpenStoreOptions {
  migrate?: boolean;
  /** The clock suppressions are evaluated against when findings are read (default: the wall clock). */
  clock?: () => Date;
  /** SQLite's page cache of this connection in MB (default PAGE_CACHE_MB). */
  pageCacheMb?: number;
}

/**
 * Opens (creating it if needed) and migrates the database. Throws StoreError when the file cannot be
 * opened, created, written or migrated.
 */
export function openStore(dbPath: string, options: OpenStoreOptions = {}): Store {
  const handle = openDatabase(dbPath, { pageCacheMb: options.pageCacheMb });
  const clock = options.clock ?? (() => new Date());
  try {
    if (options.migrate ?? true) {
      applyMigrations(handle);
      assertWritable(handle, clock().getTime());
    }
  } catch (error) {
    handle.close();
    throw error;
  }
  const guard = <T extends object>(repo: T): T => guardRepository(repo, dbPath);
  const suppressions = makeSuppressionsRepository(handle.db);
  const activeSuppressions = (target: string | undefined, now: number) => suppressions.matcher(target, now);
  // Totals and counts kept until the database changes (read-cache.ts).
  const cache = makeReadCache(handle.sqlite);
  const findings = makeFindingReads(handle.db, handle.sqlite, { activeSuppressions, clock, cache });
  const knownCredentials = makeKnownCredentialsRepository(handle.sqlite);
  const writer = makeHistoryWriter(handle.db, handle.sqlite, activeSuppressions, knownCredentials);

  return {
    handle,
    runs: guard(makeRunsRepository(handle.db)),
    findings: guard(findings),
    runViews: guard(makeRunViews(handle.db, handle.sqlite, findings, cache)),
    suppressions: guard(suppressions),
    targets: guard(makeTargetsRepository(handle.db)),
    retention: guard(makeRetentionRepository(handle.sqlite)),
    knownCredentials: guard(knownCredentials),
    readiness: () => databaseReadiness(handle, clock().getTime()),
    close: () => handle.close(),
    ...guard({
      recordSucceededRun: writer.recordSucceededRun,
      tableBytes: (table: 'scan_runs' | 'findings' | 'finding_states') => tableBytes(handle, table),
      checkpoint: () => {
        handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      },
      tableCounts: () => ({
        scan_runs: handle.db.select({ n: count() }).from(scanRuns).get()!.n,
        findings: handle.db.select({ n: count() }).from(findingsTable).get()!.n,
        finding_states: handle.db.select({ n: count() }).from(findingStates).get()!.n,
      }),
    }),
  };
}

export type { RecordOutcome, SucceededRunInput } from './history-writer';
export type { FindingsKey, ListFindingsQuery } from './finding-reads';
export { findingsFilterKey, sortValueOf } from './finding-reads';
export type { DiffCounts as IntervalDiffCounts, DiffPageItem, DiffPosition, DiffRestriction, IntervalDiff } from './run-views';
export type { NewSuppression } from './suppressions-repository';
export type { StoredTarget, TargetDescription } from './targets-repository';
export { makeMetricsQueries, type MetricsQueries } from './metrics-queries';
export { DAY_MS, newLeaseOwner, type LeaseOwner, type ScanLease, type TargetDay } from './runs-repository';
export { isStoreError, RunNotRunningError, StoreError, TargetBusyError } from './errors';
export { backupDatabase, BackupError } from './backup';

/** dbstat when SQLite has it; otherwise an estimate from the column lengths. */
function tableBytes(handle: DatabaseHandle, table: 'scan_runs' | 'findings' | 'finding_states'): number {
  const sqlite = handle.sqlite;
  try {
    const row = sqlite
      .prepare(`SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = ? OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?)`)
      .get(table, table) as { bytes: number | null };
    if (row.bytes) return row.bytes;
  } catch {
    // dbstat not compiled in
  }
  const cols = (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => `coalesce(length("${c.name}"), 0)`);
  const row = sqlite.prepare(`SELECT sum(${cols.join(' + ')}) + count(*) * 16 AS bytes FROM "${table}"`).get() as { bytes: number };
  return row.bytes;
}
