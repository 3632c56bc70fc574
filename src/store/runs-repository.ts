import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, gte, inArray, isNull, lt, lte, max, sql } from 'drizzle-orm';
import { UNFINISHED_RUN_STATUSES, type RunStats, type RunStatus, type RunTrigger, type ScanRun } from '../domain/runs';
import type { ScanSource } from '../domain/snapshot';
import type { Db } from './db';
import { TargetBusyError } from './errors';
import { scanLeases, scanRuns, type ScanLeaseRow, type ScanRunRow } from './schema';


/** Who holds a scan lease: one per keywatch process (per app context). */
export interface LeaseOwner {
  /** Random: tells two processes apart even on one host with a reused pid. */
  id: string;
  /** For people: the process and host named in a 409 or a log line. */
  pid: number;
  host: string;
}

export function newLeaseOwner(): LeaseOwner {
  return { id: randomUUID(), pid: process.pid, host: os.hostname() };
}

/** The lease of a target: which run holds it, who runs it, when it was last renewed. */
export interface ScanLease {
  target: string;
  runId: number;
  owner: LeaseOwner;
  acquiredAt: number;
  heartbeatAt: number;
}

const toLease = (r: ScanLeaseRow): ScanLease => ({
  target: r.target,
  runId: r.runId,
  owner: { id: r.ownerId, pid: r.ownerPid, host: r.ownerHost },
  acquiredAt: r.acquiredAt,
  heartbeatAt: r.heartbeatAt,
});

export interface NewRun {
  target: string;
  source: ScanSource;
  trigger: RunTrigger;
  startedAt: number;
  settings: Record<string, unknown>;
  /** The account when already known (discovered targets, earlier runs), and its name in the organization. */
  accountId?: string | null;
  accountName?: string | null;
  /** true: the run waits for a scan slot (`queued`) until markStarted. */
  queued?: boolean;
  /** The lease taken with the run; a lease of the target whose heartbeat is older than staleBefore (ms) is taken over. */
  lease: { owner: LeaseOwner; staleBefore: number };
}

/** The run's end, recorded together with the release of its lease. */
export interface RunEnd {
  finishedAt: number;
  errorCode: string;
  error: string;
  stats: RunStats;
  accountId?: string | null;
}

const toRun = (r: ScanRunRow): ScanRun => ({
  id: r.id,
  target: r.target,
  accountId: r.accountId,
  accountName: r.accountName,
  source: r.source as ScanSource,
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
  heartbeatAt: r.heartbeatAt,
});

/** Why a run whose process died reads interrupted: the phrase tests and people look for, and who held it. */
const abandonedReason = (lease: ScanLease | null): string =>
  lease
    ? `keywatch stopped while the scan was running (pid ${lease.owner.pid} on ${lease.owner.host}; no heartbeat since ${new Date(lease.heartbeatAt).toISOString()})`
    : 'keywatch stopped while the scan was running';

/** A run this process stopped scanning without being able to store its end. */
const UNRECORDED_END = 'keywatch could not store the end of this scan (the database refused the write); see the log';

/** A run that has not ended (queued or running): it holds its target's lease. */
const unfinished = inArray(scanRuns.status, [...UNFINISHED_RUN_STATUSES]);

/** One UTC day. */
export const DAY_MS = 86_400_000;

/**
 * A target's succeeded runs of one UTC day (organization-wide trends): the last of them, how many
 * there were, and the sums of their new / resolved / changed counts (all findings, and without the
 * findings suppressed when each run was recorded).
 */
export interface TargetDay {
  target: string;
  /** Days since the epoch (UTC): floor(finished_at / 86 400 000). */
  day: number;
  /** The last succeeded run of the target that finished that day. */
  last: ScanRun;
  runs: number;
  sums: {
    all: { new: number; resolved: number; changed: number };
    unsuppressed: { new: number; resolved: number; changed: number };
  };
}

interface TargetDayRow {
  target: string;
  day: number;
  runs: number;
  last_id: number;
  new_all: number;
  resolved_all: number;
  changed_all: number;
  new_uns: number;
  resolved_uns: number;
  changed_uns: number;
}

export interface ListRunsQuery {
  target?: string;
  status?: RunStatus;
  source?: string;
  limit: number;
  offset: number;
}

export function makeRunsRepository(db: Db) {
  /** Runs by id (in chunks: SQLite bounds the number of bound parameters). */
  function runsById(ids: number[]): Map<number, ScanRun> {
    const out = new Map<number, ScanRun>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of db.select().from(scanRuns).where(inArray(scanRuns.id, ids.slice(i, i + 500))).all()) out.set(row.id, toRun(row));
    }
    return out;
  }

  return {
    /**
     * Creates a run (`running`, or `queued` while it waits for a scan slot) and takes the target's scan lease in ONE transaction: either both are
     * committed or neither (a failed commit raises). Throws TargetBusyError while another process's run
     * holds a fresh lease; a stale lease (or one of the caller's own, see below) is taken over and its
     * run marked interrupted, at its last heartbeat, in the same transaction.
     */
    create(input: NewRun): ScanRun {
      return db.transaction(
        (tx) => {
          const held = tx.select().from(scanLeases).where(eq(scanLeases.target, input.target)).get();
          if (held) {
            const lease = toLease(held);
            // The caller's own lease is one it no longer scans under (it checks its scans first): a run
            // whose end could not be stored. Anyone else's counts until it is stale.
            const own = lease.owner.id === input.lease.owner.id;
            if (!own && lease.heartbeatAt >= input.lease.staleBefore) throw new TargetBusyError(input.target, lease.runId, lease.owner);
            interruptRun(tx, lease.runId, lease.heartbeatAt, own ? UNRECORDED_END : abandonedReason(lease));
            tx.delete(scanLeases).where(eq(scanLeases.target, input.target)).run();
          }
          const id = Number(
            tx
              .insert(scanRuns)
              .values({
                target: input.target,
                accountId: input.accountId ?? null,
                accountName: input.accountName ?? null,
                source: input.source,
                trigger: input.trigger,
                status: input.queued ? 'queued' : 'running',
                startedAt: input.startedAt,
                heartbeatAt: input.startedAt,
                settingsJson: JSON.stringify(input.settings),
              })
              .run().lastInsertRowid,
          );
          const { owner } = input.lease;
          tx.insert(scanLeases)
            .values({
              target: input.target,
              runId: id,
              ownerId: owner.id,
              ownerPid: owner.pid,
              ownerHost: owner.host,
              acquiredAt: input.startedAt,
              heartbeatAt: input.startedAt,
            })
            .run();
          return toRun(tx.select().from(scanRuns).where(eq(scanRuns.id, id)).get()!);
        },
        { behavior: 'immediate' },
      );
    },

    /**
     * A queued run gets its scan slot: `running` from `now` (its start), heartbeat `now`. false when it
     * is no longer queued (interrupted while it waited).
     */
    markStarted(id: number, now: number): boolean {
      return (
        db
          .update(scanRuns)
          .set({ status: 'running', startedAt: now, heartbeatAt: now })
          .where(and(eq(scanRuns.id, id), eq(scanRuns.status, 'queued')))
          .run().changes === 1
      );
    },

    /**
     * Heartbeat: renews the lease of a run this owner holds and records the run as alive at `now`.
     * false when the lease is no longer this owner's (another process took it over as stale).
     */
    renewLease(runId: number, owner: LeaseOwner, now: number): boolean {
      return db.transaction((tx) => {
        const renewed = tx
          .update(scanLeases)
          .set({ heartbeatAt: now })
          .where(and(eq(scanLeases.runId, runId), eq(scanLeases.ownerId, owner.id)))
          .run().changes;
        if (renewed !== 1) return false;
        tx.update(scanRuns)
          .set({ heartbeatAt: now })
          .where(and(eq(scanRuns.id, runId), unfinished))
          .run();
        return true;
      });
    },

    /** The lease of a target (fresh or not), or null. */
    leaseOf(target: string): ScanLease | null {
      const row = db.select().from(scanLeases).where(eq(scanLeases.target, target)).get();
      return row ? toLease(row) : null;
    },

    /**
     * Runs whose process died are marked interrupted, finished at their last heartbeat: those whose
     * lease is stale (heartbeat before staleBefore; the lease is released) and `running` runs without
     * a lease (left by a version without leases, or restored from a backup). Runs another live process
     * is scanning keep running. Returns the ids marked.
     */
    interruptAbandoned(staleBefore: number): number[] {
      // Every process calls this on each heartbeat: a plain read first, so that the write lock (which
      // may wait for another process's long write) is only taken when there is something to mark.
      const stale = db.select({ n: count() }).from(scanLeases).where(lt(scanLeases.heartbeatAt, staleBefore)).get()?.n ?? 0;
      const orphaned =
        db
          .select({ n: count() })
          .from(scanRuns)
          .leftJoin(scanLeases, eq(scanLeases.runId, scanRuns.id))
          .where(and(unfinished, isNull(scanLeases.runId)))
          .get()?.n ?? 0;
      if (stale === 0 && orphaned === 0) return [];
      return db.transaction(
        (tx) => {
          const marked: number[] = [];
          for (const row of tx.select().from(scanLeases).where(lt(scanLeases.heartbeatAt, staleBefore)).all()) {
            const lease = toLease(row);
            if (interruptRun(tx, lease.runId, lease.heartbeatAt, abandonedReason(lease))) marked.push(lease.runId);
            tx.delete(scanLeases).where(and(eq(scanLeases.target, lease.target), eq(scanLeases.runId, lease.runId))).run();
          }
          const orphans = tx
            .select({ id: scanRuns.id, startedAt: scanRuns.startedAt, heartbeatAt: scanRuns.heartbeatAt })
            .from(scanRuns)
            .leftJoin(scanLeases, eq(scanLeases.runId, scanRuns.id))
            .where(and(unfinished, isNull(scanLeases.runId)))
            .all();
          for (const run of orphans) {
            if (interruptRun(tx, run.id, run.heartbeatAt ?? run.startedAt, abandonedReason(null))) marked.push(run.id);
          }
          return marked;
        },
        { behavior: 'immediate' },
      );
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

    /**
     * Records a run's failure and releases its lease in one transaction. false when the run was no
     * longer running (shutdown or another process marked it interrupted): nothing changes then.
     */
    markFailed(id: number, input: RunEnd): boolean {
      return db.transaction((tx) => {
        const changed = tx
          .update(scanRuns)
          .set({
            status: 'failed',
            finishedAt: input.finishedAt,
            heartbeatAt: input.finishedAt,
            errorCode: input.errorCode,
            error: input.error,
            statsJson: JSON.stringify(input.stats),
            ...(input.accountId ? { accountId: input.accountId } : {}),
          })
          .where(and(eq(scanRuns.id, id), unfinished))
          .run().changes;
        tx.delete(scanLeases).where(eq(scanLeases.runId, id)).run();
        return changed === 1;
      });
    },

    /** This process stops a run it is scanning (shutdown): interrupted at `now`, lease released, in one transaction. */
    markInterrupted(id: number, now: number, reason: string): boolean {
      return db.transaction((tx) => {
        const changed = interruptRun(tx, id, now, reason);
        tx.delete(scanLeases).where(eq(scanLeases.runId, id)).run();
        return changed;
      });
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

    /** The latest run of every target that has runs (whatever its status), in one query. */
    latestByTarget(): Map<string, ScanRun> {
      const latestIds = db.select({ id: max(scanRuns.id) }).from(scanRuns).groupBy(scanRuns.target);
      const rows = db.select().from(scanRuns).where(inArray(scanRuns.id, latestIds)).all();
      return new Map(rows.map((r) => [r.target, toRun(r)]));
    },

    /**
     * Every target's succeeded runs finished within [since, until], grouped by target and UTC day
     * (organization-wide trends): one row per target and day, oldest day first. Runs recorded before
     * the per-run suppressed counts existed count their totals as unsuppressed (as trends do).
     */
    succeededByTargetDay(q: { target?: string; since?: number; until?: number }): TargetDay[] {
      const since = q.since ?? Number.MIN_SAFE_INTEGER;
      const until = q.until ?? Number.MAX_SAFE_INTEGER;
      const counted = (field: string) =>
        sql.raw(`coalesce(json_extract(stats_json, '$.${field}'), 0)`);
      const unsuppressed = (field: string) =>
        sql.raw(`coalesce(json_extract(stats_json, '$.unsuppressed.${field}'), json_extract(stats_json, '$.${field}'), 0)`);
      // A literal, not a bound parameter: better-sqlite3 binds numbers as REAL, which would make this a
      // real division (one "day" per run) instead of an integer one.
      const dayOf = sql.raw(`(finished_at / ${DAY_MS})`);
      const rows = db.all<TargetDayRow>(sql`
        WITH day_runs AS (
          SELECT id, target, ${dayOf} AS day,
                 row_number() OVER (PARTITION BY target, ${dayOf} ORDER BY finished_at DESC, id DESC) AS rank_in_day,
                 ${counted('new')} AS n, ${counted('resolved')} AS r, ${counted('changed')} AS c,
                 ${unsuppressed('new')} AS un, ${unsuppressed('resolved')} AS ur, ${unsuppressed('changed')} AS uc
          FROM scan_runs
          WHERE status = 'succeeded' AND finished_at >= ${since} AND finished_at <= ${until}
            AND (${q.target ?? null} IS NULL OR target = ${q.target ?? null})
        )
        SELECT target, day, count(*) AS runs, max(CASE WHEN rank_in_day = 1 THEN id END) AS last_id,
               sum(n) AS new_all, sum(r) AS resolved_all, sum(c) AS changed_all,
               sum(un) AS new_uns, sum(ur) AS resolved_uns, sum(uc) AS changed_uns
        FROM day_runs
        GROUP BY target, day
        ORDER BY day, target`);
      const lastRuns = runsById(rows.map((r) => r.last_id));
      return rows.map((r) => ({
        target: r.target,
        day: r.day,
        last: lastRuns.get(r.last_id)!,
        runs: r.runs,
        sums: {
          all: { new: r.new_all, resolved: r.resolved_all, changed: r.changed_all },
          unsuppressed: { new: r.new_uns, resolved: r.resolved_uns, changed: r.changed_uns },
        },
      }));
    },

    /** Each target's last succeeded run finished before `before` (the state trends carry into a period). */
    lastSucceededBefore(before: number, target?: string): ScanRun[] {
      const rows = db.all<{ id: number }>(sql`
        SELECT id FROM (
          SELECT id, row_number() OVER (PARTITION BY target ORDER BY finished_at DESC, id DESC) AS rank
          FROM scan_runs
          WHERE status = 'succeeded' AND finished_at < ${before} AND (${target ?? null} IS NULL OR target = ${target ?? null})
        ) WHERE rank = 1`);
      return [...runsById(rows.map((r) => r.id)).values()];
    },

    /** Every target that has runs. */
    targets(): string[] {
      return db
        .selectDistinct({ target: scanRuns.target })
        .from(scanRuns)
        .all()
        .map((r) => r.target);
    },
  };
}

/** Marks a running run interrupted, finished at `at`; false when it was not running. */
function interruptRun(tx: Pick<Db, 'update'>, id: number, at: number, reason: string): boolean {
  return (
    tx
      .update(scanRuns)
      .set({ status: 'interrupted', finishedAt: at, heartbeatAt: at, errorCode: 'interrupted', error: reason })
      .where(and(eq(scanRuns.id, id), unfinished))
      .run().changes === 1
  );
}

export type RunsRepository = ReturnType<typeof makeRunsRepository>;
