/**
 * What happens after a run, off the scan's lock: the webhook notification and retention. Built by
 * the composition root; its onRunFinished is one of the scan service's run-finished listeners.
 */
import type { Logger } from 'pino';
import type { Deadline } from '../deadline';
import type { Store } from '../store';
import type { ScanRun } from '../domain/runs';
import { RunNotifier, type WebhookSettings } from './notifier';
import { RetentionService } from './retention';

export interface PostRunOptions {
  store: Store;
  logger: Logger;
  clock: () => Date;
  version: string;
  /** null: no notifications. */
  webhook: WebhookSettings | null;
  retentionDays: number;
}

export class PostRunTasks {
  readonly notifier: RunNotifier | null;
  readonly retention: RetentionService;

  constructor(options: PostRunOptions) {
    this.notifier = options.webhook
      ? new RunNotifier({ store: options.store, logger: options.logger, settings: options.webhook, clock: options.clock, version: options.version })
      : null;
    this.retention = new RetentionService({ store: options.store, logger: options.logger, days: options.retentionDays, clock: options.clock });
  }

  /** At start-up: a retention pass in the background. */
  start(): void {
    this.retention.schedule();
  }

  /** Run-finished listener: returns at once; the work happens in the background. */
  readonly onRunFinished = (run: ScanRun): void => {
    this.notifier?.onRunFinished(run);
    this.retention.schedule();
  };

  /** Resolves when no notification or retention pass is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([this.notifier?.idle(), this.retention.idle()]);
  }

  /**
   * Shutdown: deliveries in flight, and those of runs that finish before `runsOver` settles, get
   * until the deadline, then are cancelled; retention stops between batches.
   */
  async stop(deadline: Deadline = Date.now(), runsOver: Promise<unknown> = Promise.resolve()): Promise<void> {
    await Promise.all([this.notifier?.stop(deadline, runsOver), this.retention.stop()]);
  }
}
