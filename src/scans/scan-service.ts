/**
 * The one use case that runs scans. The API, the scheduler and the CLI all call start() (one
 * target) or startAll() (every active target); one lease per target in the database guarantees
 * never two scans of a target at once, in this process or any other on the same database (the API
 * answers 409, the CLI exits 1, the scheduler skips).
 *
 *   create run (running, or queued while KEYWATCH_SCAN_PARALLELISM scans run) + take the target's
 *   lease, in ONE transaction → wait for a scan slot → credentials (a role target assumes its role)
 *   → collect snapshot (the target's limiter) → in the recording worker (recorder.ts), off the event
 *   loop that serves the API: evaluate checks (pure) → write results + succeeded + release the lease
 *   in ONE transaction
 *
 * One target's failure never stops another's: each run fails on its own, with its own error.
 * While it scans, a heartbeat renews the lease every few seconds; a lease not renewed within the
 * lease timeout belongs to a process that died, and its run is marked interrupted, finished at its
 * last heartbeat. Any failure ends the run `failed` with an error a person can act on, and changes
 * no finding. A run whose row cannot be written is never started (StoreError: 503 over HTTP).
 */
import type { Logger } from 'pino';
import type { SnapshotCollector } from '../aws/collect-context';
import { IamGateway } from '../aws/iam-gateway';
import { emptyCallStats, type CallStats } from '../aws/limiter';
import { neededData } from '../checks/evaluate';
import { checkChoicesOf, type ResolvedCheck } from '../checks/settings';
import type { IamSnapshot, ScanSource } from '../domain/snapshot';
import { settleBy, unwindDeadline, type Deadline } from '../deadline';
import { AppError, isAppError } from '../errors';
import { isStoreError, newLeaseOwner, RunNotRunningError, StoreError, TargetBusyError, type LeaseOwner, type Store } from '../store';
import { type RunStats, type RunTrigger, type ScanRun } from '../domain/runs';
import type { Target } from '../domain/targets';
import type { AccountConnections } from './connections';
import type { Recorder } from './recorder';
import type { TargetRegistry } from './targets';

export interface ScanServiceOptions {
  store: Store;
  logger: Logger;
  /** Which targets exist and how to reach each. */
  targets: TargetRegistry;
  /** Clients and limiters per account. */
  connections: AccountConnections;
  /** How many targets are scanned at once (KEYWATCH_SCAN_PARALLELISM); the rest wait, queued. */
  parallelism?: number;
  checks: ResolvedCheck[];
  /** Evaluates and records each collected run off the event loop (recorder.ts). */
  recorder: Recorder;
  collectors: Partial<Record<ScanSource, SnapshotCollector>>;
  reportTimeoutMs: number;
  clock?: () => Date;
  /** Called after every finished run (metrics, notifications). Must not throw. */
  onRunFinished?: (run: ScanRun) => void;
  /** A lease not renewed for this long is stale: its process died (KEYWATCH_SCAN_LEASE_TIMEOUT_S; default 60 s). */
  leaseTimeoutMs?: number;
  /**
   * Raise findings on the credentials of admin and privilege-escalation users one severity level
   * (KEYWATCH_RISK_ESCALATION; default true). Off: authorization details are not collected for it
   * and no finding is raised.
   */
  riskEscalation?: boolean;
}

/** Heartbeats come several times per lease timeout, at most every 5 s. */
const heartbeatIntervalOf = (leaseTimeoutMs: number): number => Math.max(100, Math.min(5_000, Math.floor(leaseTimeoutMs / 4)));

export interface StartScanInput {
  /** Default: the target's source (KEYWATCH_SCAN_SOURCE, or the targets file's). */
  source?: ScanSource;
  trigger: RunTrigger;
  /** Default: the only active target (several active: a 400 naming `target`). */
  target?: string;
}

export interface StartedScan {
  /** The run as created (status `running`, or `queued` while it waits for a scan slot). */
  run: ScanRun;
  /**
   * Settles with the finished run as stored; never rejects (a failure is a `failed` run). When even
   * the run's end could not be stored, the run as last known (still `running` in the database until
   * its lease times out).
   */
  done: Promise<ScanRun>;
  /** Like `done`, but rejects with the StoreError when the run's end could not be stored (wait=true, the CLI, v1). */
  recorded: Promise<ScanRun>;
  /** The collected snapshot once done (null when collection failed); for the v1 endpoints. */
  snapshot: Promise<IamSnapshot | null>;
}

interface RunningScan {
  runId: number;
  gateway: IamGateway | null;
  done: Promise<ScanRun>;
}

/** A scan slot (KEYWATCH_SCAN_PARALLELISM): taken at once when free, else waited for in order. */
class ScanSlots {
  private busy = 0;
  private readonly waiting: Array<(granted: boolean) => void> = [];
  private closed = false;

  constructor(private readonly size: number) {}

  /** Takes a slot now if one is free and nobody waits. */
  tryTake(): boolean {
    if (this.closed || this.busy >= this.size || this.waiting.length > 0) return false;
    this.busy++;
    return true;
  }

  /** Resolves true when a slot is handed over; false when the service shuts down first. */
  wait(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.busy--;
  }

  /** Shutdown: no more slots; every waiter gets false. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(false);
  }
}

export class ScanService {
  /** This process's scans (the database lease is the lock; this is what the heartbeat renews). */
  private readonly running = new Map<string, RunningScan>();
  private readonly slots: ScanSlots;
  private readonly clock: () => Date;
  /** Who this process is in scan_leases. */
  readonly owner: LeaseOwner = newLeaseOwner();
  private readonly leaseTimeoutMs: number;
  private readonly heartbeat: NodeJS.Timeout;
  private lastLeaseProblem: string | null = null;
  /** When the leases were last renewed (ms). */
  private leasesRenewedAt = 0;

  constructor(private readonly options: ScanServiceOptions) {
    this.slots = new ScanSlots(options.parallelism ?? 4);
    this.clock = options.clock ?? (() => new Date());
    this.leaseTimeoutMs = options.leaseTimeoutMs ?? 60_000;
    this.heartbeat = setInterval(() => this.maintainLeases(), heartbeatIntervalOf(this.leaseTimeoutMs));
    this.heartbeat.unref();
  }

  get targets(): TargetRegistry {
    return this.options.targets;
  }

  get checks(): ResolvedCheck[] {
    return this.options.checks;
  }

  sources(): ScanSource[] {
    return Object.keys(this.options.collectors) as ScanSource[];
  }

  /** Whether a scan of the target is running (or queued), in this process or another one with a fresh lease. */
  isRunning(target: string): boolean {
    if (this.running.has(target)) return true;
    const lease = this.options.store.runs.leaseOf(target);
    return lease !== null && lease.heartbeatAt >= this.clock().getTime() - this.leaseTimeoutMs;
  }

  /** Runs of this process being evaluated and recorded in the recording worker now. */
  get recordingInFlight(): number {
    return this.options.recorder.inFlight;
  }

  runningRunIds(): number[] {
    return [...this.running.values()].map((r) => r.runId);
  }

  /**
   * Starts a scan of one target and returns at once with the run (`running`, or `queued` until a
   * scan slot is free); `done` settles when it finishes (it never rejects: a failure is a `failed`
   * run). Throws 409 while the target is being scanned, 400 for an unknown or inactive target.
   */
  start(input: StartScanInput): StartedScan {
    const target = this.options.targets.resolve(input.target);
    return this.startTarget(target, input.trigger, input.source);
  }

  /**
   * Starts a scan of every active target: the runs that started, and for each target refused why —
   * already being scanned (409), or its run could not be stored (503 storage_unavailable). One refused
   * target never stops the others, and runs that started are never hidden behind a later failure;
   * when none started, the failure is thrown.
   */
  startAll(input: { trigger: RunTrigger; source?: ScanSource }): { started: StartedScan[]; refused: { target: string; error: AppError }[] } {
    const started: StartedScan[] = [];
    const refused: { target: string; error: AppError }[] = [];
    for (const target of this.options.targets.active()) {
      try {
        started.push(this.startTarget(target, input.trigger, input.source));
      } catch (error) {
        if (isAppError(error) && error.code === 'scan_in_progress') refused.push({ target: target.name, error });
        else if (isStoreError(error) && started.length > 0) refused.push({ target: target.name, error: new AppError('storage_unavailable', 503, error.message) });
        else throw error;
      }
    }
    return { started, refused };
  }

  private startTarget(target: Target, trigger: RunTrigger, requestedSource: ScanSource | undefined): StartedScan {
    const source = requestedSource ?? target.source;
    const collector = this.options.collectors[source];
    if (!collector) {
      throw AppError.validation([{ field: 'source', message: `source "${source}" is not available; use one of: ${this.sources().join(', ')}` }]);
    }
    const current = this.running.get(target.name);
    if (current) throw scanInProgress(target.name, current.runId, null);
    // Take the in-process slot before anything asynchronous can interleave; the database lease is
    // taken with the run row, in one transaction.
    const slot: RunningScan = { runId: -1, gateway: null, done: Promise.resolve(undefined as unknown as ScanRun) };
    this.running.set(target.name, slot);
    const hasSlot = this.slots.tryTake();
    let run: ScanRun;
    try {
      const now = this.clock().getTime();
      run = this.options.store.runs.create({
        target: target.name,
        accountId: target.accountId,
        accountName: target.label,
        source,
        trigger,
        queued: !hasSlot,
        startedAt: now,
        settings: this.settingsSnapshot(),
        lease: { owner: this.owner, staleBefore: now - this.leaseTimeoutMs },
      });
    } catch (error) {
      // Refused (409) or not stored (StoreError, 503): nothing starts, the slot is free again.
      this.running.delete(target.name);
      if (hasSlot) this.slots.release();
      if (error instanceof TargetBusyError) throw scanInProgress(target.name, error.runId, error.holder);
      throw error;
    }
    slot.runId = run.id;
    let snapshotOut: IamSnapshot | null = null;
    const ended = this.whenSlotFree(run, hasSlot)
      .then((started) => (started ? this.execute(started, target, collector, slot, (s) => (snapshotOut = s)) : this.ended(run)))
      .finally(() => this.running.delete(target.name));
    slot.done = ended.then((e) => e.run);
    const recorded = ended.then((e) => (e.endError ? Promise.reject(e.endError) : e.run));
    recorded.catch(() => undefined); // handled here: callers that do not wait must not see an unhandled rejection
    return { run, done: slot.done, recorded, snapshot: slot.done.then(() => snapshotOut) };
  }

  /**
   * The run once it may scan: at once when it got a slot; a queued run when a slot is handed to it
   * (then `running` from that moment). null when it never starts (shutdown, or interrupted while queued).
   */
  private async whenSlotFree(run: ScanRun, hasSlot: boolean): Promise<ScanRun | null> {
    if (hasSlot) return run;
    if (!(await this.slots.wait())) return null;
    const now = this.clock().getTime();
    try {
      if (this.options.store.runs.markStarted(run.id, now)) return { ...run, status: 'running', startedAt: now, heartbeatAt: now };
    } catch (error) {
      this.options.logger.error({ err: error, run_id: run.id }, 'could not start a queued run');
    }
    this.slots.release();
    return null;
  }

  /** A run that ended without scanning (interrupted while queued): as stored. */
  private async ended(run: ScanRun): Promise<{ run: ScanRun; endError: StoreError | null }> {
    try {
      return { run: this.options.store.runs.get(run.id) ?? run, endError: null };
    } catch {
      return { run: { ...run, status: 'interrupted' }, endError: null };
    }
  }

  /**
   * Heartbeat (every few seconds, and callable directly): renews the leases of this process's scans
   * and marks interrupted the runs of processes that died (lease stale or missing). Never throws.
   */
  maintainLeases(): void {
    const now = this.clock().getTime();
    // While the recording worker writes a run, the write lock is its: a renewal here would wait for it
    // with the event loop held (up to the transaction's length). Leases renewed within half the lease
    // timeout can wait for the next beat; older ones are renewed anyway.
    if (this.recordingInFlight > 0 && now - this.leasesRenewedAt < this.leaseTimeoutMs / 2) return;
    try {
      for (const [target, slot] of this.running) {
        if (slot.runId < 0) continue;
        if (!this.options.store.runs.renewLease(slot.runId, this.owner, now)) {
          // Another process judged this process dead (no heartbeat within the timeout) and took the
          // target over; this run is already interrupted. Stop scanning.
          this.options.logger.warn({ run_id: slot.runId, target }, 'scan lease lost to another keywatch process; stopping this scan');
          slot.gateway?.cancel(new AppError('internal_error', 503, `the scan lease of run ${slot.runId} was taken over by another keywatch process`));
        }
      }
      this.interruptAbandoned(now);
      this.lastLeaseProblem = null;
      this.leasesRenewedAt = now;
    } catch (error) {
      // A database that cannot be written: log once per distinct problem, not every heartbeat.
      const message = (error as Error)?.message ?? String(error);
      if (message !== this.lastLeaseProblem) this.options.logger.error({ err: error }, 'could not renew scan leases');
      this.lastLeaseProblem = message;
    }
  }

  /** Marks interrupted the runs whose process died (lease not renewed within the timeout, or none). */
  interruptAbandoned(now = this.clock().getTime()): number[] {
    const ids = this.options.store.runs.interruptAbandoned(now - this.leaseTimeoutMs);
    if (ids.length > 0) this.options.logger.warn({ run_ids: ids }, 'runs of a keywatch process that stopped marked interrupted');
    return ids;
  }

  /** Starts a scan and waits for it to finish; rejects with a StoreError when its end could not be stored. */
  async runToCompletion(input: StartScanInput): Promise<ScanRun> {
    return this.start(input).recorded;
  }

  /**
   * Graceful shutdown: running scans may finish until the deadline (the one shutdown deadline,
   * src/deadline.ts); what is still running then is cancelled and marked `interrupted`, and gets
   * until the unwind deadline to stop before the store closes.
   */
  async shutdown(deadline: Deadline = Date.now()): Promise<void> {
    const scans = [...this.running.values()];
    const allDone = () => Promise.all(scans.map((s) => s.done));
    // Queued runs never start now; they are interrupted with the running ones at the deadline (or now,
    // when nothing runs).
    this.slots.close();
    if (scans.length > 0 && !(await settleBy(allDone(), deadline))) {
      for (const s of scans) {
        s.gateway?.cancel(new AppError('internal_error', 503, 'keywatch is shutting down'));
        try {
          this.options.store.runs.markInterrupted(s.runId, this.clock().getTime(), `keywatch shut down before the scan finished (shutdown deadline ${new Date(deadline).toISOString()})`);
          this.options.logger.warn({ run_id: s.runId }, 'scan interrupted by shutdown');
        } catch (error) {
          // Its lease then times out and the next keywatch marks it interrupted at its last heartbeat.
          this.options.logger.error({ err: error, run_id: s.runId }, 'could not mark the run interrupted at shutdown');
        }
      }
      // Queued IAM calls now fail fast; abort the ones in flight too (slow answers would otherwise
      // hold the scan up to the SDK's request timeout), and let the scans unwind before the store closes.
      this.options.connections.abortAll();
      await settleBy(allDone(), unwindDeadline(deadline));
    }
    clearInterval(this.heartbeat);
  }

  /** A configured target without a role learns its account from its first scan (GET /api/targets shows it). */
  private learnAccount(target: Target, accountId: string, log: Logger): void {
    if (target.accountId === accountId) return;
    try {
      this.options.store.targets.recordAccount(target.name, accountId);
    } catch (error) {
      log.warn({ err: error }, 'could not record the account id of the target');
    }
  }

  private evaluateOptions(): { riskEscalation: boolean } {
    return { riskEscalation: this.options.riskEscalation ?? true };
  }

  private settingsSnapshot(): Record<string, unknown> {
    return Object.fromEntries(checkChoicesOf(this.options.checks).map(({ id, ...choice }) => [id, choice]));
  }

  /** Waits for the scan of a target that is running now (if any); without a target, for every scan of this process. */
  async waitForRunning(target?: string): Promise<void> {
    if (target !== undefined) await this.running.get(target)?.done;
    else await Promise.all([...this.running.values()].map((s) => s.done));
  }

  private async execute(
    run: ScanRun,
    target: Target,
    collector: SnapshotCollector,
    slot: RunningScan,
    keepSnapshot: (s: IamSnapshot) => void,
  ): Promise<{ run: ScanRun; endError: StoreError | null }> {
    try {
      return await this.scan(run, target, collector, slot, keepSnapshot);
    } finally {
      this.slots.release();
    }
  }

  private async scan(
    run: ScanRun,
    target: Target,
    collector: SnapshotCollector,
    slot: RunningScan,
    keepSnapshot: (s: IamSnapshot) => void,
  ): Promise<{ run: ScanRun; endError: StoreError | null }> {
    const log = this.options.logger.child({ run_id: run.id, target: run.target, source: run.source, trigger: run.trigger });
    const started = Date.now();
    const callStats: CallStats = emptyCallStats();
    const connection = this.options.connections.forRun(target, callStats);
    const gateway = new IamGateway(connection.clients, connection.limiter, callStats);
    slot.gateway = gateway;
    const source = run.source as ScanSource;
    log.info('scan started');
    let accountId: string | null = null;
    let endError: StoreError | null = null;
    try {
      // A role target assumes its role first: a refused AssumeRole fails the run naming the role.
      await gateway.ensureCredentials();
      const snapshot = await collector({
        gateway,
        needs: neededData(this.options.checks, source, this.evaluateOptions()),
        now: this.clock,
        logger: log,
        reportTimeoutMs: this.options.reportTimeoutMs,
        // Credential ids earlier runs of this target learned (the report source needs no listing for them).
        knownCredentials: this.options.store.knownCredentials.ofTarget(run.target),
      });
      accountId = snapshot.accountId;
      keepSnapshot(snapshot);
      // Evaluation and the one recording transaction, in the recording worker.
      const { outcome, stats } = await this.options.recorder.record({
        runId: run.id,
        target: run.target,
        snapshot,
        finishedAt: this.clock().getTime(),
        stats: statsOf(callStats, started),
        checks: checkChoicesOf(this.options.checks),
        riskEscalation: this.evaluateOptions().riskEscalation,
      });
      log.info({ stats, outcome }, 'scan succeeded');
      this.learnAccount(target, snapshot.accountId, log);
    } catch (error) {
      gateway.cancel(error instanceof Error ? error : new Error(String(error)));
      if (error instanceof RunNotRunningError) {
        // Shutdown, or another process that took the lease over, marked it interrupted: that stays.
        log.warn({ err: error }, 'scan finished after its run was interrupted; its results were not stored');
      } else {
        const appError = isAppError(error)
          ? error
          : new AppError('internal_error', 500, `The scan failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, undefined, { cause: error });
        const code = isStoreError(error) ? 'storage_error' : appError.code;
        const message = isStoreError(error) ? `Could not store the scan results: ${error.message}` : appError.message;
        try {
          this.options.store.runs.markFailed(run.id, {
            finishedAt: this.clock().getTime(),
            errorCode: code,
            error: message,
            stats: statsOf(callStats, started),
            accountId,
          });
        } catch (storeError) {
          // Not even the failure could be stored: the run stays `running` with its lease until this
          // process's next scan of the target takes it over, or the lease times out (no more
          // heartbeats) and another process does; the run then reads interrupted.
          if (isStoreError(storeError)) {
            endError = new StoreError(storeError.sqliteCode, storeError.dbPath, `the end of run ${run.id} could not be stored: ${storeError.reason}`, {
              cause: storeError,
            });
          }
          log.error({ err: storeError }, 'could not mark the run failed');
        }
        log.warn({ error_code: code, error: message, stats: statsOf(callStats, started) }, 'scan failed');
      }
    } finally {
      connection.release();
    }
    let finished: ScanRun;
    try {
      finished = this.options.store.runs.get(run.id) ?? run;
    } catch (storeError) {
      // The store was closed under us (shutdown after the grace period: the run was marked
      // interrupted before that), or cannot be read. `done` must still settle, never reject.
      log.warn({ err: storeError }, 'could not read the finished run back');
      return { run: { ...run, status: endError ? 'running' : 'interrupted' }, endError };
    }
    if (endError) return { run: finished, endError }; // not finished as far as the database knows: no metrics, no webhook
    try {
      this.options.onRunFinished?.(finished);
    } catch (hookError) {
      log.error({ err: hookError }, 'run-finished hook failed');
    }
    return { run: finished, endError };
  }
}

/** 409: a scan of the target is running; `holder` names the other process when it is not this one. */
function scanInProgress(target: string, runId: number, holder: LeaseOwner | null): AppError {
  const where = holder ? `, in another keywatch process: pid ${holder.pid} on ${holder.host}` : '';
  return new AppError(
    'scan_in_progress',
    409,
    `A scan of target "${target}" is already running (run ${runId}${where}). Try again when it has finished.`,
  );
}

function statsOf(calls: CallStats, startedMs: number): RunStats {
  return {
    api_calls: calls.api_calls,
    throttled: calls.throttled,
    retries: calls.retries,
    duration_ms: Date.now() - startedMs,
    calls_by_action: { ...calls.by_action },
  };
}
