/**
 * Retention: deletes old runs while every remaining run's findings and every remaining finding's
 * timeline stay exact.
 *
 * - A run is deleted when it started before the cutoff and is finished; the latest succeeded run of
 *   a target is always kept (it is the current state), whatever its age.
 * - K = the oldest remaining succeeded run. What a remaining run R >= K saw are the intervals covering
 *   R; an interval is only unneeded when it ended before K. A finding resolved by a run before K has
 *   only such intervals: it and its intervals (and suppressions by its id) are deleted.
 * - Findings that are still relevant keep ALL their intervals, so their timeline stays complete (the
 *   runs that started or ended an old state may be gone; the times are on the interval).
 *
 * Each call deletes at most `batch` runs and `batch` findings in one transaction; the caller repeats
 * while `more` is true, yielding to the event loop in between.
 */
import type Database from 'better-sqlite3';

export interface PruneResult {
  deletedRuns: number;
  deletedFindings: number;
  /** The oldest remaining succeeded run (K), or null when the target has none. */
  oldestKeptRunId: number | null;
  more: boolean;
}

export function makeRetentionRepository(sqlite: Database.Database) {
  const st = {
    latestSucceeded: sqlite.prepare(`SELECT max(id) FROM scan_runs WHERE target = ? AND status = 'succeeded'`).pluck(),
    oldestSucceeded: sqlite.prepare(`SELECT min(id) FROM scan_runs WHERE target = ? AND status = 'succeeded'`).pluck(),
    deleteRuns: sqlite.prepare(
      `DELETE FROM scan_runs WHERE id IN (
         SELECT id FROM scan_runs
         WHERE target = ? AND started_at < ? AND status IN ('succeeded', 'failed', 'interrupted') AND id <> ?
         ORDER BY id LIMIT ?)`,
    ),
    deleteFindings: sqlite.prepare(
      `DELETE FROM findings WHERE id IN (
         SELECT id FROM findings WHERE target = ? AND status = 'resolved' AND resolved_run_id < ? LIMIT ?)`,
    ),
  };

  return {
    prune(target: string, startedBefore: number, batch: number): PruneResult {
      return sqlite.transaction((): PruneResult => {
        const latest = (st.latestSucceeded.get(target) as number | null) ?? -1;
        const deletedRuns = st.deleteRuns.run(target, startedBefore, latest, batch).changes;
        const oldestKept = st.oldestSucceeded.get(target) as number | null;
        const deletedFindings = oldestKept === null ? 0 : st.deleteFindings.run(target, oldestKept, batch).changes;
        return { deletedRuns, deletedFindings, oldestKeptRunId: oldestKept, more: deletedRuns === batch || deletedFindings === batch };
      }).immediate(); // reads then writes: take the write lock first (see store.recordSucceededRun)
    },
  };
}

export type RetentionRepository = ReturnType<typeof makeRetentionRepository>;
