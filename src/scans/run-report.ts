/**
 * What the printable report of one run holds (GET /api/scans/{id}/report): the run, what changed
 * since the previous succeeded run of its target, and every finding the run saw.
 *
 * Suppressed findings are included and flagged (suppressions as of now, like every read), so the
 * report's counts are the run's counts: a reader of a printed report must not have to guess what a
 * filter left out. A run that did not succeed has no findings and no changes: its report shows the
 * run and its error.
 */
import type { Finding } from '../domain/findings';
import type { ScanRun } from '../domain/runs';
import type { Store } from '../store';
import { diffRuns, type RunDiff } from './diff';
import { loadRun } from './runs';

export interface RunReport {
  run: ScanRun;
  /** Against the previous succeeded run of the target (base null: the first run); null unless the run succeeded. */
  changes: RunDiff | null;
  /** Every finding the run saw, most severe first (with the severity and durable evidence of that run). */
  findings: Finding[];
  /** When the report was made (ms): suppressions are evaluated at this instant. */
  generatedAt: number;
}

/** Findings are read in pages of this size (the store's seenByRun). */
const PAGE_SIZE = 1000;

export function runReport(store: Store, runId: number, now: number): RunReport {
  const run = loadRun(store, runId);
  if (run.status !== 'succeeded') return { run, changes: null, findings: [], generatedAt: now };
  const changes = diffRuns(store, run.id, { suppressed: 'include', now });
  const findings: Finding[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = store.runViews.seenByRun(run.target, run.id, { limit: PAGE_SIZE, offset }, now);
    findings.push(...page.items);
    if (page.items.length < PAGE_SIZE || findings.length >= page.total) break;
  }
  return { run, changes, findings, generatedAt: now };
}
