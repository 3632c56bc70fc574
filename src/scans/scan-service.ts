/**
 * The one use case that runs a scan. The API, the scheduler and the CLI all call start(); one
 * lock per target guarantees never two scans of a target at once.
 *
 *   lock target → create run (running) → collect snapshot (limiter) → evaluate checks (pure)
 *   → write results + succeeded in ONE transaction → release lock
 *
 * Any failure ends the run `failed` with an error a person can act on, and changes no finding.
 */
import type { Logger } from 'pino';
import type { SnapshotCollector } from '../aws/collect-context';
import { IamGateway, type IamClients } from '../aws/iam-gateway';
import { emptyCallStats, IamLimiter, type CallStats } from '../aws/limiter';
import { evaluateChecks, neededData } from '../checks/evaluate';
import type { ResolvedCheck } from '../checks/settings';
import type { IamSnapshot, ScanSource } from '../domain/snapshot';
import { AppError, isAppError } from '../errors';
import type { RunStats, RunTrigger, ScanRun, Store } from '../store';
import { countBySeverity, toFindingInput } from './finding-input';

export interface ScanServiceOptions {
  store: Store;
  logger: Logger;
  /** The configured target name and how to reach its account. */
  target: string;
  clients: IamClients;
  limiter: { ratePerSecond: number; concurrency: number; maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number };
  checks: ResolvedCheck[];
  collectors: Partial<Record<ScanSource, SnapshotCollector>>;
  reportTimeoutMs: number;
  clock?: () => Date;
  /** Called after every finished run (metrics, notifications). Must not throw. */
  onRunFinished?: (run: ScanRun) => void;
}

export interface StartScanInput {
  source: ScanSource;
  trigger: RunTrigger;
  target?: string;
}

export interface StartedScan {
  /** The run as created (status `running`). */
  run: ScanRun;
  /** Settles with the finished run; never rejects (a failure is a `failed` run). */
  done: Promise<ScanRun>;
  /** The collected snapshot once done (null when collection failed); for the v1 endpoints. */
  snapshot: Promise<IamSnapshot | null>;
}

interface RunningScan {
  runId: number;
  gateway: IamGateway | null;
  done: Promise<ScanRun>;
}

export class ScanService {
  private readonly running = new Map<string, RunningScan>();
  private readonly limiter: IamLimiter;
  private readonly clock: () => Date;

  constructor(private readonly options: ScanServiceOptions) {
    this.limiter = new IamLimiter(options.limiter);
    this.clock = options.clock ?? (() => new Date());
  }

  get target(): string {
    return this.options.target;
  }

  get checks(): ResolvedCheck[] {
    return this.options.checks;
  }

  sources(): ScanSource[] {
    return Object.keys(this.options.collectors) as ScanSource[];
  }

  isRunning(target = this.options.target): boolean {
    return this.running.has(target);
  }

  runningRunIds(): number[] {
    return [...this.running.values()].map((r) => r.runId);
  }

  /**
   * Starts a scan and returns at once with the `running` run; `done` settles when it finishes
   * (it never rejects: a failure is a `failed` run). Throws 409 while the target is being scanned.
   */
  start(input: StartScanInput): StartedScan {
    const target = input.target ?? this.options.target;
    if (target !== this.options.target) {
      throw AppError.validation([{ field: 'target', message: `unknown target "${target}"; this keywatch scans "${this.options.target}"` }]);
    }
    const collector = this.options.collectors[input.source];
    if (!collector) {
      throw AppError.validation([
        { field: 'source', message: `source "${input.source}" is not available; use one of: ${this.sources().join(', ')}` },
      ]);
    }
    const current = this.running.get(target);
    if (current) {
      throw new AppError('scan_in_progress', 409, `A scan of target "${target}" is already running (run ${current.runId}). Try again when it has finished.`);
    }
    // Take the lock before anything asynchronous can interleave.
    const slot: RunningScan = { runId: -1, gateway: null, done: Promise.resolve(undefined as unknown as ScanRun) };
    this.running.set(target, slot);
    let run: ScanRun;
    try {
      run = this.options.store.runs.create({
        target,
        source: input.source,
        trigger: input.trigger,
        startedAt: this.clock().getTime(),
        settings: this.settingsSnapshot(),
      });
    } catch (error) {
      this.running.delete(target);
      throw new AppError('storage_error', 500, `Could not record the scan run: ${(error as Error).message}`, undefined, { cause: error });
    }
    slot.runId = run.id;
    let snapshotOut: IamSnapshot | null = null;
    slot.done = this.execute(run, collector, slot, (s) => (snapshotOut = s)).finally(() => this.running.delete(target));
    return { run, done: slot.done, snapshot: slot.done.then(() => snapshotOut) };
  }

  /** Starts a scan and waits for it to finish. */
  async runToCompletion(input: StartScanInput): Promise<ScanRun> {
    return this.start(input).done;
  }

  /**
   * Graceful shutdown: lets running scans finish within graceMs; what is still running then is
   * cancelled and marked `interrupted`.
   */
  async shutdown(graceMs: number): Promise<void> {
    const scans = [...this.running.values()];
    if (scans.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([Promise.all(scans.map((s) => s.done)).then(() => 'done' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        for (const s of scans) {
          s.gateway?.cancel(new AppError('internal_error', 503, 'keywatch is shutting down'));
          this.options.store.runs.markInterrupted(s.runId, this.clock().getTime(), `keywatch shut down before the scan finished (grace period ${graceMs} ms)`);
          this.options.logger.warn({ run_id: s.runId }, 'scan interrupted by shutdown');
        }
        // Queued IAM calls now fail fast; abort the ones in flight too (slow answers would otherwise
        // hold the scan up to the SDK's request timeout), and give the scans a moment to unwind
        // before the store closes.
        this.options.clients.destroy();
        await Promise.race([Promise.all(scans.map((s) => s.done)), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
    }
    await this.limiter.stop();
  }

  private settingsSnapshot(): Record<string, unknown> {
    return Object.fromEntries(this.options.checks.map((c) => [c.check.id, { enabled: c.enabled, settings: c.settings }]));
  }

  /** Waits for the scan of a target that is running now (if any). */
  async waitForRunning(target = this.options.target): Promise<void> {
    await this.running.get(target)?.done;
  }

  private async execute(run: ScanRun, collector: SnapshotCollector, slot: RunningScan, keepSnapshot: (s: IamSnapshot) => void): Promise<ScanRun> {
    const log = this.options.logger.child({ run_id: run.id, target: run.target, source: run.source, trigger: run.trigger });
    const started = Date.now();
    const callStats: CallStats = emptyCallStats();
    const gateway = new IamGateway(this.options.clients, this.limiter, callStats);
    slot.gateway = gateway;
    const source = run.source as ScanSource;
    log.info('scan started');
    let accountId: string | null = null;
    try {
      const snapshot = await collector({
        gateway,
        needs: neededData(this.options.checks, source),
        now: this.clock,
        logger: log,
        reportTimeoutMs: this.options.reportTimeoutMs,
      });
      accountId = snapshot.accountId;
      keepSnapshot(snapshot);
      const now = this.clock();
      const { findings, skipped } = evaluateChecks(snapshot, this.options.checks, now);
      const inputs = findings.map(toFindingInput);
      const stats: RunStats = {
        ...statsOf(callStats, started),
        users: snapshot.users.length,
        access_keys: snapshot.users.reduce((n, u) => n + u.accessKeys.length, 0),
        findings: inputs.length,
        findings_by_severity: countBySeverity(findings),
      };
      const outcome = this.options.store.recordSucceededRun({
        runId: run.id,
        target: run.target,
        accountId: snapshot.accountId,
        finishedAt: now.getTime(),
        stats,
        skippedChecks: skipped,
        reportGeneratedAt: snapshot.reportGeneratedAt?.getTime() ?? null,
        findings: inputs,
      });
      log.info({ stats, outcome }, 'scan succeeded');
    } catch (error) {
      gateway.cancel(error instanceof Error ? error : new Error(String(error)));
      const appError = isAppError(error)
        ? error
        : new AppError('internal_error', 500, `The scan failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, undefined, { cause: error });
      const code = isStorageError(error) ? 'storage_error' : appError.code;
      const message = isStorageError(error) ? `Could not store the scan results: ${(error as Error).message}` : appError.message;
      try {
        this.options.store.runs.markFailed(run.id, {
          finishedAt: this.clock().getTime(),
          errorCode: code,
          error: message,
          stats: statsOf(callStats, started),
          accountId,
        });
      } catch (storeError) {
        log.error({ err: storeError }, 'could not mark the run failed');
      }
      log.warn({ error_code: code, error: message, stats: statsOf(callStats, started) }, 'scan failed');
    }
    let finished: ScanRun;
    try {
      finished = this.options.store.runs.get(run.id) ?? run;
    } catch (storeError) {
      // The store was closed under us (shutdown after the grace period): the run was marked
      // interrupted before that. `done` must still settle, never reject.
      log.warn({ err: storeError }, 'could not read the finished run back');
      return { ...run, status: 'interrupted' };
    }
    try {
      this.options.onRunFinished?.(finished);
    } catch (hookError) {
      log.error({ err: hookError }, 'run-finished hook failed');
    }
    return finished;
  }
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

function isStorageError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return typeof code === 'string' && code.startsWith('SQLITE_');
}
