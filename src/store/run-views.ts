/**
 * What runs saw, read from the state intervals: what succeeded run R saw = the intervals of R's
 * target with from_run ≤ R ≤ to_run (or to_run open). A diff of two runs compares the intervals
 * covering each: shared intervals are only counted, the others are returned with their finding's
 * identity (in at most four indexed queries).
 */
import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, gte, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { EvidenceMap, Finding, FindingStateView } from '../domain/findings';
import type { SuppressionMatcher } from '../domain/suppressions';
import type { Db } from './db';
import type { FindingReads } from './finding-reads';
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

/** The condition "interval covers run R": from_run <= R AND (to_run IS NULL OR to_run >= R). */
const coversRun = (target: string, runId: number): SQL =>
  and(eq(findingStates.target, target), lte(findingStates.fromRunId, runId), or(isNull(findingStates.toRunId), gte(findingStates.toRunId, runId))) as SQL;

export function makeRunViews(db: Db, sqlite: Database.Database, reads: FindingReads) {
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
