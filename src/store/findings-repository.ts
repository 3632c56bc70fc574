import { and, asc, count, desc, eq, gte, inArray, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import { findingStates, findings, scanRuns, type FindingRow, type FindingStateRow } from './schema';

type EvidenceMap = Record<string, string | number | boolean | null>;

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
  fingerprint: string;
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
}

export interface FindingInterval {
  id: number;
  findingId: number;
  severity: string;
  durable: EvidenceMap;
  fromRunId: number;
  fromAt: number;
  toRunId: number | null;
  toAt: number | null;
}

export interface RecordOutcome {
  newCount: number;
  changedCount: number;
  resolvedCount: number;
  reopenedCount: number;
  unchangedCount: number;
}

export const fingerprintOf = (target: string, checkId: string, resourceId: string): string =>
  `${target}|${checkId}|${resourceId}`;

const toFinding = (r: FindingRow): Finding => ({
  id: r.id,
  fingerprint: r.fingerprint,
  target: r.target,
  checkId: r.checkId,
  severity: r.severity,
  severityRank: r.severityRank,
  title: r.title,
  message: r.message,
  resourceType: r.resourceType,
  resourceId: r.resourceId,
  userName: r.userName,
  userArn: r.userArn,
  durable: JSON.parse(r.durableJson) as EvidenceMap,
  volatile: JSON.parse(r.volatileJson) as EvidenceMap,
  remediation: r.remediation,
  status: r.status as 'open' | 'resolved',
  firstSeenRunId: r.firstSeenRunId,
  firstSeenAt: r.firstSeenAt,
  lastSeenRunId: r.lastSeenRunId,
  lastSeenAt: r.lastSeenAt,
  resolvedRunId: r.resolvedRunId,
  resolvedAt: r.resolvedAt,
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
});

/** Stable JSON (sorted keys) so that equal evidence always compares equal. */
export const stableJson = (value: EvidenceMap): string =>
  JSON.stringify(Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])));

export type FindingSort = 'severity' | 'first_seen' | 'last_seen' | 'check' | 'user';

export interface ListFindingsQuery {
  target?: string;
  status: 'open' | 'resolved' | 'all';
  checkId?: string;
  severity?: string;
  minSeverityRank?: number;
  userName?: string;
  resourceId?: string;
  firstSeenSince?: number;
  sort: FindingSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The condition "interval covers run R": from_run <= R AND (to_run IS NULL OR to_run >= R). */
const coversRun = (target: string, runId: number): SQL =>
  and(
    eq(findingStates.target, target),
    lte(findingStates.fromRunId, runId),
    or(isNull(findingStates.toRunId), gte(findingStates.toRunId, runId)),
  ) as SQL;

export function makeFindingsRepository(db: Db) {
  const repo = {
    /**
     * Applies a succeeded run's findings to history. Called inside the run's transaction (see
     * store.recordSucceededRun). Only changes are written: a finding seen again unchanged updates
     * its latest evidence and last-seen, nothing more.
     */
    applyRun(target: string, runId: number, at: number, inputs: FindingInput[]): RecordOutcome {
      const outcome: RecordOutcome = { newCount: 0, changedCount: 0, resolvedCount: 0, reopenedCount: 0, unchangedCount: 0 };
      const existing = new Map<string, FindingRow>();
      for (const row of db.select().from(findings).where(eq(findings.target, target)).all()) existing.set(row.fingerprint, row);

      const seen = new Set<string>();
      for (const input of inputs) {
        const fingerprint = fingerprintOf(target, input.checkId, input.resourceId);
        if (seen.has(fingerprint)) continue; // a check reports a resource once; be defensive
        seen.add(fingerprint);
        const durableJson = stableJson(input.durable);
        const volatileJson = stableJson(input.volatile);
        const latest = {
          severity: input.severity,
          severityRank: input.severityRank,
          title: input.title,
          message: input.message,
          userName: input.userName,
          userArn: input.userArn,
          durableJson,
          volatileJson,
          remediation: input.remediation,
          lastSeenRunId: runId,
          lastSeenAt: at,
        };
        const row = existing.get(fingerprint);
        if (!row) {
          const inserted = db
            .insert(findings)
            .values({
              fingerprint,
              target,
              checkId: input.checkId,
              resourceType: input.resourceType,
              resourceId: input.resourceId,
              status: 'open',
              firstSeenRunId: runId,
              firstSeenAt: at,
              ...latest,
            })
            .returning({ id: findings.id })
            .get();
          db.insert(findingStates)
            .values({ findingId: inserted.id, target, severity: input.severity, durableJson, fromRunId: runId, fromAt: at })
            .run();
          outcome.newCount++;
          continue;
        }
        if (row.status === 'resolved') {
          db.update(findings)
            .set({ ...latest, status: 'open', resolvedRunId: null, resolvedAt: null })
            .where(eq(findings.id, row.id))
            .run();
          db.insert(findingStates)
            .values({ findingId: row.id, target, severity: input.severity, durableJson, fromRunId: runId, fromAt: at })
            .run();
          outcome.reopenedCount++;
          continue;
        }
        if (row.severity !== input.severity || row.durableJson !== durableJson) {
          // The state changed: close the open interval at the last run that saw the old state.
          db.update(findingStates)
            .set({ toRunId: row.lastSeenRunId, toAt: row.lastSeenAt })
            .where(and(eq(findingStates.findingId, row.id), isNull(findingStates.toRunId)))
            .run();
          db.insert(findingStates)
            .values({ findingId: row.id, target, severity: input.severity, durableJson, fromRunId: runId, fromAt: at })
            .run();
          db.update(findings).set(latest).where(eq(findings.id, row.id)).run();
          outcome.changedCount++;
          continue;
        }
        outcome.unchangedCount++;
        if (row.volatileJson !== volatileJson || row.message !== input.message || row.title !== input.title) {
          db.update(findings).set(latest).where(eq(findings.id, row.id)).run();
        }
      }

      // Open findings that this run did not see are resolved by it.
      for (const row of existing.values()) {
        if (row.status !== 'open' || seen.has(row.fingerprint)) continue;
        db.update(findingStates)
          .set({ toRunId: row.lastSeenRunId, toAt: row.lastSeenAt })
          .where(and(eq(findingStates.findingId, row.id), isNull(findingStates.toRunId)))
          .run();
        db.update(findings).set({ status: 'resolved', resolvedRunId: runId, resolvedAt: at }).where(eq(findings.id, row.id)).run();
        outcome.resolvedCount++;
      }
      // Unchanged open findings: last seen moves to this run in one statement.
      db.update(findings)
        .set({ lastSeenRunId: runId, lastSeenAt: at })
        .where(and(eq(findings.target, target), eq(findings.status, 'open')))
        .run();
      return outcome;
    },

    get(id: number): Finding | null {
      const row = db.select().from(findings).where(eq(findings.id, id)).get();
      return row ? toFinding(row) : null;
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

    list(q: ListFindingsQuery): { items: Finding[]; total: number } {
      const where = and(
        q.target ? eq(findings.target, q.target) : undefined,
        q.status !== 'all' ? eq(findings.status, q.status) : undefined,
        q.checkId ? eq(findings.checkId, q.checkId) : undefined,
        q.severity ? eq(findings.severity, q.severity) : undefined,
        q.minSeverityRank !== undefined ? gte(findings.severityRank, q.minSeverityRank) : undefined,
        q.userName ? eq(findings.userName, q.userName) : undefined,
        q.resourceId ? eq(findings.resourceId, q.resourceId) : undefined,
        q.firstSeenSince !== undefined ? gte(findings.firstSeenAt, q.firstSeenSince) : undefined,
      );
      const dir = q.order === 'asc' ? asc : desc;
      const sortColumn = {
        severity: findings.severityRank,
        first_seen: findings.firstSeenAt,
        last_seen: findings.lastSeenAt,
        check: findings.checkId,
        user: findings.userName,
      }[q.sort];
      const rows = db
        .select()
        .from(findings)
        .where(where)
        .orderBy(dir(sortColumn), asc(findings.id))
        .limit(q.limit)
        .offset(q.offset)
        .all();
      const total = db.select({ n: count() }).from(findings).where(where).get()?.n ?? 0;
      return { items: rows.map(toFinding), total };
    },

    /**
     * Exactly what succeeded run R saw: the intervals covering R, with the severity and durable
     * evidence of that interval (the finding row holds only the latest ones).
     */
    seenByRun(target: string, runId: number, page: { limit: number; offset: number }): { items: Finding[]; total: number } {
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
      return {
        items: rows.map(({ f, s }) => {
          const base = toFinding(f);
          return { ...base, severity: s.severity, durable: JSON.parse(s.durableJson) as EvidenceMap };
        }),
        total,
      };
    },

    /** finding id → interval id for every finding run R saw. */
    intervalIdsCovering(target: string, runId: number): Map<number, FindingInterval> {
      const rows = db.select().from(findingStates).where(coversRun(target, runId)).all();
      return new Map(rows.map((r) => [r.findingId, toInterval(r)]));
    },

    getMany(ids: number[]): Finding[] {
      if (ids.length === 0) return [];
      const out: Finding[] = [];
      // SQLite limits bound parameters; chunk.
      for (let i = 0; i < ids.length; i += 500) {
        out.push(...db.select().from(findings).where(inArray(findings.id, ids.slice(i, i + 500))).all().map(toFinding));
      }
      return out;
    },

    /** Runs' times by id, for timelines. */
    runTimes(ids: number[]): Map<number, { startedAt: number; finishedAt: number | null }> {
      if (ids.length === 0) return new Map();
      const rows = db
        .select({ id: scanRuns.id, startedAt: scanRuns.startedAt, finishedAt: scanRuns.finishedAt })
        .from(scanRuns)
        .where(inArray(scanRuns.id, ids))
        .all();
      return new Map(rows.map((r) => [r.id, { startedAt: r.startedAt, finishedAt: r.finishedAt }]));
    },
  };
  return repo;
}

export type FindingsRepository = ReturnType<typeof makeFindingsRepository>;
