/**
 * Retention (KEYWATCH_RETENTION_DAYS, 0 = keep everything): deletes runs that started more than N
 * days ago, in the background — at start-up and after every finished run — in small transactions
 * with the event loop free in between. What stays is exact: every remaining run's findings, every
 * remaining finding's full timeline (see store/retention-repository.ts for the rules). The latest
 * succeeded run of a target is always kept.
 */
import type { Logger } from 'pino';
import type { Store } from '../store';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  store: Store;
  logger: Logger;
  days: number;
  clock: () => Date;
  /** Runs / findings deleted per transaction. */
  batchSize?: number;
}

export interface RetentionPass {
  deletedRuns: number;
  deletedFindings: number;
}

export class RetentionService {
  private running: Promise<RetentionPass> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly options: RetentionOptions) {}

  get enabled(): boolean {
    return this.options.days > 0;
  }

  /** Starts a pass in the background (coalesced: one more pass if asked while one runs). */
  schedule(): void {
    if (!this.enabled || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** One full pass now (also used by tests): deletes what is older than the retention period. */
  async runOnce(): Promise<RetentionPass> {
    const { store, logger, clock } = this.options;
    const batch = this.options.batchSize ?? 500;
    const cutoff = clock().getTime() - this.options.days * DAY_MS;
    const total: RetentionPass = { deletedRuns: 0, deletedFindings: 0 };
    for (const target of store.runs.targets()) {
      for (;;) {
        if (this.stopped) return total;
        const r = store.retention.prune(target, cutoff, batch);
        total.deletedRuns += r.deletedRuns;
        total.deletedFindings += r.deletedFindings;
        if (!r.more) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (total.deletedRuns > 0 || total.deletedFindings > 0) {
      logger.info({ retention_days: this.options.days, deleted_runs: total.deletedRuns, deleted_findings: total.deletedFindings }, 'retention: old runs deleted');
    }
    return total;
  }

  private async loop(): Promise<RetentionPass> {
    const total: RetentionPass = { deletedRuns: 0, deletedFindings: 0 };
    do {
      this.again = false;
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const r = await this.runOnce();
        total.deletedRuns += r.deletedRuns;
        total.deletedFindings += r.deletedFindings;
      } catch (error) {
        this.options.logger.error({ err: error }, 'retention pass failed; it is retried after the next run');
      }
    } while (this.again && !this.stopped);
    return total;
  }
}
