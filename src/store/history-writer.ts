/**
 * The history writer: records a succeeded run's findings into `findings` (one row per identity,
 * holding the latest state) and `finding_states` (intervals of runs during which a finding kept
 * one state), and marks the run succeeded — all in ONE transaction.
 *
 * History grows with change, not with the number of runs: a finding seen again in the same state
 * (stateChanged false) adds no row; its latest evidence, message and last-seen move on. A changed
 * state closes the open interval at the last run that saw the old state and opens a new one; a
 * finding not seen by the run is resolved; one seen again after it was resolved is reopened with a
 * new interval.
 *
 * Only the checks the run evaluated can resolve findings: the open findings of a check the run
 * skipped (its source cannot provide the data: root last use from the live API, SSH keys from the
 * credential report) or did not run are carried over unchanged — a skipped check never counts as
 * passing. Their intervals stay open, so later runs still see them until a run that evaluates the
 * check says otherwise.
 *
 * The credential ids the run's collection learned (known_credentials) are stored in the same
 * transaction: a run that fails, or is interrupted, learns nothing.
 */
import type Database from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { stableJson, stateChanged, type FindingInput } from '../domain/findings';
import type { LearnedCredentials } from '../domain/known-credentials';
import type { RunStats, SkippedCheck } from '../domain/runs';
import type { SuppressionMatcher } from '../domain/suppressions';
import type { Db } from './db';
import { RunNotRunningError } from './errors';
import type { KnownCredentialsRepository } from './known-credentials-repository';
import { scanLeases, scanRuns } from './schema';

export interface SucceededRunInput {
  runId: number;
  target: string;
  accountId: string;
  finishedAt: number;
  stats: RunStats;
  skippedChecks: SkippedCheck[];
  reportGeneratedAt: number | null;
  findings: FindingInput[];
  /** The checks this run evaluated; only their open findings can be resolved by it. undefined: every check. */
  evaluatedChecks?: readonly string[];
  /** Credential ids the run's collection learned (known_credentials), stored with the run; undefined: nothing learned. */
  learnedCredentials?: LearnedCredentials;
}

export interface RecordOutcome {
  newCount: number;
  changedCount: number;
  resolvedCount: number;
  reopenedCount: number;
  unchangedCount: number;
}

/** A finding the run touched, for the per-run counts that leave suppressed findings out. */
interface TouchedFinding {
  id: number;
  checkId: string;
  userName: string | null;
  severity: string;
}

/** applyRun's outcome with the findings involved. */
interface AppliedRun extends RecordOutcome {
  /** Every finding this run saw. */
  seen: TouchedFinding[];
  /** Ids of the findings new or reopened in this run, and of those whose state changed. */
  newIds: Set<number>;
  changedIds: Set<number>;
  resolved: TouchedFinding[];
  /** Open findings of checks the run did not evaluate: carried over, still open after it. */
  carried: TouchedFinding[];
}

type OpenRow = {
  id: number;
  check_id: string;
  resource_id: string;
  severity: string;
  durable_json: string;
  volatile_json: string;
  message: string;
  user_name: string | null;
  user_arn: string | null;
  privilege: string | null;
  last_seen_run_id: number;
  last_seen_at: number;
};

export function makeHistoryWriter(
  db: Db,
  sqlite: Database.Database,
  activeSuppressions: (target: string, now: number) => SuppressionMatcher,
  knownCredentials: KnownCredentialsRepository,
) {
  // Prepared once (lazily, after migrations): the per-run write path touches every open finding.
  const prepare = () => ({
    openOfTarget: sqlite.prepare(
      `SELECT id, check_id, resource_id, severity, durable_json, volatile_json, message, user_name, user_arn, privilege, last_seen_run_id, last_seen_at
       FROM findings WHERE target = ? AND status = 'open'`,
    ),
    byIdentity: sqlite.prepare(`SELECT id FROM findings WHERE target = ? AND check_id = ? AND resource_id = ?`),
    insertFinding: sqlite.prepare(
      `INSERT INTO findings (target, account_id, check_id, resource_type, resource_id, user_name, user_arn, severity, severity_rank, message,
         durable_json, volatile_json, privilege, status, first_seen_run_id, first_seen_at, last_seen_run_id, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
    ),
    insertState: sqlite.prepare(
      `INSERT INTO finding_states (finding_id, target, check_id, resource_type, resource_id, user_name, severity, durable_json, from_run_id, from_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    closeState: sqlite.prepare(
      `UPDATE finding_states SET to_run_id = ?, to_at = ?, ended_by_run_id = ?, ended_at = ?, end_reason = ?
       WHERE finding_id = ? AND to_run_id IS NULL`,
    ),
    updateLatest: sqlite.prepare(
      `UPDATE findings SET severity = ?, severity_rank = ?, message = ?, user_name = ?, user_arn = ?, durable_json = ?,
         volatile_json = ?, privilege = ?, last_seen_run_id = ?, last_seen_at = ?
       WHERE id = ?`,
    ),
    reopen: sqlite.prepare(
      `UPDATE findings SET severity = ?, severity_rank = ?, message = ?, user_name = ?, user_arn = ?, durable_json = ?,
         volatile_json = ?, privilege = ?, last_seen_run_id = ?, last_seen_at = ?, status = 'open', resolved_run_id = NULL, resolved_at = NULL
       WHERE id = ?`,
    ),
    resolve: sqlite.prepare(`UPDATE findings SET status = 'resolved', resolved_run_id = ?, resolved_at = ? WHERE id = ?`),
    touchOpen: sqlite.prepare(
      `UPDATE findings SET last_seen_run_id = ?, last_seen_at = ? WHERE target = ? AND status = 'open' AND last_seen_run_id <> ?
         AND (? IS NULL OR check_id IN (SELECT value FROM json_each(?)))`,
    ),
    // The account of every finding the run saw (normally unchanged: a target stays on its account).
    setAccount: sqlite.prepare(`UPDATE findings SET account_id = ? WHERE target = ? AND status = 'open' AND account_id IS NOT ?`),
  });
  let prepared: ReturnType<typeof prepare> | null = null;
  const S = () => (prepared ??= prepare());

  /** Applies a run's findings to history (inside recordSucceededRun's transaction). */
  function applyRun(
    target: string,
    accountId: string,
    runId: number,
    at: number,
    inputs: FindingInput[],
    evaluatedChecks: readonly string[] | undefined,
  ): AppliedRun {
    const evaluated = evaluatedChecks ? new Set(evaluatedChecks) : null;
    const st = S();
    const result: AppliedRun = {
      newCount: 0,
      changedCount: 0,
      resolvedCount: 0,
      reopenedCount: 0,
      unchangedCount: 0,
      seen: [],
      newIds: new Set(),
      changedIds: new Set(),
      resolved: [],
      carried: [],
    };
    const open = new Map<string, OpenRow>();
    for (const row of st.openOfTarget.all(target) as OpenRow[]) open.set(`${row.check_id}|${row.resource_id}`, row);

    const seenKeys = new Set<string>();
    for (const input of inputs) {
      const key = `${input.checkId}|${input.resourceId}`;
      if (seenKeys.has(key)) continue; // a check reports a resource once; be defensive
      seenKeys.add(key);
      const durableJson = stableJson(input.durable);
      const volatileJson = stableJson(input.volatile);
      const privilege = input.privilege ?? null;
      const latest = [input.severity, input.severityRank, input.message, input.userName, input.userArn, durableJson, volatileJson, privilege, runId, at] as const;
      const identity = [input.checkId, input.resourceType, input.resourceId, input.userName] as const;
      const touched = (id: number): TouchedFinding => ({ id, checkId: input.checkId, userName: input.userName, severity: input.severity });
      const row = open.get(key);
      if (!row) {
        const before = st.byIdentity.get(target, input.checkId, input.resourceId) as { id: number } | undefined;
        let id: number;
        if (before) {
          // Seen before, resolved since: reopened, with a new interval.
          id = before.id;
          st.reopen.run(...latest, id);
          result.reopenedCount++;
        } else {
          id = Number(
            st.insertFinding.run(
              target,
              accountId,
              input.checkId,
              input.resourceType,
              input.resourceId,
              input.userName,
              input.userArn,
              input.severity,
              input.severityRank,
              input.message,
              durableJson,
              volatileJson,
              privilege,
              runId,
              at,
              runId,
              at,
            ).lastInsertRowid,
          );
          result.newCount++;
        }
        st.insertState.run(id, target, ...identity, input.severity, durableJson, runId, at);
        result.newIds.add(id);
        result.seen.push(touched(id));
        continue;
      }
      result.seen.push(touched(row.id));
      if (stateChanged({ severity: row.severity, durableJson: row.durable_json }, { severity: input.severity, durableJson })) {
        // Close the open interval at the last run that saw the old state; this run ended it.
        st.closeState.run(row.last_seen_run_id, row.last_seen_at, runId, at, 'changed', row.id);
        st.insertState.run(row.id, target, ...identity, input.severity, durableJson, runId, at);
        st.updateLatest.run(...latest, row.id);
        result.changedCount++;
        result.changedIds.add(row.id);
        continue;
      }
      result.unchangedCount++;
      if (
        row.volatile_json !== volatileJson ||
        row.message !== input.message ||
        row.user_name !== input.userName ||
        row.user_arn !== input.userArn ||
        row.privilege !== privilege
      ) {
        st.updateLatest.run(...latest, row.id);
      }
    }

    // Open findings that this run did not see are resolved by it — if it evaluated their check.
    for (const [key, row] of open) {
      if (seenKeys.has(key)) continue;
      if (evaluated && !evaluated.has(row.check_id)) {
        result.carried.push({ id: row.id, checkId: row.check_id, userName: row.user_name, severity: row.severity });
        continue;
      }
      st.closeState.run(row.last_seen_run_id, row.last_seen_at, runId, at, 'resolved', row.id);
      st.resolve.run(runId, at, row.id);
      result.resolvedCount++;
      result.resolved.push({ id: row.id, checkId: row.check_id, userName: row.user_name, severity: row.severity });
    }
    // Unchanged open findings whose row was not rewritten above: last seen moves to this run in one statement.
    const evaluatedJson = evaluatedChecks ? JSON.stringify(evaluatedChecks) : null;
    st.touchOpen.run(runId, at, target, runId, evaluatedJson, evaluatedJson);
    st.setAccount.run(accountId, target, accountId);
    return result;
  }

  /**
   * The run's counts without the findings a suppression covered when it finished: what trends
   * chart (a suppression made later does not rewrite a past point).
   */
  function unsuppressedCounts(applied: AppliedRun, matcher: SuppressionMatcher, severities: readonly string[]) {
    const isSuppressed = (f: TouchedFinding) => !matcher.empty && matcher.match(f) !== null;
    const zero = () => Object.fromEntries(severities.map((s) => [s, 0])) as Record<string, number>;
    const bySeverity = zero();
    const allBySeverity = zero();
    let suppressed = 0;
    let newCount = 0;
    let changed = 0;
    // Open after the run: what it saw and what it carried over.
    const open = [...applied.seen, ...applied.carried];
    for (const f of open) {
      allBySeverity[f.severity] = (allBySeverity[f.severity] ?? 0) + 1;
      if (isSuppressed(f)) {
        suppressed++;
        continue;
      }
      bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
      if (applied.newIds.has(f.id)) newCount++;
      if (applied.changedIds.has(f.id)) changed++;
    }
    return {
      open: { findings: open.length, findings_by_severity: allBySeverity },
      suppressed,
      unsuppressed: {
        findings: open.length - suppressed,
        findings_by_severity: bySeverity,
        new: newCount,
        resolved: applied.resolved.filter((f) => !isSuppressed(f)).length,
        changed,
      },
    };
  }

  return {
    /**
     * Writes the run's results and marks it succeeded in ONE transaction: all or nothing. The run's
     * stats get `new`/`resolved`/`changed` (all findings), `suppressed` (findings of this run that a
     * suppression covered at finishedAt) and `unsuppressed` (the same counts without them: open
     * findings by severity, new, resolved, changed). Throws RunNotRunningError, and stores nothing,
     * when the run is no longer running (interrupted meanwhile). The run's lease is released with it.
     */
    recordSucceededRun(input: SucceededRunInput): RecordOutcome {
      return db.transaction(
        (tx) => {
          const applied = applyRun(input.target, input.accountId, input.runId, input.finishedAt, input.findings, input.evaluatedChecks);
          const { open, suppressed, unsuppressed } = unsuppressedCounts(
            applied,
            activeSuppressions(input.target, input.finishedAt),
            Object.keys(input.stats.findings_by_severity ?? {}),
          );
          const updated = tx
            .update(scanRuns)
            .set({
              status: 'succeeded',
              finishedAt: input.finishedAt,
              accountId: input.accountId,
              statsJson: JSON.stringify({
                ...input.stats,
                // Open after the run, carried-over findings of checks it did not evaluate included: what its run view shows.
                ...open,
                carried_over: applied.carried.length,
                new: applied.newCount + applied.reopenedCount,
                resolved: applied.resolvedCount,
                changed: applied.changedCount,
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
          tx.delete(scanLeases).where(eq(scanLeases.runId, input.runId)).run();
          if (input.learnedCredentials) knownCredentials.replace(input.target, input.runId, input.learnedCredentials);
          const { newCount, changedCount, resolvedCount, reopenedCount, unchangedCount } = applied;
          return { newCount, changedCount, resolvedCount, reopenedCount, unchangedCount };
        },
        // IMMEDIATE: the write lock is taken (waiting for it) before the first read; a deferred
        // transaction that reads first fails with SQLITE_BUSY_SNAPSHOT when another process (a
        // heartbeat, a readiness probe) commits between its reads and its first write.
        { behavior: 'immediate' },
      );
    },
  };
}
