import { and, count, desc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Db } from './db';
import { scanRuns, type ScanRunRow } from './schema';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'interrupted'] as const;
export type RunTrigger = 'api' | 'schedule' | 'cli' | 'v1' | 'demo';

export interface RunStats {
  api_calls: number;
  throttled: number;
  retries: number;
  duration_ms: number;
  users?: number;
  access_keys?: number;
  findings?: number;
  findings_by_severity?: Record<string, number>;
  [key: string]: unknown;
}

export interface ScanRun {
  id: number;
  target: string;
  accountId: string | null;
  source: string;
  trigger: RunTrigger;
  status: RunStatus;
  startedAt: number;
  finishedAt: number | null;
  errorCode: string | null;
  error: string | null;
  settings: Record<string, unknown>;
  stats: RunStats;
  skippedChecks: { checkId: string; reason: string }[];
  reportGeneratedAt: number | null;
}

const toRun = (r: ScanRunRow): ScanRun => ({
  id: r.id,
  target: r.target,
  accountId: r.accountId,
  source: r.source,
  trigger: r.trigger as RunTrigger,
  status: r.status as RunStatus,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  errorCode: r.errorCode,
  error: r.error,
  settings: JSON.parse(r.settingsJson) as Record<string, unknown>,
  stats: JSON.parse(r.statsJson) as RunStats,
  skippedChecks: JSON.parse(r.skippedJson) as { checkId: string; reason: string }[],
  reportGeneratedAt: r.reportGeneratedAt,
});

export interface ListRunsQuery {
  target?: string;
  status?: RunStatus;
  source?: string;
  limit: number;
  offset: number;
}

export function makeRunsRepository(db: Db) {
  return {
    create(input: { target: string; source: string; trigger: RunTrigger; startedAt: number; settings: Record<string, unknown> }): ScanRun {
      const row = db
        .insert(scanRuns)
        .values({
          target: input.target,
          source: input.source,
          trigger: input.trigger,
          status: 'running',
          startedAt: input.startedAt,
          settingsJson: JSON.stringify(input.settings),
        })
        .returning()
        .get();
      return toRun(row);
    },

    get(id: number): ScanRun | null {
      const row = db.select().from(scanRuns).where(eq(scanRuns.id, id)).get();
      return row ? toRun(row) : null;
    },

    list(q: ListRunsQuery): { items: ScanRun[]; total: number } {
      const where = and(
        q.target ? eq(scanRuns.target, q.target) : undefined,
        q.status ? eq(scanRuns.status, q.status) : undefined,
        q.source ? eq(scanRuns.source, q.source) : undefined,
      );
      const rows = db.select().from(scanRuns).where(where).orderBy(desc(scanRuns.id)).limit(q.limit).offset(q.offset).all();
      const total = db.select({ n: count() }).from(scanRuns).where(where).get()?.n ?? 0;
      return { items: rows.map(toRun), total };
    },

    /** The latest succeeded run of a target strictly before `beforeId` (or the latest overall). */
    previousSucceeded(target: string, beforeId?: number): ScanRun | null {
      const row = db
        .select()
        .from(scanRuns)
        .where(
          and(
            eq(scanRuns.target, target),
            eq(scanRuns.status, 'succeeded'),
            beforeId !== undefined ? lt(scanRuns.id, beforeId) : undefined,
          ),
        )
        .orderBy(desc(scanRuns.id))
        .limit(1)
        .get();
      return row ? toRun(row) : null;
    },

    markFailed(id: number, input: { finishedAt: number; errorCode: string; error: string; stats: RunStats; accountId?: string | null }): void {
      db.update(scanRuns)
        .set({
          status: 'failed',
          finishedAt: input.finishedAt,
          errorCode: input.errorCode,
          error: input.error,
          statsJson: JSON.stringify(input.stats),
          ...(input.accountId ? { accountId: input.accountId } : {}),
        })
        .where(and(eq(scanRuns.id, id), eq(scanRuns.status, 'running')))
        .run();
    },

    /** At start-up: runs left `running` by a process that died are `interrupted`. Returns their ids. */
    markRunningAsInterrupted(now: number, reason: string): number[] {
      const ids = db.select({ id: scanRuns.id }).from(scanRuns).where(eq(scanRuns.status, 'running')).all().map((r) => r.id);
      if (ids.length > 0) {
        db.update(scanRuns)
          .set({ status: 'interrupted', finishedAt: now, errorCode: 'interrupted', error: reason })
          .where(inArray(scanRuns.id, ids))
          .run();
      }
      return ids;
    },

    /**
     * Merges `patch` into a run's stats (JSON merge patch: keys set, others kept). For facts learnt
     * after the run finished, e.g. the webhook delivery.
     */
    patchStats(id: number, patch: Record<string, unknown>): boolean {
      return (
        db
          .update(scanRuns)
          .set({ statsJson: sql`json_patch(${scanRuns.statsJson}, ${JSON.stringify(patch)})` })
          .where(eq(scanRuns.id, id))
          .run().changes === 1
      );
    },

    /**
     * Succeeded runs of a target finished within [since, until], oldest first; when more than `limit`
     * match, the most recent `limit` (and truncated = true).
     */
    listSucceeded(target: string, q: { since?: number; until?: number; limit: number }): { items: ScanRun[]; truncated: boolean } {
      const rows = db
        .select()
        .from(scanRuns)
        .where(
          and(
            eq(scanRuns.target, target),
            eq(scanRuns.status, 'succeeded'),
            q.since !== undefined ? gte(scanRuns.finishedAt, q.since) : undefined,
            q.until !== undefined ? lte(scanRuns.finishedAt, q.until) : undefined,
          ),
        )
        .orderBy(desc(scanRuns.id))
        .limit(q.limit + 1)
        .all();
      const truncated = rows.length > q.limit;
      return { items: rows.slice(0, q.limit).reverse().map(toRun), truncated };
    },

    /** Every target that has runs. */
    targets(): string[] {
      return db
        .selectDistinct({ target: scanRuns.target })
        .from(scanRuns)
        .all()
        .map((r) => r.target);
    },

    markInterrupted(id: number, now: number, reason: string): void {
      db.update(scanRuns)
        .set({ status: 'interrupted', finishedAt: now, errorCode: 'interrupted', error: reason })
        .where(and(eq(scanRuns.id, id), eq(scanRuns.status, 'running')))
        .run();
    },
  };
}

export type RunsRepository = ReturnType<typeof makeRunsRepository>;
