/**
 * Trends: one point per succeeded run of a target, oldest first — open findings by severity, and
 * how many were new, resolved and changed in that run. Ready for a chart.
 *
 * The counts are computed when each run is recorded (store.recordSucceededRun), with the
 * suppressions that applied then: a point is what that run reported, and a suppression created or
 * deleted later does not rewrite past points. `exclude` (default) leaves suppressed findings out,
 * `include` counts everything, `only` counts only the suppressed ones. Runs recorded before the
 * per-run suppressed counts existed report the totals in every mode.
 *
 * Organization-wide trends (dailyTrends) have one point per UTC day on which some target had a
 * succeeded run. A day's `open` is the organization at the end of that day as keywatch knew it:
 * every target's last succeeded run of that day, and for a target not scanned that day its last
 * known state (its last succeeded run before) — so a target scanned weekly does not make the chart
 * drop on the other days. A target that left (inactive) stops counting from the day it left. `new`,
 * `resolved` and `changed` are the sums over every succeeded run of that day (nothing that happened
 * between two runs of a day is lost).
 */
import { SEVERITIES } from '../domain/severity';
import { DAY_MS, type Store, type TargetDay } from '../store';
import { countForFilter, type SuppressedFilter } from '../domain/findings';
import type { ScanRun } from '../domain/runs';

/** The counts of a trend point: one run's, or a day's (open at the end of the day, the rest summed over its runs). */
export interface TrendCounts {
  open: number;
  openBySeverity: Record<string, number>;
  new: number;
  resolved: number;
  changed: number;
  /** Findings that were suppressed when their run was recorded. */
  suppressed: number;
}

export interface TrendPoint extends TrendCounts {
  runId: number;
  finishedAt: number;
  source: string;
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

export interface DayTrendPoint extends TrendCounts {
  /** Days since the epoch (UTC). */
  day: number;
  /** When the last run counted for that day finished. */
  finishedAt: number;
  /** Targets counted in `open` (scanned that day, or carried over with their last known state). */
  targets: number;
  scannedTargets: number;
  runs: number;
}

export interface DailyTrendsQuery {
  /** undefined: every target (the organization). */
  target?: string;
  since?: number;
  until?: number;
  /** At most this many days (the most recent ones). */
  limit: number;
  suppressed: SuppressedFilter;
}

/** Trends by UTC day, every target's state summed (see the module comment for what a point is). */
export function dailyTrends(store: Store, q: DailyTrendsQuery): { points: DayTrendPoint[]; truncated: boolean } {
  const rows = store.runs.succeededByTargetDay({ target: q.target, since: q.since, until: q.until });
  const left = store.targets.inactiveSince();
  // Each target's last known succeeded run; before the first day, the last one before `since`.
  const latest = new Map<string, ScanRun>();
  if (q.since !== undefined) for (const run of store.runs.lastSucceededBefore(q.since, q.target)) latest.set(run.target, run);

  const byDay = new Map<number, TargetDay[]>();
  for (const row of rows) {
    const list = byDay.get(row.day);
    if (list) list.push(row);
    else byDay.set(row.day, [row]);
  }
  const points: DayTrendPoint[] = [];
  for (const [day, scanned] of byDay) {
    for (const row of scanned) latest.set(row.target, row.last);
    const scannedNames = new Set(scanned.map((r) => r.target));
    const endOfDay = (day + 1) * DAY_MS;
    const counted = [...latest.values()].filter((run) => {
      if (scannedNames.has(run.target)) return true;
      const leftAt = left.get(run.target);
      return leftAt === undefined || leftAt >= endOfDay;
    });
    const states = counted.map((run) => point(run, q.suppressed));
    const sum = (f: (p: TrendPoint) => number) => states.reduce((n, p) => n + f(p), 0);
    const dayCount = (f: (c: { new: number; resolved: number; changed: number }) => number) =>
      scanned.reduce((n, r) => n + countForFilter(q.suppressed, { all: f(r.sums.all), unsuppressed: f(r.sums.unsuppressed) }), 0);
    points.push({
      day,
      finishedAt: Math.max(...scanned.map((r) => r.last.finishedAt ?? r.last.startedAt)),
      targets: counted.length,
      scannedTargets: scanned.length,
      runs: scanned.reduce((n, r) => n + r.runs, 0),
      open: sum((p) => p.open),
      openBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, sum((p) => p.openBySeverity[s] ?? 0)])),
      new: dayCount((c) => c.new),
      resolved: dayCount((c) => c.resolved),
      changed: dayCount((c) => c.changed),
      suppressed: sum((p) => p.suppressed),
    });
  }
  const truncated = points.length > q.limit;
  return { points: truncated ? points.slice(points.length - q.limit) : points, truncated };
}
