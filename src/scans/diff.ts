/**
 * Diff(base, run) from the history intervals (design.md):
 * - in run, not in base = new; in base, not in run = resolved;
 * - in both on the same interval = unchanged;
 * - in both on different intervals = changed when the severity or the durable evidence differs. (Two
 *   intervals with the same state — the finding was resolved and came back in between — count as
 *   unchanged: nothing differs between the two runs.)
 * Volatile evidence (last use) is not part of an interval, so it never makes a finding changed; a
 * rotated key is a different resource: one resolved finding and one new one.
 *
 * Suppressions are evaluated now (read time): `exclude` (default) leaves suppressed findings out of
 * every list and count, `only` keeps only them, `include` keeps everything (flagged).
 */
import { SEVERITIES } from '../domain/severity';
import { AppError } from '../errors';
import type { Store } from '../store';
import type { ScanRun } from '../domain/runs';
import { loadRun, requireSucceeded } from './runs';
import { countForFilter, keepsSuppressed, stateChanged, type FindingStateView, type SuppressedFilter } from '../domain/findings';

export interface DiffItem {
  /** The finding's state: in the run for new/changed, in the base for resolved (identity, severity, durable evidence). */
  state: FindingStateView;
  suppressionId: number | null;
}

export interface ChangedItem extends DiffItem {
  /** The state in the base run (`state` is the one in the run). */
  before: FindingStateView;
}

export interface RunDiff {
  run: ScanRun;
  /** null when the run is the first succeeded run of its target (everything is new). */
  base: ScanRun | null;
  suppressed: SuppressedFilter;
  new: DiffItem[];
  resolved: DiffItem[];
  changed: ChangedItem[];
  unchanged: number;
  /** Findings the suppression filter left out (of all four categories). */
  leftOut: number;
}

export interface DiffOptions {
  /** Default: the previous succeeded run of the same target. */
  baseId?: number;
  suppressed: SuppressedFilter;
  /** Suppressions are evaluated at this instant (ms). */
  now: number;
}

const RANK: Record<string, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));

/**
 * Most severe first; within a severity the order the store returned (chronological: resolved in the
 * order they ended, new and changed in the order they began). Stable and O(n).
 */
function bySeverity<T extends DiffItem>(items: T[]): T[] {
  const buckets: T[][] = SEVERITIES.map(() => []);
  const unknown: T[] = [];
  for (const item of items) (buckets[RANK[item.state.severity] ?? -1] ?? unknown).push(item);
  return buckets.reverse().flat().concat(unknown);
}

export function diffRuns(store: Store, runId: number, options: DiffOptions): RunDiff {
  const run = loadRun(store, runId);
  let base: ScanRun | null;
  if (options.baseId !== undefined) {
    base = loadRun(store, options.baseId, 'query parameter base');
    if (base.target !== run.target) {
      throw AppError.validation([
        { field: 'base', message: `run ${base.id} belongs to target "${base.target}", run ${run.id} to "${run.target}"; compare runs of one target` },
      ]);
    }
  } else {
    base = store.runs.previousSucceeded(run.target, run.id);
  }
  requireSucceeded(run, { role: 'Run', reason: 'only succeeded runs can be compared.' });
  if (base) requireSucceeded(base, { role: 'Base run', reason: 'only succeeded runs can be compared.' });

  const matcher = store.suppressions.matcher(run.target, options.now);
  const suppressionOf = (v: FindingStateView) => (matcher.empty ? null : matcher.match({ id: v.findingId, checkId: v.checkId, userName: v.userName }));
  const keep = (suppressionId: number | null) => keepsSuppressed(options.suppressed, suppressionId !== null);
  const out: RunDiff = { run, base, suppressed: options.suppressed, new: [], resolved: [], changed: [], unchanged: 0, leftOut: 0 };

  if (!base) {
    for (const state of store.runViews.statesCovering(run.target, run.id)) {
      const suppressionId = suppressionOf(state);
      if (keep(suppressionId)) out.new.push({ state, suppressionId });
      else out.leftOut++;
    }
    out.new = bySeverity(out.new);
    return out;
  }

  const d = store.runViews.diffIntervals(run.target, base.id, run.id, matcher);
  // Unchanged findings are only counted (shared intervals): the same filter, over counts.
  const shared = { all: d.sameIntervalCount, unsuppressed: d.sameIntervalCount - d.sameIntervalSuppressedCount };
  out.unchanged = countForFilter(options.suppressed, shared);
  out.leftOut += shared.all - out.unchanged;

  const inBase = new Map<number, FindingStateView>();
  for (const b of d.onlyBase) inBase.set(b.findingId, b);
  const inHead = new Set<number>();
  for (const state of d.onlyHead) {
    inHead.add(state.findingId);
    const suppressionId = suppressionOf(state);
    if (!keep(suppressionId)) {
      out.leftOut++;
      continue;
    }
    const before = inBase.get(state.findingId);
    if (!before) out.new.push({ state, suppressionId });
    else if (stateChanged(before, state)) out.changed.push({ state, before, suppressionId });
    else out.unchanged++;
  }
  for (const state of d.onlyBase) {
    if (inHead.has(state.findingId)) continue;
    const suppressionId = suppressionOf(state);
    if (keep(suppressionId)) out.resolved.push({ state, suppressionId });
    else out.leftOut++;
  }
  out.new = bySeverity(out.new);
  out.resolved = bySeverity(out.resolved);
  out.changed = bySeverity(out.changed);
  return out;
}
