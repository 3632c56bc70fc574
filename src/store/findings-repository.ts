import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, gt, gte, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import { findingStates, findings, type FindingRow, type FindingStateRow } from './schema';
import { collapseStars, type SuppressionMatcher } from './suppression-match';
import type { SuppressionsRepository } from './suppressions-repository';

export type EvidenceMap = Record<string, string | number | boolean | null>;

/** A finding as a check produced it in this run, enriched with its check's title and remediation. */
export interface FindingInput {
  checkId: string;
  severity: string;
  severityRank: number;
  resourceType: string;
  resourceId: string;
  userName: string | null;
  userArn: string | null;
  title: string;
  message: string;
  remediation: string;
  durable: EvidenceMap;
  volatile: EvidenceMap;
}

export interface Finding {
  id: number;
  target: string;
  checkId: string;
  severity: string;
  severityRank: number;
  title: string;
  message: string;
  resourceType: string;
  resourceId: string;
  userName: string | null;
  userArn: string | null;
  durable: EvidenceMap;
  volatile: EvidenceMap;
  remediation: string;
  status: 'open' | 'resolved';
  firstSeenRunId: number;
  firstSeenAt: number;
  lastSeenRunId: number;
  lastSeenAt: number;
  resolvedRunId: number | null;
  resolvedAt: number | null;
  /** The suppression that applies now (evaluated at read time against the clock), or null. */
  suppressionId: number | null;
}

export type EndReason = 'changed' | 'resolved';

export interface FindingInterval {
  id: number;
  findingId: number;
  severity: string;
  durable: EvidenceMap;
  fromRunId: number;
  fromAt: number;
  toRunId: number | null;
  toAt: number | null;
  /** The run that ended this state and why (null while open). */
  endedByRunId: number | null;
  endedAt: number | null;
  endReason: EndReason | null;
}

/** What a finding looked like in one run (the diff's before/after), with the finding's identity. */
export interface FindingStateView {
  findingId: number;
  checkId: string;
  title: string;
  resourceType: string;
  resourceId: string;
  userName: string | null;
  severity: string;
  /** stableJson of the durable evidence: compare as strings, or write into JSON as is. */
  durableJson: string;
  /** The durable evidence, parsed on first use. */
  readonly durable: EvidenceMap;
}

/** A FindingStateView whose evidence is parsed only when read (diffs list tens of thousands of states). */
class StateView implements FindingStateView {
  private parsed: EvidenceMap | undefined;
  constructor(
    readonly findingId: number,
    readonly checkId: string,
    readonly title: string,
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

export interface FindingRef {
  id: number;
  checkId: string;
  userName: string | null;
  severity: string;
}

export interface RecordOutcome {
  newCount: number;
  changedCount: number;
  resolvedCount: number;
  reopenedCount: number;
  unchangedCount: number;
}

/** applyRun's outcome with the findings involved (for per-run counts that leave suppressed findings out). */
export interface ApplyRunResult extends RecordOutcome {
  /** Every finding this run saw. */
  seen: FindingRef[];
  newIds: number[];
  reopenedIds: number[];
  changedIds: number[];
  resolved: FindingRef[];
}

type CheckText = { title: string; remediation: string };

const toFinding = (r: FindingRow, text: CheckText | undefined, suppressionId: number | null = null): Finding => ({
  id: r.id,
  target: r.target,
  checkId: r.checkId,
  severity: r.severity,
  severityRank: r.severityRank,
  title: text?.title ?? r.checkId,
  message: r.message,
  resourceType: r.resourceType,
  resourceId: r.resourceId,
  userName: r.userName,
  userArn: r.userArn,
  durable: JSON.parse(r.durableJson) as EvidenceMap,
  volatile: JSON.parse(r.volatileJson) as EvidenceMap,
  remediation: text?.remediation ?? '',
  status: r.status as 'open' | 'resolved',
  firstSeenRunId: r.firstSeenRunId,
  firstSeenAt: r.firstSeenAt,
  lastSeenRunId: r.lastSeenRunId,
  lastSeenAt: r.lastSeenAt,
  resolvedRunId: r.resolvedRunId,
  resolvedAt: r.resolvedAt,
  suppressionId,
});

const toInterval = (r: FindingStateRow): FindingInterval => ({
  id: r.id,
  findingId: r.findingId,
  severity: r.severity,
  durable: JSON.parse(r.durableJson) as EvidenceMap,
  fromRunId: r.fromRunId,
  fromAt: r.fromAt,
  toRunId: r.toRunId,
  toAt: r.toAt,
  endedByRunId: r.endedByRunId,
  endedAt: r.endedAt,
  endReason: (r.endReason as EndReason | null) ?? null,
});

/** Stable JSON (sorted keys) so that equal evidence always compares equal. */
export const stableJson = (value: EvidenceMap): string =>
  JSON.stringify(Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])));

export type FindingSort = 'severity' | 'first_seen' | 'last_seen' | 'check' | 'user';
export type SuppressedFilter = 'exclude' | 'include' | 'only';

/** Keyset position: the sort value and id of the last item of the previous page. */
export interface FindingsKey {
  value: number | string;
  id: number;
}

export interface ListFindingsQuery {
  target: string;
  status: 'open' | 'resolved' | 'all';
  checkId?: string;
  severity?: string;
  minSeverityRank?: number;
  userName?: string;
  resourceId?: string;
  firstSeenSince?: number;
  suppressed: SuppressedFilter;
  sort: FindingSort;
  order: 'asc' | 'desc';
  limit: number;
  /** Either an offset or a keyset position (after), not both. */
  offset?: number;
  after?: FindingsKey;
  /** false: skip the count (CSV export pages). Default true. */
  withTotal?: boolean;
  /** Suppressions are evaluated at this instant (ms); default: the store's clock. */
  now?: number;
}

/** The sort expression of each sort key (user: NULL sorts as ''). */
const SORT_EXPRESSIONS: Record<FindingSort, SQL> = {
  severity: sql`${findings.severityRank}`,
  first_seen: sql`${findings.firstSeenAt}`,
  last_seen: sql`${findings.lastSeenAt}`,
  check: sql`${findings.checkId}`,
  user: sql`coalesce(${findings.userName}, '')`,
};

/** The sort value of a finding for keyset pagination (same as SORT_EXPRESSIONS). */
export function sortValueOf(f: Finding, sort: FindingSort): number | string {
  switch (sort) {
    case 'severity':
      return f.severityRank;
    case 'first_seen':
      return f.firstSeenAt;
    case 'last_seen':
      return f.lastSeenAt;
    case 'check':
      return f.checkId;
    case 'user':
      return f.userName ?? '';
  }
}

/** The condition "interval covers run R": from_run <= R AND (to_run IS NULL OR to_run >= R). */
const coversRun = (target: string, runId: number): SQL =>
  and(
    eq(findingStates.target, target),
    lte(findingStates.fromRunId, runId),
    or(isNull(findingStates.toRunId), gte(findingStates.toRunId, runId)),
  ) as SQL;

const STATE_VIEW_COLUMNS = `s.finding_id, s.check_id, s.resource_type, s.resource_id, s.user_name, s.severity, s.durable_json`;
const STATE_VIEW_FROM = `finding_states s`;

type StateViewRow = [number, string, string, string, string | null, string, string];

export function makeFindingsRepository(db: Db, sqlite: Database.Database, suppressionsRepo: SuppressionsRepository, clock: () => Date) {
  // Prepared once (lazily, after migrations): the per-run write path touches every open finding.
  const prepare = () => {
    const st = {
      openOfTarget: sqlite.prepare(
        `SELECT id, check_id, resource_id, severity, durable_json, volatile_json, message, user_name, user_arn, last_seen_run_id, last_seen_at
         FROM findings WHERE target = ? AND status = 'open'`,
      ),
      byIdentity: sqlite.prepare(`SELECT id, status FROM findings WHERE target = ? AND check_id = ? AND resource_id = ?`),
      insertFinding: sqlite.prepare(
        `INSERT INTO findings (target, check_id, resource_type, resource_id, user_name, user_arn, severity, severity_rank, message,
           durable_json, volatile_json, status, first_seen_run_id, first_seen_at, last_seen_run_id, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
      ),
      allTexts: sqlite.prepare(`SELECT check_id, title, remediation FROM check_texts`),
      upsertText: sqlite.prepare(
        `INSERT INTO check_texts (check_id, title, remediation) VALUES (?, ?, ?)
         ON CONFLICT (check_id) DO UPDATE SET title = excluded.title, remediation = excluded.remediation`,
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
           volatile_json = ?, last_seen_run_id = ?, last_seen_at = ?
         WHERE id = ?`,
      ),
      reopen: sqlite.prepare(
        `UPDATE findings SET severity = ?, severity_rank = ?, message = ?, user_name = ?, user_arn = ?, durable_json = ?,
           volatile_json = ?, last_seen_run_id = ?, last_seen_at = ?, status = 'open', resolved_run_id = NULL, resolved_at = NULL
         WHERE id = ?`,
      ),
      resolve: sqlite.prepare(`UPDATE findings SET status = 'resolved', resolved_run_id = ?, resolved_at = ? WHERE id = ?`),
      touchOpen: sqlite.prepare(
        `UPDATE findings SET last_seen_run_id = ?, last_seen_at = ? WHERE target = ? AND status = 'open' AND last_seen_run_id <> ?`,
      ),
      // Diff (lo < hi): intervals covering both, covering lo only, covering hi only.
      sameCount: sqlite.prepare(
        `SELECT count(*) FROM finding_states WHERE target = ? AND from_run_id <= ? AND (to_run_id IS NULL OR to_run_id >= ?)`,
      ),
      // Shared intervals that a suppression may cover (by finding id, or of a suppressed check), to match in JS.
      sameCandidates: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM ${STATE_VIEW_FROM}
         WHERE s.target = ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)
           AND (s.finding_id IN (SELECT value FROM json_each(?)) OR s.check_id IN (SELECT value FROM json_each(?)))`,
      ),
      onlyLo: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM ${STATE_VIEW_FROM}
         WHERE s.target = ? AND s.to_run_id >= ? AND s.to_run_id < ? AND s.from_run_id <= ?
         ORDER BY s.to_run_id, s.id`,
      ),
      onlyHi: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM ${STATE_VIEW_FROM}
         WHERE s.target = ? AND s.from_run_id > ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)
         ORDER BY s.from_run_id, s.id`,
      ),
      coveringViews: sqlite.prepare(
        `SELECT ${STATE_VIEW_COLUMNS} FROM ${STATE_VIEW_FROM}
         WHERE s.target = ? AND s.from_run_id <= ? AND (s.to_run_id IS NULL OR s.to_run_id >= ?)
         ORDER BY s.from_run_id, s.id`,
      ),
      // Suppression candidates: by id (primary key), by check (the identity index's prefix).
      candidatesById: sqlite.prepare(
        `SELECT id, check_id, user_name FROM findings WHERE id IN (SELECT value FROM json_each(?)) AND target = ?`,
      ),
      // The GLOB is a prefilter (equal to the JS glob for the validated ASCII patterns); matcher.match decides.
      candidatesByCheck: sqlite.prepare(
        `SELECT id, check_id, user_name FROM findings
         WHERE target = ? AND check_id = ? AND lower(coalesce(user_name, '')) GLOB ? AND (? IS NULL OR status = ?)`,
      ),
    };
    st.sameCount.pluck();
    for (const s of [st.onlyLo, st.onlyHi, st.coveringViews, st.sameCandidates, st.candidatesById, st.candidatesByCheck]) s.raw();
    return st;
  };
  let prepared: ReturnType<typeof prepare> | null = null;
  const S = () => (prepared ??= prepare());

  const nowMs = (now?: number) => now ?? clock().getTime();

  /** Every finding of a target (with that status) that a suppression applies to now: finding id → suppression id. */
  const suppressedIndex = (target: string, matcher: SuppressionMatcher, status: 'open' | 'resolved' | null = null): Map<number, number> => {
    const out = new Map<number, number>();
    if (matcher.empty) return out;
    type Candidate = [number, string, string | null];
    const consider = ([id, checkId, userName]: Candidate) => {
      const s = matcher.match({ id, checkId, userName });
      if (s !== null) out.set(id, s);
    };
    const ids = matcher.rules.filter((r) => r.findingId !== null).map((r) => r.findingId);
    if (ids.length > 0) (S().candidatesById.all(JSON.stringify(ids), target) as Candidate[]).forEach(consider);
    for (const r of matcher.rules) {
      if (r.findingId !== null || r.checkId === null) continue;
      // The collapsed pattern: SQLite's GLOB over it stays polynomial too (suppression-match.test.ts times the worst ones).
      const glob = collapseStars(r.userPattern ?? '*').toLowerCase();
      (S().candidatesByCheck.all(target, r.checkId, glob, status, status) as Candidate[]).forEach(consider);
    }
    return out;
  };

  // Check texts (title, remediation): a handful of rows, cached.
  let textsCache: Map<string, CheckText> | null = null;
  const texts = (): Map<string, CheckText> =>
    (textsCache ??= new Map(
      (S().allTexts.all() as { check_id: string; title: string; remediation: string }[]).map((r) => [r.check_id, { title: r.title, remediation: r.remediation }]),
    ));

  const toStateView = (r: StateViewRow): FindingStateView => new StateView(r[0], r[1], texts().get(r[1])?.title ?? r[1], r[2], r[3], r[4], r[5], r[6]);

  const annotate = (rows: FindingRow[], now?: number): Finding[] => {
    if (rows.length === 0) return [];
    const byTarget = new Map<string, SuppressionMatcher>();
    const t = texts();
    return rows.map((r) => {
      let matcher = byTarget.get(r.target);
      if (!matcher) byTarget.set(r.target, (matcher = suppressionsRepo.matcher(r.target, nowMs(now))));
      return toFinding(r, t.get(r.checkId), matcher.empty ? null : matcher.match(r));
    });
  };

  const repo = {
    /**
     * Applies a succeeded run's findings to history. Called inside the run's transaction (see
     * store.recordSucceededRun). Only changes are written: a finding seen again unchanged updates
     * its latest evidence and message (which can hold an age) and last-seen, nothing more.
     */
    applyRun(target: string, runId: number, at: number, inputs: FindingInput[]): ApplyRunResult {
      const result: ApplyRunResult = {
        newCount: 0,
        changedCount: 0,
        resolvedCount: 0,
        reopenedCount: 0,
        unchangedCount: 0,
        seen: [],
        newIds: [],
        reopenedIds: [],
        changedIds: [],
        resolved: [],
      };
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
        last_seen_run_id: number;
        last_seen_at: number;
      };
      const st = S();
      const open = new Map<string, OpenRow>();
      for (const row of st.openOfTarget.all(target) as OpenRow[]) open.set(`${row.check_id}|${row.resource_id}`, row);

      // Per-check texts: written once per check, when they change (re-read: a rolled-back run may have left the cache ahead).
      textsCache = null;
      const known = texts();
      for (const input of inputs) {
        const t = known.get(input.checkId);
        if (!t || t.title !== input.title || t.remediation !== input.remediation) {
          st.upsertText.run(input.checkId, input.title, input.remediation);
          known.set(input.checkId, { title: input.title, remediation: input.remediation });
        }
      }

      const seen = new Set<string>();
      for (const input of inputs) {
        const key = `${input.checkId}|${input.resourceId}`;
        if (seen.has(key)) continue; // a check reports a resource once; be defensive
        seen.add(key);
        const durableJson = stableJson(input.durable);
        const volatileJson = stableJson(input.volatile);
        const latest = [
          input.severity,
          input.severityRank,
          input.message,
          input.userName,
          input.userArn,
          durableJson,
          volatileJson,
          runId,
          at,
        ] as const;
        const identity = [input.checkId, input.resourceType, input.resourceId, input.userName] as const;
        const ref = (id: number): FindingRef => ({ id, checkId: input.checkId, userName: input.userName, severity: input.severity });
        const row = open.get(key);
        if (!row) {
          const before = st.byIdentity.get(target, input.checkId, input.resourceId) as { id: number; status: string } | undefined;
          if (before) {
            // Seen before, resolved since: reopened, with a new interval.
            st.reopen.run(...latest, before.id);
            st.insertState.run(before.id, target, ...identity, input.severity, durableJson, runId, at);
            result.reopenedCount++;
            result.reopenedIds.push(before.id);
            result.seen.push(ref(before.id));
            continue;
          }
          const id = Number(
            st.insertFinding.run(
              target,
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
              runId,
              at,
              runId,
              at,
            ).lastInsertRowid,
          );
          st.insertState.run(id, target, ...identity, input.severity, durableJson, runId, at);
          result.newCount++;
          result.newIds.push(id);
          result.seen.push(ref(id));
          continue;
        }
        result.seen.push(ref(row.id));
        if (row.severity !== input.severity || row.durable_json !== durableJson) {
          // The state changed: close the open interval at the last run that saw the old state; this run ended it.
          st.closeState.run(row.last_seen_run_id, row.last_seen_at, runId, at, 'changed', row.id);
          st.insertState.run(row.id, target, ...identity, input.severity, durableJson, runId, at);
          st.updateLatest.run(...latest, row.id);
          result.changedCount++;
          result.changedIds.push(row.id);
          continue;
        }
        result.unchangedCount++;
        if (row.volatile_json !== volatileJson || row.message !== input.message || row.user_name !== input.userName || row.user_arn !== input.userArn) {
          st.updateLatest.run(...latest, row.id);
        }
      }

      // Open findings that this run did not see are resolved by it.
      for (const [key, row] of open) {
        if (seen.has(key)) continue;
        st.closeState.run(row.last_seen_run_id, row.last_seen_at, runId, at, 'resolved', row.id);
        st.resolve.run(runId, at, row.id);
        result.resolvedCount++;
        result.resolved.push({ id: row.id, checkId: row.check_id, userName: row.user_name, severity: row.severity });
      }
      // Unchanged open findings whose row was not rewritten above: last seen moves to this run in one statement.
      st.touchOpen.run(runId, at, target, runId);
      return result;
    },

    get(id: number, now?: number): Finding | null {
      const row = db.select().from(findings).where(eq(findings.id, id)).get();
      return row ? annotate([row], now)[0]! : null;
    },

    intervalsOf(findingId: number): FindingInterval[] {
      return db
        .select()
        .from(findingStates)
        .where(eq(findingStates.findingId, findingId))
        .orderBy(asc(findingStates.fromRunId))
        .all()
        .map(toInterval);
    },

    /**
     * Current findings with filters, sort and pagination (offset, or keyset `after` — stable while
     * findings change). Ties on the sort value are broken by id, in the same direction.
     */
    list(q: ListFindingsQuery): { items: Finding[]; total: number | null } {
      const now = nowMs(q.now);
      const matcher = suppressionsRepo.matcher(q.target, now);
      let suppressedFilter: SQL | undefined;
      if (q.suppressed !== 'include') {
        if (matcher.empty) {
          if (q.suppressed === 'only') return { items: [], total: q.withTotal === false ? null : 0 };
        } else {
          const ids = JSON.stringify([...suppressedIndex(q.target, matcher, q.status === 'all' ? null : q.status).keys()]);
          suppressedFilter =
            q.suppressed === 'only'
              ? sql`${findings.id} IN (SELECT value FROM json_each(${ids}))`
              : sql`${findings.id} NOT IN (SELECT value FROM json_each(${ids}))`;
        }
      }
      const where = and(
        eq(findings.target, q.target),
        q.status !== 'all' ? eq(findings.status, q.status) : undefined,
        q.checkId ? eq(findings.checkId, q.checkId) : undefined,
        q.severity ? eq(findings.severity, q.severity) : undefined,
        q.minSeverityRank !== undefined ? gte(findings.severityRank, q.minSeverityRank) : undefined,
        q.userName ? eq(findings.userName, q.userName) : undefined,
        q.resourceId ? eq(findings.resourceId, q.resourceId) : undefined,
        q.firstSeenSince !== undefined ? gte(findings.firstSeenAt, q.firstSeenSince) : undefined,
        suppressedFilter,
      );
      const sortExpr = SORT_EXPRESSIONS[q.sort];
      const desc_ = q.order === 'desc';
      const dir = desc_ ? desc : asc;
      const after = q.after
        ? (or(
            desc_ ? sql`${sortExpr} < ${q.after.value}` : sql`${sortExpr} > ${q.after.value}`,
            and(sql`${sortExpr} = ${q.after.value}`, desc_ ? lt(findings.id, q.after.id) : gt(findings.id, q.after.id)),
          ) as SQL)
        : undefined;
      const rows = db
        .select()
        .from(findings)
        .where(and(where, after))
        .orderBy(dir(sortExpr), dir(findings.id))
        .limit(q.limit)
        .offset(q.after ? 0 : (q.offset ?? 0))
        .all();
      const total = q.withTotal === false ? null : (db.select({ n: count() }).from(findings).where(where).get()?.n ?? 0);
      const t = texts();
      return { items: rows.map((r) => toFinding(r, t.get(r.checkId), matcher.empty ? null : matcher.match(r))), total };
    },

    /** Open findings of a target that one suppression rule set matches now (for "matched_open_findings"). */
    countOpenMatching(target: string, matcher: SuppressionMatcher): number {
      return matcher.empty ? 0 : suppressedIndex(target, matcher, 'open').size;
    },

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
      const annotated = annotate(
        rows.map((r) => r.f),
        now,
      );
      return {
        items: rows.map(({ s }, i) => ({ ...annotated[i]!, severity: s.severity, durable: JSON.parse(s.durableJson) as EvidenceMap })),
        total,
      };
    },

    /**
     * The interval-level difference between two succeeded runs of a target, in at most four indexed
     * queries: intervals covering both runs are only counted; those covering one of them are returned
     * with their finding's identity. `suppressed` (finding ids) are counted separately among the shared ones.
     */
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

    /** Every state run R saw, with its finding's identity (a diff against no base). */
    statesCovering(target: string, runId: number): FindingStateView[] {
      return (S().coveringViews.all(target, runId, runId) as StateViewRow[]).map(toStateView);
    },

  };
  return repo;
}

export type FindingsRepository = ReturnType<typeof makeFindingsRepository>;
