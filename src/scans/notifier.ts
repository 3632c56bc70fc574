/**
 * Webhook notifications. After a succeeded run with new or resolved findings (suppressed ones left
 * out), POST a summary with the lists to KEYWATCH_WEBHOOK_URL — keywatch's JSON (WebhookPayloadSchema,
 * whose items are the API's diff items, written by the same presenter), or Slack's incoming-webhook
 * format ({"text", "blocks"}) with KEYWATCH_WEBHOOK_FORMAT=slack. Both are presented in src/presenters.
 *
 * - Runs after the scan, off its lock: onRunFinished only schedules the delivery.
 * - Retried with exponential backoff and jitter on network errors, timeouts, 408, 425, 429 and 5xx,
 *   at most KEYWATCH_WEBHOOK_MAX_ATTEMPTS attempts; other 4xx answers are permanent.
 * - The outcome is recorded on the run (stats.notification: delivered / failed / skipped, attempts,
 *   error); a failed delivery never fails the scan.
 * - The URL is a secret (Slack's is a credential): only its host is logged or recorded.
 * - Shutdown (stop): deliveries get until the shared shutdown deadline, then are cancelled.
 */
import type { Logger } from 'pino';
import { settleBy, unwindDeadline, type Deadline } from '../deadline';
import type { WebhookFormat } from '../domain/notifications';
import type { ScanRun } from '../domain/runs';
import { renderWebhookJson } from '../presenters/diff-json';
import type { NotificationRecord } from '../presenters/schemas';
import { slackPayload } from '../presenters/slack';
import type { Store } from '../store';
import { diffRuns } from './diff';

export type { NotificationRecord };

export interface WebhookSettings {
  url: string;
  format: WebhookFormat;
  maxAttempts: number;
  backoffBaseMs: number;
  timeoutMs: number;
}

/** Items per list in the JSON payload; the counts are always complete. */
export const MAX_JSON_ITEMS = 500;
/** Items per list in the Slack message. */
export const MAX_SLACK_ITEMS = 10;
const MAX_BACKOFF_MS = 60_000;

export interface NotifierOptions {
  store: Store;
  logger: Logger;
  settings: WebhookSettings;
  clock: () => Date;
  version: string;
  /** Random source for the backoff jitter (tests). */
  random?: () => number;
}

export class RunNotifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly host: string;

  constructor(private readonly options: NotifierOptions) {
    this.host = safeHost(options.settings.url);
  }

  /** Run-finished listener: schedules the notification of a succeeded run and returns at once. */
  readonly onRunFinished = (run: ScanRun): void => {
    if (run.status !== 'succeeded' || this.abort.signal.aborted) return;
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.notify(run))
      .then(
        () => undefined,
        (error: unknown) => this.options.logger.error({ err: error, run_id: run.id }, 'webhook notification failed unexpectedly'),
      )
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  };

  /** Resolves when no notification is in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Shutdown: deliveries in flight (and retries), and those of runs that finish before `runsOver`
   * settles, may finish until the deadline; then the rest are cancelled and recorded as failed
   * ("cancelled: keywatch shut down") while the database is still open, within the unwind allowance
   * after the same deadline (src/deadline.ts).
   */
  async stop(deadline: Deadline = Date.now(), runsOver: Promise<unknown> = Promise.resolve()): Promise<void> {
    const drained = await settleBy(runsOver.then(() => this.idle()), deadline);
    this.abort.abort(new Error('keywatch is shutting down'));
    if (!drained && !(await settleBy(this.idle(), unwindDeadline(deadline)))) {
      this.options.logger.warn({ pending: this.pending.size }, 'webhook deliveries still unwinding at shutdown; their outcome is only in the log');
    }
  }

  /** Builds and delivers the notification of one run, and records the outcome on it. */
  async notify(run: ScanRun): Promise<NotificationRecord> {
    const { store, clock } = this.options;
    const diff = diffRuns(store, run.id, { suppressed: 'exclude', now: clock().getTime() });
    let record: NotificationRecord;
    if (diff.new.length === 0 && diff.resolved.length === 0) {
      record = { status: 'skipped', reason: 'no new or resolved findings (suppressed ones left out)', at: clock().toISOString() };
    } else {
      const body =
        this.options.settings.format === 'slack' ? JSON.stringify(slackPayload(diff, MAX_SLACK_ITEMS)) : renderWebhookJson(diff, this.options.version, MAX_JSON_ITEMS);
      record = await this.deliver(body, run.id);
    }
    this.record(run.id, record);
    return record;
  }

  private async deliver(body: string, runId: number): Promise<NotificationRecord> {
    const { settings, logger, clock } = this.options;
    const random = this.options.random ?? Math.random;
    let lastError = '';
    let lastStatus: number | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
      attempts = attempt;
      let retryAfterMs = 0;
      try {
        const response = await fetch(settings.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': `keywatch/${this.options.version}` },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), this.abort.signal]),
          redirect: 'error',
        });
        lastStatus = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          logger.info({ run_id: runId, host: this.host, attempts }, 'webhook notification delivered');
          return { status: 'delivered', format: settings.format, host: this.host, attempts, http_status: response.status, at: clock().toISOString() };
        }
        lastError = `HTTP ${response.status}`;
        if (!isRetryableStatus(response.status)) break;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (this.abort.signal.aborted) {
          lastError = 'cancelled: keywatch shut down';
          break;
        }
        lastStatus = undefined;
        const e = error as Error & { cause?: { code?: string; message?: string } };
        lastError = e.name === 'TimeoutError' ? `timed out after ${settings.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      }
      if (attempt < settings.maxAttempts) {
        const backoff = Math.min(MAX_BACKOFF_MS, settings.backoffBaseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
        logger.warn({ run_id: runId, host: this.host, attempt, error: lastError }, 'webhook delivery failed; retrying');
        if (!(await sleep(Math.min(MAX_BACKOFF_MS, Math.max(backoff, retryAfterMs)), this.abort.signal))) {
          lastError = `${lastError}; cancelled: keywatch shut down`;
          break;
        }
      }
    }
    logger.error({ run_id: runId, host: this.host, attempts, error: lastError }, 'webhook notification failed');
    return {
      status: 'failed',
      format: settings.format,
      host: this.host,
      attempts,
      ...(lastStatus !== undefined ? { http_status: lastStatus } : {}),
      error: lastError,
      at: clock().toISOString(),
    };
  }

  private record(runId: number, record: NotificationRecord): void {
    try {
      this.options.store.runs.patchStats(runId, { notification: record });
    } catch (error) {
      // The database may be closed by a shutdown; the outcome is in the log.
      this.options.logger.warn({ err: error, run_id: runId, notification: record }, 'could not record the webhook outcome on the run');
    }
  }
}

const isRetryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

function parseRetryAfter(value: string | null): number {
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}
