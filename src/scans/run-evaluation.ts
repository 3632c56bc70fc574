/**
 * The end of a scan that needs no network: evaluate the checks over the collected snapshot and record
 * the run's results with `succeeded`, in ONE transaction (the history writer). Both are synchronous and
 * long for a large account (a 5,000-user report: about 0.2 s of evaluation and 0.4 s of recording), so
 * the scan service runs this in the recording worker (recorder.ts), off the event loop that serves the
 * API; the worker calls this same function.
 */
import { evaluateChecks } from '../checks/evaluate';
import { resolveCheckChoices, type CheckChoice } from '../checks/settings';
import type { RunStats } from '../domain/runs';
import type { IamSnapshot } from '../domain/snapshot';
import type { RecordOutcome, Store } from '../store';
import { countBySeverity, toFindingInput } from './finding-input';

export interface RecordJob {
  runId: number;
  target: string;
  snapshot: IamSnapshot;
  /** The instant the checks are evaluated at, and the run's end (ms). */
  finishedAt: number;
  /** The run's stats so far (calls, duration); the counts of users, keys and findings are added. */
  stats: RunStats;
  /** The run's checks, as it was started with them. */
  checks: CheckChoice[];
  /** KEYWATCH_RISK_ESCALATION. */
  riskEscalation: boolean;
}

export interface RecordResult {
  outcome: RecordOutcome;
  /** The stats stored with the run (before the counts the history writer adds). */
  stats: RunStats;
}

/**
 * Evaluates and records one run. Throws what recordSucceededRun throws (StoreError, RunNotRunningError),
 * and stores nothing then.
 */
export function evaluateAndRecord(store: Store, job: RecordJob): RecordResult {
  const { snapshot } = job;
  const checks = resolveCheckChoices(job.checks);
  const { findings, skipped } = evaluateChecks(snapshot, checks, new Date(job.finishedAt), { riskEscalation: job.riskEscalation });
  const stats: RunStats = {
    ...job.stats,
    users: snapshot.users.length,
    access_keys: snapshot.users.reduce((n, u) => n + u.accessKeys.length, 0),
    findings: findings.length,
    findings_by_severity: countBySeverity(findings),
  };
  const outcome = store.recordSucceededRun({
    runId: job.runId,
    target: job.target,
    accountId: snapshot.accountId,
    finishedAt: job.finishedAt,
    stats,
    skippedChecks: skipped,
    reportGeneratedAt: snapshot.reportGeneratedAt?.getTime() ?? null,
    findings: findings.map(toFindingInput),
    // A check this run skipped (its source cannot provide the data) does not resolve its findings:
    // they are carried over. A check turned off resolves them, as any check that finds nothing.
    evaluatedChecks: checks.map((c) => c.check.id).filter((id) => !skipped.some((s) => s.checkId === id)),
    // What this collection learned of credential ids: stored with the run, for the next report scan.
    learnedCredentials: snapshot.learnedCredentials,
  });
  return { outcome, stats };
}
