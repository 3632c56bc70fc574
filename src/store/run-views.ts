/**
 * What runs saw, read from the state intervals: what succeeded run R saw = the intervals of R's
 * target with from_run ≤ R ≤ to_run (or to_run open). A diff of two runs compares the intervals
 * covering each: shared intervals are only counted, the others are returned with their finding's
 * identity — all at once (diffIntervals, in at most four indexed queries), or counted (diffCounts)
 * and paged by keyset (diffPage) without building the items of the whole diff.
 */
import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, gte, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { DiffCategory as Category, EvidenceMap, Finding, FindingStateView } from '../domain/findings';
import type { SuppressionMatcher } from '../domain/suppressions';
import type { Db } from './db';
import type { FindingReads } from './finding-reads';
import type { ReadCache } from './read-cache';
import { findingStates, findings } from './schema';

/** A FindingStateView whose evidence is parsed only when read (diffs list tens of thousands of states). */
class StateView implements FindingStateView {
  private parsed: EvidenceMap | undefined;
  constructor(
    readonly findingId: number,
    readonly checkId: string,
    readonly resourceType: string,
    readonly resourceId: string,
    readonly userName: string | null,
    readonly severity: string,
    readonly durableJson: string,
  ) {}
  get durable(): EvidenceMap {
    return (this.parsed ??= JSON.parse(this.durableJson) as EvidenceMap);
  }
}

type StateViewRow = [number, string, string, string, string | null, string, string];
const toStateView = (r: StateViewRow): FindingStateView => new StateView(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);

const STATE_VIEW_COLUMNS = `s.finding_id, s.check_id, s.resource_type, s.resource_id, s.user_name, s.severity, s.durable_json`;

export interface IntervalDiff {
  /** Intervals covering both runs (the same state seen by both). */
  sameIntervalCount: number;
  /** Of those, the ones a suppression of the matcher applies to (0 without a matcher). */
  sameIntervalSuppressedCount: number;
  /**
   * Intervals covering the base run only (in the order they ended) / the head run only (in the order
   * they began): index order, no sort.
   */
  onlyBase: FindingStateView[];
  onlyHead: FindingStateView[];
}


/**
 * Which of a category's items a diff query keeps by finding id: only those (`in`) or all but those
 * (`not_in`) — the findings a suppression covers, for the suppressed filter. undefined: every item.
 */
export interface DiffRestriction {
  mode: 'in' | 'not_in';
  findingIds: readonly number[];
}

/** A diff's counts, from COUNT queries over the intervals (no item is built). */
export interface DiffCounts {
  new: number;
  resolved: number;
  changed: number;
  unchanged: number;
}

/**
 * A keyset position in a category: the last item's ordering value (the run its interval began in, or
 * ended in — see diffPage) and its interval id.
 */
export type DiffPosition = readonly [number, number];

export interface DiffPageItem {
  state: FindingStateView;
  /** For changed items: the finding's state in the base run. */
  before?: FindingStateView;
  position: DiffPosition;
}

/** The condition "interval covers run R": from_run <= R AND (to_run IS NULL OR to_run >= R). */
const coversRun = (target: string, runId: number): SQL =>
  and(eq(findingStates.target, target), lte(findingStates.fromRunId, runId), or(isNull(findingStates.toRunId), gte(findingStates.toRunId, runId))) as SQL;

/**
 * The two kinds of intervals a diff of runs lo < hi lists (the others cover both runs, or neither):
 * - `hi_only`: began after lo and still covered hi; in the order they began (from_run_id, id) — the
 *   index finding_states_target_from_id_to reads them in that order, the end run in the index;
 * - `lo_only`: covered lo and ended before hi; in the order they ended (to_run_id, id) — the index
 *   finding_states_target_to_id_from.
 * A page reads its rows in order and stops at its limit (before those indexes it sorted every
 * interval that began in the same run: 4 ms a page for a first run of 17,500 findings, 0.2 ms after).
 * For a diff against no base, `covering`: the intervals covering the run, in the order they began.
 * Intervals of one target are inserted in run order, so `id` breaks ties chronologically.
 */
type Shape = 'hi_only' | 'lo_only' | 'covering';

const SHAPES: Record<Shape, { where: string; order: string; key: string; index: string }> = {
  // params: target, lo, hi, hi
  hi_only: {
    where: `s.target = ? AND s.from_run_id > ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)`,
    order: 's.from_run_id',
    key: 's.from_run_id',
    index: 'finding_states_target_from_id_to',
  },
  // params: target, lo, lo, hi
  lo_only: {
    where: `s.target = ? AND s.from_run_id <= ? AND s.to_run_id >= ? AND s.to_run_id < ?`,
    order: 's.to_run_id',
    key: 's.to_run_id',
    index: 'finding_states_target_to_id_from',
  },
  // params: target, run, run
  covering: {
    where: `s.target = ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)`,
    order: 's.from_run_id',
    key: 's.from_run_id',
    index: 'finding_states_target_from_id_to',
  },
};

const shapeParams = (shape: Shape, target: string, lo: number, hi: number): unknown[] =>
  shape === 'hi_only' ? [target, lo, hi, hi] : shape === 'lo_only' ? [target, lo, lo, hi] : [target, hi, hi];

/**
 * Counting: a set of intervals as parts, each read through the index that suits it. SQLite keeps no
 * statistics here, so the choice is made from the runs' ids: an interval still open (to_run_id NULL)
 * is found on the (target, to_run_id, …) index directly; a closed one either by the runs it may have
 * begun in (target, from_run_id, …) or by those it may have ended in (target, to_run_id, …) —
 * whichever range spans fewer runs. Both indexes hold the finding id: a count never reads the table.
 */
interface CountPart {
  where: string;
  params: unknown[];
  index: 'finding_states_target_from_to_finding' | 'finding_states_target_to_from_finding';
}

const BY_FROM = 'finding_states_target_from_to_finding' as const;
const BY_TO = 'finding_states_target_to_from_finding' as const;
const cheaper = (fromRuns: number, toRuns: number) => (fromRuns <= toRuns ? BY_FROM : BY_TO);

interface RunSpan {
  first: number;
  last: number;
}

/** Intervals covering lo and hi (lo ≤ hi): begun by lo, open or ended at hi or later. */
const coveringParts = (target: string, lo: number, hi: number, runs: RunSpan): CountPart[] => [
  { where: `s.target = ? AND s.to_run_id IS NULL AND s.from_run_id <= ?`, params: [target, lo], index: BY_TO },
  { where: `s.target = ? AND s.to_run_id >= ? AND s.from_run_id <= ?`, params: [target, hi, lo], index: cheaper(lo - runs.first, runs.last - hi) },
];

/** Intervals covering hi but not lo (the `hi_only` shape). */
const hiOnlyParts = (target: string, lo: number, hi: number, runs: RunSpan): CountPart[] => [
  { where: `s.target = ? AND s.to_run_id IS NULL AND s.from_run_id > ? AND s.from_run_id <= ?`, params: [target, lo, hi], index: BY_TO },
  {
    where: `s.target = ? AND s.to_run_id >= ? AND s.from_run_id > ? AND s.from_run_id <= ?`,
    params: [target, hi, lo, hi],
    index: cheaper(hi - lo, runs.last - hi),
  },
];

/** Intervals covering lo but not hi (the `lo_only` shape). */
const loOnlyParts = (target: string, lo: number, hi: number, runs: RunSpan): CountPart[] => [
  { where: `s.target = ? AND s.to_run_id >= ? AND s.to_run_id < ? AND s.from_run_id <= ?`, params: [target, lo, hi, lo], index: cheaper(lo - runs.first, hi - lo) },
];

/** The finding's interval covering run ? (at most one: a finding's intervals never overlap). */
const PARTNER = `FROM finding_states p WHERE p.finding_id = s.finding_id AND p.from_run_id <= ? AND (p.to_run_id IS NULL OR p.to_run_id >= ?)`;
const SAME_STATE = `p.severity = s.severity AND p.durable_json = s.durable_json`;

const restrictionSql = (r: DiffRestriction | undefined): string =>
  r === undefined ? '' : ` AND s.finding_id ${r.mode === 'in' ? 'IN' : 'NOT IN'} (SELECT value FROM json_each(?))`;
const restrictionParams = (r: DiffRestriction | undefined): unknown[] => (r === undefined ? [] : [JSON.stringify(r.findingIds)]);

export function makeRunViews(db: Db, sqlite: Database.Database, reads: FindingReads, cache: ReadCache) {
  // Diff statements, prepared once per shape of query.
  const statements = new Map<string, Database.Statement>();
  function statement(sql: string): Database.Statement;
  function statement(key: string, sql: string): Database.Statement;
  function statement(keyOrSql: string, maybeSql?: string): Database.Statement {
    const key = keyOrSql;
    const sql = maybeSql ?? keyOrSql;
    let st = statements.get(key);
    if (!st) {
      st = sqlite.prepare(sql);
      st.raw();
      statements.set(key, st);
    }
    return st;
  }

  const runSpan = sqlite.prepare(`SELECT min(id), max(id) FROM scan_runs WHERE target = ?`).raw();
  const countParts = (parts: readonly CountPart[]): number =>
    parts.reduce((n, part) => n + (statement(`SELECT count(*) FROM finding_states s INDEXED BY ${part.index} WHERE ${part.where}`).pluck(true).get(...part.params) as number), 0);

  /** The runs as the shapes see them: lo < hi, and which shape holds the head's and the base's intervals. */
  const sidesOf = (baseRunId: number | null, headRunId: number) => {
    if (baseRunId === null) return { lo: headRunId, hi: headRunId, head: 'covering' as Shape, base: null };
    const lo = Math.min(baseRunId, headRunId);
    const hi = Math.max(baseRunId, headRunId);
    return baseRunId <= headRunId
      ? { lo, hi, head: 'hi_only' as Shape, base: 'lo_only' as Shape }
      : { lo, hi, head: 'lo_only' as Shape, base: 'hi_only' as Shape };
  };

  /** A category's intervals: its shape and the partner condition (the finding's interval in the other run). */
  function categorySql(category: Category, sides: ReturnType<typeof sidesOf>, baseRunId: number | null, headRunId: number) {
    if (category === 'resolved') {
      return { shape: sides.base!, partner: `AND NOT EXISTS (SELECT 1 ${PARTNER})`, partnerParams: [headRunId, headRunId] };
    }
    if (sides.base === null) return { shape: sides.head, partner: '', partnerParams: [] };
    return category === 'new'
      ? { shape: sides.head, partner: `AND NOT EXISTS (SELECT 1 ${PARTNER})`, partnerParams: [baseRunId, baseRunId] }
      : { shape: sides.head, partner: `AND EXISTS (SELECT 1 ${PARTNER} AND NOT (${SAME_STATE}))`, partnerParams: [baseRunId, baseRunId] };
  }

  /** The counts of a diff (diffCounts), from the COUNT queries. */
  function countDiff(target: string, baseRunId: number | null, headRunId: number): DiffCounts {
    const span = runSpan.get(target) as [number | null, number | null];
    const runs = { first: span[0] ?? headRunId, last: span[1] ?? headRunId };
    if (baseRunId === null) return { new: countParts(coveringParts(target, headRunId, headRunId, runs)), resolved: 0, changed: 0, unchanged: 0 };
    const lo = Math.min(baseRunId, headRunId);
    const hi = Math.max(baseRunId, headRunId);
    const hiOnly = hiOnlyParts(target, lo, hi, runs);
    const loOnly = loOnlyParts(target, lo, hi, runs);
    const [headParts, baseParts] = baseRunId <= headRunId ? [hiOnly, loOnly] : [loOnly, hiOnly];
    const nHead = countParts(headParts);
    const nBase = countParts(baseParts);
    // Findings with an interval on each side (the base one is the partner of the head one): found on
    // the indexes alone; only for those pairs are both states read, to tell changed from unchanged.
    let nPairs = 0;
    let nSameState = 0;
    for (const part of headParts) {
      const [pairs, sameState] = statement(
        `SELECT count(*), coalesce(sum((SELECT a.severity = b.severity AND a.durable_json = b.durable_json
                                        FROM finding_states a, finding_states b WHERE a.id = x.sid AND b.id = x.pid)), 0)
         FROM (SELECT s.id AS sid, p.id AS pid FROM finding_states s INDEXED BY ${part.index} JOIN finding_states p
                 ON p.finding_id = s.finding_id AND p.from_run_id <= ? AND (p.to_run_id IS NULL OR p.to_run_id >= ?)
               WHERE ${part.where}) x`,
      ).get(baseRunId, baseRunId, ...part.params) as [number, number];
      nPairs += pairs;
      nSameState += sameState;
    }
    // Intervals covering both runs: the same state seen by both.
    const nShared = countParts(coveringParts(target, lo, hi, runs));
    // A finding resolved and back in the same state between the runs has two intervals of equal state: unchanged.
    return { new: nHead - nPairs, resolved: nBase - nPairs, changed: nPairs - nSameState, unchanged: nShared + nSameState };
  }

  const prepare = () => {
    const st = {
      // Diff (lo < hi): intervals covering both, covering lo only, covering hi only.
      sameCount: sqlite.prepare(`SELECT count(*) FROM finding_states WHERE target = ? AND from_run_id <= ? AND (to_run_id IS NULL OR to_run_id >= ?)`),
      // Shared intervals that a suppression may cover (by finding id, or of a suppressed check), to match in JS.
      sameCandidates: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM finding_states s
         WHERE s.target = ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)
           AND (s.finding_id IN (SELECT value FROM json_each(?)) OR s.check_id IN (SELECT value FROM json_each(?)))`,
      ),
      onlyLo: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM finding_states s
         WHERE s.target = ? AND s.to_run_id >= ? AND s.to_run_id < ? AND s.from_run_id <= ?
         ORDER BY s.to_run_id, s.id`,
      ),
      onlyHi: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM finding_states s
         WHERE s.target = ? AND s.from_run_id > ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)
         ORDER BY s.from_run_id, s.id`,
      ),
      coveringViews: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM finding_states s
         WHERE s.target = ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)
         ORDER BY s.from_run_id, s.id`,
      ),
    };
    st.sameCount.pluck();
    for (const s of [st.onlyLo, st.onlyHi, st.coveringViews, st.sameCandidates]) s.raw();
    return st;
  };
  let prepared: ReturnType<typeof prepare> | null = null;
  const S = () => (prepared ??= prepare());

  return {
    /**
     * Exactly what succeeded run R saw: the intervals covering R, with the severity and durable
     * evidence of that interval (the finding row holds only the latest ones).
     */
    seenByRun(target: string, runId: number, page: { limit: number; offset: number }, now?: number): { items: Finding[]; total: number } {
      const where = coversRun(target, runId);
      const rows = db
        .select({ f: findings, s: findingStates })
        .from(findingStates)
        .innerJoin(findings, eq(findings.id, findingStates.findingId))
        .where(where)
        .orderBy(desc(findings.severityRank), asc(findings.id))
        .limit(page.limit)
        .offset(page.offset)
        .all();
      const total = db.select({ n: count() }).from(findingStates).where(where).get()?.n ?? 0;
      const annotated = reads.annotate(
        rows.map((r) => r.f),
        now,
      );
      return {
        items: rows.map(({ s }, i) => ({ ...annotated[i]!, severity: s.severity, durable: JSON.parse(s.durableJson) as EvidenceMap })),
        total,
      };
    },

    /** Every state run R saw, with its finding's identity (a diff against no base). */
    statesCovering(target: string, runId: number): FindingStateView[] {
      return (S().coveringViews.all(target, runId, runId) as StateViewRow[]).map(toStateView);
    },

    /**
     * The counts of a diff of two succeeded runs of a target (base null: against nothing, every
     * interval covering the run is new), from COUNT queries over the covering indexes: no item is built.
     */
    diffCounts(target: string, baseRunId: number | null, headRunId: number): DiffCounts {
      return cache.get(`diff-counts:${JSON.stringify([target, baseRunId, headRunId])}`, () => countDiff(target, baseRunId, headRunId));
    },

    /**
     * The intervals of the given findings that cover either run (base null: only the run), with the
     * finding's identity: for counting a few findings (the suppressed ones) the way diffRuns does.
     */
    statesAt(findingIds: readonly number[], baseRunId: number | null, headRunId: number): Array<{ state: FindingStateView; id: number; coversBase: boolean; coversHead: boolean }> {
      if (findingIds.length === 0) return [];
      const b = baseRunId ?? headRunId;
      const st = statement(
        'states:at',
        `SELECT ${STATE_VIEW_COLUMNS}, s.id,
                s.from_run_id <= @base AND (s.to_run_id IS NULL OR s.to_run_id >= @base),
                s.from_run_id <= @head AND (s.to_run_id IS NULL OR s.to_run_id >= @head)
         FROM json_each(@ids) j CROSS JOIN finding_states s ON s.finding_id = j.value -- CROSS JOIN: the ids drive (finding index)
         WHERE ((s.from_run_id <= @base AND (s.to_run_id IS NULL OR s.to_run_id >= @base))
             OR (s.from_run_id <= @head AND (s.to_run_id IS NULL OR s.to_run_id >= @head)))`,
      );
      return (st.all({ base: b, head: headRunId, ids: JSON.stringify(findingIds) }) as Array<[...StateViewRow, number, number, number]>).map((r) => ({
        state: toStateView(r.slice(0, 7) as StateViewRow),
        id: r[7],
        coversBase: baseRunId !== null && r[8] === 1,
        coversHead: r[9] === 1,
      }));
    },

    /**
     * One page of a diff category, after `after` (null: from the start), at most `limit` items, in the
     * order of its intervals (see Shape): new and changed in the order they began, resolved in the
     * order they ended (for a base after the run, the other way round). Changed items carry the base state.
     */
    diffPage(
      target: string,
      baseRunId: number | null,
      headRunId: number,
      category: Category,
      after: DiffPosition | null,
      limit: number,
      restrict?: DiffRestriction,
    ): DiffPageItem[] {
      const sides = sidesOf(baseRunId, headRunId);
      if (sides.base === null && category !== 'new') return [];
      const c = categorySql(category, sides, baseRunId, headRunId);
      const shape = SHAPES[c.shape];
      const r = restrictionSql(restrict);
      // The index is read in the order of the shape's key (one run's intervals then sorted by id); the
      // redundant `key >= ?` lets each page start at its position instead of the beginning of the range.
      const afterSql = after ? ` AND ${shape.key} >= ? AND (${shape.key}, s.id) > (?, ?)` : '';
      const st = statement(
        `page:${category}:${c.shape}:${sides.base === null}:${r}:${after !== null}`,
        `SELECT ${STATE_VIEW_COLUMNS}, ${shape.key}, s.id FROM finding_states s INDEXED BY ${shape.index}
         WHERE ${shape.where} ${c.partner}${r}${afterSql}
         ORDER BY ${shape.order}, s.id LIMIT ?`,
      );
      const rows = st.all(
        ...shapeParams(c.shape, target, sides.lo, sides.hi),
        ...c.partnerParams,
        ...restrictionParams(restrict),
        ...(after ? [after[0], after[0], after[1]] : []),
        limit,
      ) as Array<[...StateViewRow, number, number]>;
      const items: DiffPageItem[] = rows.map((row) => ({
        state: toStateView(row.slice(0, 7) as StateViewRow),
        position: [row[7], row[8]] as const,
      }));
      if (category === 'changed' && items.length > 0) {
        // The base state of each changed item: the finding's interval covering the base run.
        const before = statement(
          'changed:before',
          `SELECT ${STATE_VIEW_COLUMNS} FROM finding_states s
           WHERE s.finding_id IN (SELECT value FROM json_each(?)) AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)`,
        );
        const byFinding = new Map<number, FindingStateView>();
        for (const row of before.all(JSON.stringify(items.map((i) => i.state.findingId)), baseRunId, baseRunId) as StateViewRow[]) {
          byFinding.set(row[0], toStateView(row));
        }
        for (const item of items) item.before = byFinding.get(item.state.findingId);
      }
      return items;
    },

    /** The interval-level difference between two succeeded runs of a target. */
    diffIntervals(target: string, baseRunId: number, headRunId: number, matcher?: SuppressionMatcher): IntervalDiff {
      const st = S();
      const lo = Math.min(baseRunId, headRunId);
      const hi = Math.max(baseRunId, headRunId);
      const sameIntervalCount = st.sameCount.get(target, lo, hi) as number;
      let sameIntervalSuppressedCount = 0;
      if (matcher && !matcher.empty) {
        const ids = matcher.rules.filter((r) => r.findingId !== null).map((r) => r.findingId);
        const checks = [...new Set(matcher.rules.filter((r) => r.findingId === null).map((r) => r.checkId))];
        for (const row of st.sameCandidates.all(target, lo, hi, JSON.stringify(ids), JSON.stringify(checks)) as StateViewRow[]) {
          if (matcher.match({ id: row[0], checkId: row[1], userName: row[4] }) !== null) sameIntervalSuppressedCount++;
        }
      }
      const onlyLo = lo === hi ? [] : (st.onlyLo.all(target, lo, hi, lo) as StateViewRow[]).map(toStateView);
      const onlyHi = lo === hi ? [] : (st.onlyHi.all(target, lo, hi, hi) as StateViewRow[]).map(toStateView);
      return baseRunId <= headRunId
        ? { sameIntervalCount, sameIntervalSuppressedCount, onlyBase: onlyLo, onlyHead: onlyHi }
        : { sameIntervalCount, sameIntervalSuppressedCount, onlyBase: onlyHi, onlyHead: onlyLo };
    },
  };
}

export type RunViews = ReturnType<typeof makeRunViews>;
