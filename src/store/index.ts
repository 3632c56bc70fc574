/**
 * The store: one SQLite database, its repositories, and the one write that must be atomic —
 * a succeeded run together with all of its results.
 */
import { count, eq } from 'drizzle-orm';
import { applyMigrations, databaseReadiness, openDatabase, type DatabaseHandle } from './db';
import { makeFindingsRepository, type FindingInput, type RecordOutcome } from './findings-repository';
import { makeRunsRepository, type RunStats } from './runs-repository';
import { findingStates, findings as findingsTable, scanRuns } from './schema';

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
  /** Writes the run's results and marks it succeeded in ONE transaction: all or nothing. */
  recordSucceededRun(input: SucceededRunInput): RecordOutcome;
  readiness(): { ok: boolean; reason?: string };
  /** Row counts of the history tables (tests, metrics, benchmarks). */
  tableCounts(): { scan_runs: number; findings: number; finding_states: number };
  close(): void;
}

export function openStore(dbPath: string, options: { migrate?: boolean } = {}): Store {
  const handle = openDatabase(dbPath);
  if (options.migrate ?? true) applyMigrations(handle);
  const runs = makeRunsRepository(handle.db);
  const findingsRepo = makeFindingsRepository(handle.db);

  const recordSucceededRun = (input: SucceededRunInput): RecordOutcome =>
    handle.db.transaction((tx) => {
      const outcome = findingsRepo.applyRun(input.target, input.runId, input.finishedAt, input.findings);
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
          }),
          skippedJson: JSON.stringify(input.skippedChecks),
          reportGeneratedAt: input.reportGeneratedAt,
        })
        .where(eq(scanRuns.id, input.runId))
        .run();
      if (updated.changes !== 1) throw new Error(`run ${input.runId} does not exist`);
      return outcome;
    });

  return {
    handle,
    runs,
    findings: findingsRepo,
    recordSucceededRun,
    readiness: () => databaseReadiness(handle),
    tableCounts: () => ({
      scan_runs: handle.db.select({ n: count() }).from(scanRuns).get()!.n,
      findings: handle.db.select({ n: count() }).from(findingsTable).get()!.n,
      finding_states: handle.db.select({ n: count() }).from(findingStates).get()!.n,
    }),
    close: () => handle.close(),
  };
}

export type { FindingInput, RecordOutcome } from './findings-repository';
export type { ScanRun, RunStats, RunStatus, RunTrigger } from './runs-repository';
export { RUN_STATUSES } from './runs-repository';
