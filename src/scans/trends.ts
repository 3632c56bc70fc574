/**
 * Trends: one point per succeeded run of a target, oldest first — open findings by severity, and
 * how many were new, resolved and changed in that run. Ready for a chart.
 *
 * The counts are computed when each run is recorded (store.recordSucceededRun), with the
 * suppressions that applied then: a point is what that run reported, and a suppression created or
 * deleted later does not rewrite past points. `exclude` (default) leaves suppressed findings out,
 * `include` counts everything, `only` counts only the suppressed ones. Runs recorded before the
 * per-run suppressed counts existed report the totals in every mode.
 */
import { SEVERITIES } from '../domain/severity';
import type { Store } from '../store';
import { countForFilter, type SuppressedFilter } from '../domain/findings';
import type { ScanRun } from '../domain/runs';

export interface TrendPoint {
  runId: number;
  finishedAt: number;
  source: string;
  open: number;
  openBySeverity: Record<string, number>;
  new: number;
  resolved: number;
  changed: number;
  /** Findings of this run that were suppressed when it was recorded. */
  suppressed: number;
}

export interface TrendsQuery {
  target: string;
  since?: number;
  until?: number;
  limit: number;
  suppressed: SuppressedFilter;
}

interface Counts {
  findings: number;
  findings_by_severity: Record<string, number>;
  new: number;
  resolved: number;
  changed: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function totals(run: ScanRun): Counts {
  return {
    findings: num(run.stats.findings),
    findings_by_severity: (run.stats.findings_by_severity as Record<string, number> | undefined) ?? {},
    new: num(run.stats.new),
    resolved: num(run.stats.resolved),
    changed: num(run.stats.changed),
  };
}

function point(run: ScanRun, filter: SuppressedFilter): TrendPoint {
  const all = totals(run);
  const recorded = run.stats.unsuppressed as Counts | undefined;
  const unsuppressed = recorded ?? all;
  const pick = (f: (c: Counts) => number): number => countForFilter(filter, { all: f(all), unsuppressed: f(unsuppressed) });
  const openBySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, pick((c) => num(c.findings_by_severity?.[s]))]),
  );
  return {
    runId: run.id,
    finishedAt: run.finishedAt ?? run.startedAt,
    source: run.source,
    open: pick((c) => c.findings),
    openBySeverity,
    new: pick((c) => c.new),
    resolved: pick((c) => c.resolved),
    changed: pick((c) => c.changed),
    suppressed: recorded ? num(run.stats.suppressed) : 0,
  };
}

export function trends(store: Store, q: TrendsQuery): { points: TrendPoint[]; truncated: boolean } {
  const { items, truncated } = store.runs.listSucceeded(q.target, { since: q.since, until: q.until, limit: q.limit });
  return { points: items.map((r) => point(r, q.suppressed)), truncated };
}
