/**
 * The store: one SQLite database, its repositories, and the one write that must be atomic —
 * a succeeded run together with all of its results.
 *
 * Every write either commits and is confirmed or raises: statements run to completion (`.run()`, or
 * inside a transaction whose COMMIT raises), never an `INSERT … RETURNING` read with one step, whose
 * commit error better-sqlite3 would drop. Every failure of SQLite under a repository call is raised as
 * a StoreError naming the database path and SQLite's code (guard below).
 */
import { and, count, eq } from 'drizzle-orm';
import { applyMigrations, assertWritable, databaseReadiness, openDatabase, type DatabaseHandle } from './db';
import { guardRepository, RunNotRunningError } from './errors';
import { makeFindingsRepository, type FindingInput, type FindingRef, type RecordOutcome } from './findings-repository';
import { makeRetentionRepository } from './retention-repository';
import { makeRunsRepository } from './runs-repository';
import type { RunStats } from '../domain/runs';
import { findingStates, findings as findingsTable, scanLeases, scanRuns } from './schema';
import { makeSuppressionsRepository } from './suppressions-repository';

export interface SucceededRunInput {
  runId: number;
  target: string;
  accountId: string;
  finishedAt: number;
  stats: RunStats;
  skippedChecks: { checkId: string; reason: string }[];
  reportGeneratedAt: number | null;
  findings: FindingInput[];
}

export interface Store {
  handle: DatabaseHandle;
  runs: ReturnType<typeof makeRunsRepository>;
  findings: ReturnType<typeof makeFindingsRepository>;
  suppressions: ReturnType<typeof makeSuppressionsRepository>;
  retention: ReturnType<typeof makeRetentionRepository>;
  /**
   * Writes the run's results and marks it succeeded in ONE transaction: all or nothing. The run's
   * stats get `new`/`resolved`/`changed` (all findings), `suppressed` (findings of this run that a
   * suppression covered at finishedAt) and `unsuppressed` (the same counts without them: open
   * findings by severity, new, resolved, changed — what trends chart).
   */
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
}

/**
 * Opens (creating it if needed) and migrates the database. Throws StoreError when the file cannot be
 * opened, created, written or migrated.
 */
export function openStore(dbPath: string, options: OpenStoreOptions = {}): Store {
  const handle = openDatabase(dbPath);
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
  const runs = guard(makeRunsRepository(handle.db));
  const suppressionsRepo = guard(makeSuppressionsRepository(handle.db));
  const findingsRepo = guard(makeFindingsRepository(handle.db, handle.sqlite, suppressionsRepo, clock));

  const recordSucceededRun = (input: SucceededRunInput): RecordOutcome =>
    handle.db.transaction((tx) => {
      const applied = findingsRepo.applyRun(input.target, input.runId, input.finishedAt, input.findings);
      const outcome: RecordOutcome = {
        newCount: applied.newCount,
        changedCount: applied.changedCount,
        resolvedCount: applied.resolvedCount,
        reopenedCount: applied.reopenedCount,
        unchangedCount: applied.unchangedCount,
      };
      // Counts without the findings suppressed when the run finished (trends, open counts).
      const matcher = suppressionsRepo.matcher(input.target, input.finishedAt);
      const isSuppressed = (f: FindingRef | undefined) => f !== undefined && !matcher.empty && matcher.match(f) !== null;
      const bySeverity: Record<string, number> = Object.fromEntries(Object.keys(input.stats.findings_by_severity ?? {}).map((k) => [k, 0]));
      let suppressed = 0;
      for (const f of applied.seen) {
        if (isSuppressed(f)) suppressed++;
        else bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
      }
      const seenById = new Map(applied.seen.map((f) => [f.id, f]));
      const unsuppressedIds = (ids: number[]) => ids.filter((id) => !isSuppressed(seenById.get(id))).length;
      const unsuppressed = {
        findings: applied.seen.length - suppressed,
        findings_by_severity: bySeverity,
        new: unsuppressedIds(applied.newIds) + unsuppressedIds(applied.reopenedIds),
        resolved: applied.resolved.filter((f) => !isSuppressed(f)).length,
        changed: unsuppressedIds(applied.changedIds),
      };
      const updated = tx
        .update(scanRuns)
        .set({
          status: 'succeeded',
          finishedAt: input.finishedAt,
          accountId: input.accountId,
          statsJson: JSON.stringify({
            ...input.stats,
            new: outcome.newCount + outcome.reopenedCount,
            resolved: outcome.resolvedCount,
            changed: outcome.changedCount,
            suppressed,
            unsuppressed,
          }),
          skippedJson: JSON.stringify(input.skippedChecks),
          reportGeneratedAt: input.reportGeneratedAt,
        })
        // Only a run still `running`: one that shutdown or a restart marked interrupted keeps that
        // status, and throwing here rolls the applied results back with it.
        .where(and(eq(scanRuns.id, input.runId), eq(scanRuns.status, 'running')))
        .run();
      if (updated.changes !== 1) throw new RunNotRunningError(input.runId);
      // The run's end releases its scan lease in the same transaction.
      tx.delete(scanLeases).where(eq(scanLeases.runId, input.runId)).run();
      return outcome;
      // IMMEDIATE: the write lock is taken (waiting for it) before the first read; a deferred
      // transaction that reads first fails with SQLITE_BUSY_SNAPSHOT when another process (a heartbeat,
      // a readiness probe) commits between its reads and its first write.
    }, { behavior: 'immediate' });

  return {
    handle,
    runs,
    findings: findingsRepo,
    suppressions: suppressionsRepo,
    retention: guard(makeRetentionRepository(handle.sqlite)),
    readiness: () => databaseReadiness(handle, clock().getTime()),
    close: () => handle.close(),
    ...guard({
      recordSucceededRun,
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

export type { FindingInput, RecordOutcome } from './findings-repository';
export type { Finding, FindingInterval, FindingStateView, FindingSort, SuppressedFilter } from './findings-repository';
export type { Suppression, SuppressionState } from './suppressions-repository';
export { makeMetricsQueries, type MetricsQueries } from './metrics-queries';
export { newLeaseOwner, type LeaseOwner, type ScanLease } from './runs-repository';
export { isStoreError, RunNotRunningError, StoreError, TargetBusyError } from './errors';

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
