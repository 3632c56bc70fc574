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
 *
 * Two ways to read a diff:
 * - diffPage (GET /api/scans/{id}/diff): the counts of the whole diff from COUNT queries over the
 *   intervals (the suppressed findings' share counted from their own intervals), and one page of items
 *   per asked category, by keyset over the intervals in the order the store reads them (new and changed
 *   in the order their state began, resolved in the order it ended). A page costs the same whether the
 *   diff holds ten items or tens of thousands. streamDiff reads every item the same way, a page at a
 *   time (the CSV export). Suppressions are matched against the findings (their current user names).
 * - diffRuns: the whole diff in memory, most severe first (the webhook's notification, small diffs of
 *   consecutive runs). Suppressions are matched against each state's user name.
 */
import { SEVERITIES } from '../domain/severity';
import { AppError } from '../errors';
import { decodeCursorBody, encodeCursorBody } from './cursor';
import type { Store } from '../store';
import type { ScanRun } from '../domain/runs';
import { loadRun, requireSucceeded } from './runs';
import {
  countForFilter,
  DIFF_CATEGORIES,
  keepsSuppressed,
  stateChanged,
  type DiffCategory,
  type FindingStateView,
  type SuppressedFilter,
} from '../domain/findings';
import type { DiffPageItem, DiffPosition, DiffRestriction } from '../store';

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

/** The run and its base (given, or the previous succeeded run of its target): 404, 400 or 409 when they cannot be compared. */
function runsToCompare(store: Store, runId: number, baseId: number | undefined): { run: ScanRun; base: ScanRun | null } {
  const run = loadRun(store, runId);
  let base: ScanRun | null;
  if (baseId !== undefined) {
    base = loadRun(store, baseId, 'query parameter base');
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
  return { run, base };
}

/**
 * The whole diff with every item, most severe first (the webhook's notification). The API pages
 * instead (diffPage): a diff of runs far apart can hold tens of thousands of items.
 */
export function diffRuns(store: Store, runId: number, options: DiffOptions): RunDiff {
  const { run, base } = runsToCompare(store, runId, options.baseId);

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

export interface DiffCounts {
  new: number;
  resolved: number;
  changed: number;
  unchanged: number;
  /** Findings the suppression filter left out (of all four categories). */
  leftOut: number;
}

export interface DiffPageOptions extends DiffOptions {
  /** One category, or all three (undefined): each gets up to `limit` items per page. */
  category?: DiffCategory;
  limit: number;
  /** next_cursor of the previous page (the same run, base, category and suppressed filter). */
  cursor?: string;
}

export interface DiffPage {
  run: ScanRun;
  base: ScanRun | null;
  suppressed: SuppressedFilter;
  category: DiffCategory | null;
  limit: number;
  /** The whole diff's counts (every page answers them). */
  counts: DiffCounts;
  new: DiffItem[];
  resolved: DiffItem[];
  changed: ChangedItem[];
  /** null when no asked category has more items. */
  nextCursor: string | null;
}

/** Where each asked category stands: the last position served, `null` once it has no more items. */
type Positions = Partial<Record<DiffCategory, DiffPosition | null>>;

interface DiffCursorBody {
  v: 1;
  /** run, base (0: none), category ('all'), suppressed filter: a cursor only continues the query it came from. */
  r: number;
  b: number;
  c: DiffCategory | 'all';
  s: SuppressedFilter;
  p: Positions;
}

const encodeDiffCursor = (body: DiffCursorBody): string => encodeCursorBody(body);

const isPosition = (v: unknown): v is DiffPosition => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isSafeInteger(n));

function decodeDiffCursor(cursor: string, expected: Omit<DiffCursorBody, 'v' | 'p'>): Positions {
  const body = decodeCursorBody<DiffCursorBody>(
    cursor,
    (b) =>
      b.v === 1 &&
      typeof b.p === 'object' &&
      b.p !== null &&
      Object.entries(b.p).every(([k, v]) => (DIFF_CATEGORIES as readonly string[]).includes(k) && (v === null || isPosition(v))),
  );
  const p = body.p;
  if (body.r !== expected.r || body.b !== expected.b || body.c !== expected.c || body.s !== expected.s) {
    throw AppError.validation([
      {
        field: 'cursor',
        message: 'was issued for another run, base, category or suppressed filter; repeat the same query parameters, or start again without cursor',
      },
    ]);
  }
  return p;
}

/** How the suppressed filter reads the intervals: the covered findings, and which of them a query keeps. */
function suppressionView(store: Store, run: ScanRun, filter: SuppressedFilter, now: number) {
  const matcher = store.suppressions.matcher(run.target, now);
  // Suppressions are matched against the findings (their current user names): finding id → suppression id.
  const covered = matcher.empty ? new Map<number, number>() : store.findings.coveredFindings(run.target, matcher);
  const ids = [...covered.keys()];
  const restrict: DiffRestriction | undefined =
    filter === 'include' || (filter === 'exclude' && ids.length === 0) ? undefined : { mode: filter === 'only' ? 'in' : 'not_in', findingIds: ids };
  return { covered, ids, restrict, suppressionOf: (findingId: number) => covered.get(findingId) ?? null };
}

/**
 * The counts of every category under the suppressed filter, and how many it left out: the whole diff
 * counted by the store (COUNT queries), the suppressed findings' share counted here from their own
 * intervals, as diffRuns classifies them (suppressions cover a few findings, the diff can hold tens of thousands).
 */
function countDiff(store: Store, run: ScanRun, base: ScanRun | null, filter: SuppressedFilter, view: ReturnType<typeof suppressionView>): DiffCounts {
  const all = store.runViews.diffCounts(run.target, base?.id ?? null, run.id);
  const covered = { new: 0, resolved: 0, changed: 0, unchanged: 0 };
  const atBase = new Map<number, FindingStateView & { intervalId: number }>();
  const atHead = new Map<number, FindingStateView & { intervalId: number }>();
  // `include` shows everything: the suppressed share is not needed.
  for (const s of filter === 'include' ? [] : store.runViews.statesAt(view.ids, base?.id ?? null, run.id)) {
    if (s.coversBase) atBase.set(s.state.findingId, Object.assign(s.state, { intervalId: s.id }));
    if (s.coversHead) atHead.set(s.state.findingId, Object.assign(s.state, { intervalId: s.id }));
  }
  for (const id of filter === 'include' ? [] : view.ids) {
    const b = atBase.get(id);
    const h = atHead.get(id);
    if (h && !b) covered.new++;
    else if (b && !h) covered.resolved++;
    else if (b && h) {
      if (b.intervalId !== h.intervalId && stateChanged(b, h)) covered.changed++;
      else covered.unchanged++;
    }
  }
  const shown = (k: keyof typeof covered) => countForFilter(filter, { all: all[k], unsuppressed: all[k] - covered[k] });
  const counts = { new: shown('new'), resolved: shown('resolved'), changed: shown('changed'), unchanged: shown('unchanged') };
  const leftOut = all.new + all.resolved + all.changed + all.unchanged - (counts.new + counts.resolved + counts.changed + counts.unchanged);
  return { ...counts, leftOut };
}

const toItem = (view: ReturnType<typeof suppressionView>) => (i: DiffPageItem): DiffItem => ({ state: i.state, suppressionId: view.suppressionOf(i.state.findingId) });
const toChangedItem = (view: ReturnType<typeof suppressionView>) => (i: DiffPageItem): ChangedItem => ({
  state: i.state,
  // A changed item always has its base interval (it is what makes it changed).
  before: i.before!,
  suppressionId: view.suppressionOf(i.state.findingId),
});

/**
 * One page of Diff(base, run): the counts of the whole diff (COUNT queries, never the items), and
 * up to `limit` items of each asked category after the cursor's positions, in the order of their
 * intervals (new and changed in the order they began, resolved in the order they ended).
 */
export function diffPage(store: Store, runId: number, options: DiffPageOptions): DiffPage {
  const { run, base } = runsToCompare(store, runId, options.baseId);
  const key = { r: run.id, b: base?.id ?? 0, c: options.category ?? ('all' as const), s: options.suppressed };
  const asked: readonly DiffCategory[] = options.category ? [options.category] : DIFF_CATEGORIES;
  const from: Positions = options.cursor !== undefined ? decodeDiffCursor(options.cursor, key) : {};
  const view = suppressionView(store, run, options.suppressed, options.now);
  const page: DiffPage = {
    run,
    base,
    suppressed: options.suppressed,
    category: options.category ?? null,
    limit: options.limit,
    counts: countDiff(store, run, base, options.suppressed, view),
    new: [],
    resolved: [],
    changed: [],
    nextCursor: null,
  };
  const next: Positions = {};
  for (const category of asked) {
    const after = from[category];
    if (after === null) {
      next[category] = null; // served completely on an earlier page
      continue;
    }
    // One more row than asked tells whether the category continues.
    const rows = store.runViews.diffPage(run.target, base?.id ?? null, run.id, category, after ?? null, options.limit + 1, view.restrict);
    const served = rows.slice(0, options.limit);
    next[category] = rows.length > options.limit ? served[served.length - 1]!.position : null;
    if (category === 'changed') page.changed = served.map(toChangedItem(view));
    else page[category] = served.map(toItem(view));
  }
  if (asked.some((c) => next[c] !== null)) page.nextCursor = encodeDiffCursor({ v: 1, ...key, p: next });
  return page;
}

/** Items per query while a diff is streamed (CSV). */
export const DIFF_STREAM_PAGE = 1000;

export interface StreamedDiff {
  run: ScanRun;
  base: ScanRun | null;
  /** Every item of every category (new, then resolved, then changed), read a page at a time as it is consumed. */
  items: Iterable<{ change: DiffCategory; item: DiffItem | ChangedItem }>;
}

/**
 * The whole diff, streamed: the runs are checked now (404, 400, 409 before anything is written); the
 * items are read a page at a time while the caller consumes them, never all held in memory.
 */
export function streamDiff(store: Store, runId: number, options: DiffOptions): StreamedDiff {
  const { run, base } = runsToCompare(store, runId, options.baseId);
  const view = suppressionView(store, run, options.suppressed, options.now);
  function* items(): Generator<{ change: DiffCategory; item: DiffItem | ChangedItem }> {
    for (const change of DIFF_CATEGORIES) {
      let after: DiffPosition | null = null;
      for (;;) {
        const rows = store.runViews.diffPage(run.target, base?.id ?? null, run.id, change, after, DIFF_STREAM_PAGE, view.restrict);
        const toOut = change === 'changed' ? toChangedItem(view) : toItem(view);
        for (const row of rows) yield { change, item: toOut(row) };
        if (rows.length < DIFF_STREAM_PAGE) break;
        after = rows[rows.length - 1]!.position;
      }
    }
  }
  return { run, base, items: items() };
}
