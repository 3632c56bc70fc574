/**
 * Reading findings: one finding, a finding's state intervals, and the current findings of a
 * target with filters, sort and pagination (offset, or keyset — stable while findings change).
 * Every finding read carries the suppression that applies to it now (read time, the store's clock).
 */
import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, gt, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type {
  EndReason,
  EvidenceMap,
  Finding,
  FindingInterval,
  FindingSort,
  FindingStatus,
  SuppressedFilter,
} from '../domain/findings';
import type { PrivilegeClass } from '../domain/privilege';
import { collapseStars, type SuppressionMatcher } from '../domain/suppressions';
import type { Db } from './db';
import type { ReadCache } from './read-cache';
import { findingStates, findings, type FindingRow, type FindingStateRow } from './schema';
import { suppressedFilter } from './suppressions-sql';

/** Keyset position: the sort value and id of the last item of the previous page. */
export interface FindingsKey {
  value: number | string;
  id: number;
}

export interface ListFindingsQuery {
  /** undefined: every target. */
  target?: string;
  status: FindingStatus | 'all';
  checkId?: string;
  severity?: string;
  minSeverityRank?: number;
  userName?: string;
  resourceId?: string;
  privilege?: PrivilegeClass;
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

/** The sort value of a finding for keyset pagination (the same as SORT_EXPRESSIONS). */
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

export const toFinding = (r: FindingRow, suppressionId: number | null = null): Finding => ({
  id: r.id,
  target: r.target,
  accountId: r.accountId,
  checkId: r.checkId,
  severity: r.severity,
  severityRank: r.severityRank,
  message: r.message,
  resourceType: r.resourceType,
  resourceId: r.resourceId,
  userName: r.userName,
  userArn: r.userArn,
  durable: JSON.parse(r.durableJson) as EvidenceMap,
  volatile: JSON.parse(r.volatileJson) as EvidenceMap,
  privilege: (r.privilege as PrivilegeClass | null) ?? null,
  status: r.status as FindingStatus,
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

export interface FindingReadsOptions {
  /** The suppressions that apply at `now` to a target (undefined: to any target), compiled. */
  activeSuppressions: (target: string | undefined, now: number) => SuppressionMatcher;
  clock: () => Date;
  /** Totals and covered findings, kept until the database changes. */
  cache: ReadCache;
}

/**
 * The filters of a listing (not its sort or page) as one string: what its total depends on besides the
 * data and the active suppressions, and what a page cursor is bound to (src/scans/findings-query.ts).
 */
export function findingsFilterKey(q: Omit<ListFindingsQuery, 'sort' | 'order' | 'limit' | 'offset' | 'after' | 'withTotal' | 'now'>): string {
  return JSON.stringify([q.target, q.status, q.checkId, q.severity, q.minSeverityRank, q.userName, q.resourceId, q.privilege, q.firstSeenSince, q.suppressed]);
}

/** The suppressions a matcher holds (active now), as part of a cache key. */
const rulesKey = (matcher: SuppressionMatcher): string => matcher.rules.map((r) => r.id).join(',');

export function makeFindingReads(db: Db, sqlite: Database.Database, options: FindingReadsOptions) {
  const prepare = () => {
    const st = {
      // Suppression candidates: by id (primary key), by check (the identity index's prefix).
      candidatesById: sqlite.prepare(
        `SELECT id, check_id, user_name, target FROM findings WHERE id IN (SELECT value FROM json_each(?)) AND (? IS NULL OR target = ?)`,
      ),
      // The GLOB is a prefilter (equal to the domain's glob for the validated ASCII patterns, stars
      // collapsed so that it stays polynomial); matcher.match decides.
      candidatesByCheck: sqlite.prepare(
        `SELECT id, check_id, user_name, target FROM findings
         WHERE (? IS NULL OR target = ?) AND check_id = ? AND lower(coalesce(user_name, '')) GLOB ? AND (? IS NULL OR status = ?)`,
      ),
      // The same for one target: `target = ?` lets SQLite read the identity index's (target, check) range
      // instead of every finding (`? IS NULL OR target = ?` cannot use an index).
      candidatesByCheckOfTarget: sqlite.prepare(
        `SELECT id, check_id, user_name, target FROM findings
         WHERE target = ? AND check_id = ? AND lower(coalesce(user_name, '')) GLOB ? AND (? IS NULL OR status = ?)`,
      ),
    };
    for (const s of Object.values(st)) s.raw();
    return st;
  };
  let prepared: ReturnType<typeof prepare> | null = null;
  const S = () => (prepared ??= prepare());
  const nowMs = (now?: number) => now ?? options.clock().getTime();

  /**
   * Every finding of a target (undefined: of any target), with that status, that a suppression
   * applies to now: finding id → suppression id.
   */
  function coveredBy(target: string | undefined, matcher: SuppressionMatcher, status: FindingStatus | null = null): Map<number, number> {
    const out = new Map<number, number>();
    if (matcher.empty) return out;
    type Candidate = [number, string, string | null, string];
    const consider = ([id, checkId, userName, findingTarget]: Candidate) => {
      const s = matcher.match({ id, checkId, userName, target: findingTarget });
      if (s !== null) out.set(id, s);
    };
    const t = target ?? null;
    const ids = matcher.rules.filter((r) => r.findingId !== null).map((r) => r.findingId);
    if (ids.length > 0) (S().candidatesById.all(JSON.stringify(ids), t, t) as Candidate[]).forEach(consider);
    for (const r of matcher.rules) {
      if (r.findingId !== null || r.checkId === null) continue;
      // A rule of one target only looks at that target's findings.
      const scope = r.target ?? t;
      const glob = collapseStars(r.userPattern ?? '*').toLowerCase();
      const candidates =
        scope === null
          ? S().candidatesByCheck.all(scope, scope, r.checkId, glob, status, status)
          : S().candidatesByCheckOfTarget.all(scope, r.checkId, glob, status, status);
      (candidates as Candidate[]).forEach(consider);
    }
    return out;
  }

  /** Findings with the suppression that applies to each now. */
  function annotate(rows: FindingRow[], now?: number): Finding[] {
    if (rows.length === 0) return [];
    const matcher = options.activeSuppressions(undefined, nowMs(now));
    return rows.map((r) => toFinding(r, matcher.empty ? null : matcher.match(r)));
  }

  return {
    annotate,

    get(id: number, now?: number): Finding | null {
      const row = db.select().from(findings).where(eq(findings.id, id)).get();
      return row ? annotate([row], now)[0]! : null;
    },

    intervalsOf(findingId: number): FindingInterval[] {
      return db.select().from(findingStates).where(eq(findingStates.findingId, findingId)).orderBy(asc(findingStates.fromRunId)).all().map(toInterval);
    },

    /**
     * Current findings with filters, sort and pagination (offset, or keyset `after`). Ties on the sort
     * value are broken by id, in the same direction.
     */
    list(q: ListFindingsQuery): { items: Finding[]; total: number | null } {
      const now = nowMs(q.now);
      const matcher = options.activeSuppressions(q.target, now);
      if (q.suppressed === 'only' && matcher.empty) return { items: [], total: q.withTotal === false ? null : 0 };
      const status = q.status === 'all' ? null : q.status;
      const covered =
        q.suppressed === 'include' || matcher.empty
          ? []
          : options.cache.get(`covered:${JSON.stringify([q.target, status])}:${rulesKey(matcher)}`, () => [...coveredBy(q.target, matcher, status).keys()]);
      const where = and(
        q.target !== undefined ? eq(findings.target, q.target) : undefined,
        q.status !== 'all' ? eq(findings.status, q.status) : undefined,
        q.checkId ? eq(findings.checkId, q.checkId) : undefined,
        q.severity ? eq(findings.severity, q.severity) : undefined,
        q.minSeverityRank !== undefined ? gte(findings.severityRank, q.minSeverityRank) : undefined,
        q.userName ? eq(findings.userName, q.userName) : undefined,
        q.resourceId ? eq(findings.resourceId, q.resourceId) : undefined,
        q.privilege ? eq(findings.privilege, q.privilege) : undefined,
        q.firstSeenSince !== undefined ? gte(findings.firstSeenAt, q.firstSeenSince) : undefined,
        suppressedFilter(q.suppressed, covered),
      );
      const sortExpr = SORT_EXPRESSIONS[q.sort];
      const descending = q.order === 'desc';
      const dir = descending ? desc : asc;
      const after = q.after
        ? (or(
            descending ? sql`${sortExpr} < ${q.after.value}` : sql`${sortExpr} > ${q.after.value}`,
            and(sql`${sortExpr} = ${q.after.value}`, descending ? lt(findings.id, q.after.id) : gt(findings.id, q.after.id)),
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
      // The total depends on the filters and on which suppressions are active now (the covered findings).
      const totalKey = `total:${findingsFilterKey(q)}:${rulesKey(matcher)}`;
      const total =
        q.withTotal === false ? null : options.cache.get(totalKey, () => db.select({ n: count() }).from(findings).where(where).get()?.n ?? 0);
      return { items: rows.map((r) => toFinding(r, matcher.empty ? null : matcher.match(r))), total };
    },

    /**
     * Open findings that no suppression covers now, counted per target and severity in one grouped
     * query (the same findings as list() with status open and suppressed exclude).
     */
    openUnsuppressedCounts(now?: number): { target: string; severity: string; count: number }[] {
      const matcher = options.activeSuppressions(undefined, nowMs(now));
      const covered = matcher.empty ? [] : [...coveredBy(undefined, matcher, 'open').keys()];
      return db
        .select({ target: findings.target, severity: findings.severity, count: count() })
        .from(findings)
        .where(and(eq(findings.status, 'open'), suppressedFilter('exclude', covered)))
        .groupBy(findings.target, findings.severity)
        .all();
    },

    /** Every finding of a target, open or resolved, that one rule set matches: finding id → suppression id (diffs). */
    coveredFindings(target: string, matcher: SuppressionMatcher): Map<number, number> {
      return coveredBy(target, matcher, null);
    },

    /** Open findings of a target (null: of every target) that one rule set matches now (a suppression's "matched_open_findings"). */
    countOpenMatching(target: string | null, matcher: SuppressionMatcher): number {
      return matcher.empty ? 0 : coveredBy(target ?? undefined, matcher, 'open').size;
    },
  };
}

export type FindingReads = ReturnType<typeof makeFindingReads>;
