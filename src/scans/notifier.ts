/**
 * Webhook notifications. After a succeeded run with new or resolved findings (suppressed ones left
 * out), POST a summary with the lists to KEYWATCH_WEBHOOK_URL — keywatch's JSON, or Slack's
 * incoming-webhook format ({"text", "blocks"}) with KEYWATCH_WEBHOOK_FORMAT=slack.
 *
 * - Runs after the scan, off its lock: onRunFinished only schedules the delivery.
 * - Retried with exponential backoff and jitter on network errors, timeouts, 408, 425, 429 and 5xx,
 *   at most KEYWATCH_WEBHOOK_MAX_ATTEMPTS attempts; other 4xx answers are permanent.
 * - The outcome is recorded on the run (stats.notification: delivered / failed / skipped, attempts,
 *   error); a failed delivery never fails the scan.
 * - The URL is a secret (Slack's is a credential): only its host is logged or recorded.
 */
import type { Logger } from 'pino';
import { checkText } from '../checks/catalog';
import type { Store } from '../store';
import type { ScanRun } from '../domain/runs';
import { diffRuns, type ChangedItem, type DiffItem, type RunDiff } from './diff';

export interface WebhookSettings {
  url: string;
  format: 'json' | 'slack';
  maxAttempts: number;
  backoffBaseMs: number;
  timeoutMs: number;
}

export interface NotificationRecord {
  status: 'delivered' | 'failed' | 'skipped';
  format?: 'json' | 'slack';
  /** Host of the webhook URL (never the full URL: it can hold a token). */
  host?: string;
  attempts?: number;
  http_status?: number;
  error?: string;
  reason?: string;
  at: string;
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

  /** Lets deliveries in flight finish within graceMs, then cancels the rest (recorded as failed when possible). */
  async stop(graceMs = 0): Promise<void> {
    if (this.pending.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.abort.abort(new Error('keywatch is shutting down'));
    await this.idle();
  }

  /** Builds and delivers the notification of one run, and records the outcome on it. */
  async notify(run: ScanRun): Promise<NotificationRecord> {
    const { store, clock } = this.options;
    const diff = diffRuns(store, run.id, { suppressed: 'exclude', now: clock().getTime() });
    let record: NotificationRecord;
    if (diff.new.length === 0 && diff.resolved.length === 0) {
      record = { status: 'skipped', reason: 'no new or resolved findings (suppressed ones left out)', at: clock().toISOString() };
    } else {
      const payload = this.options.settings.format === 'slack' ? slackPayload(diff) : jsonPayload(diff, this.options.version);
      record = await this.deliver(JSON.stringify(payload), run.id);
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

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function itemJson(i: DiffItem) {
  return {
    finding_id: i.state.findingId,
    check_id: i.state.checkId,
    title: checkText(i.state.checkId).title,
    severity: i.state.severity,
    resource_type: i.state.resourceType,
    resource_id: i.state.resourceId,
    user_name: i.state.userName,
    evidence: i.state.durable,
  };
}

/** keywatch's JSON summary. */
export function jsonPayload(diff: RunDiff, version: string) {
  const cap = <T>(items: T[]) => items.slice(0, MAX_JSON_ITEMS);
  return {
    event: 'keywatch.run.findings_changed',
    keywatch_version: version,
    target: diff.run.target,
    account_id: diff.run.accountId,
    run: { id: diff.run.id, source: diff.run.source, trigger: diff.run.trigger, finished_at: iso(diff.run.finishedAt), path: `/api/scans/${diff.run.id}` },
    base_run_id: diff.base?.id ?? null,
    counts: { new: diff.new.length, resolved: diff.resolved.length, changed: diff.changed.length, unchanged: diff.unchanged },
    truncated: diff.new.length > MAX_JSON_ITEMS || diff.resolved.length > MAX_JSON_ITEMS || diff.changed.length > MAX_JSON_ITEMS,
    new: cap(diff.new).map(itemJson),
    resolved: cap(diff.resolved).map(itemJson),
    changed: cap(diff.changed).map((c: ChangedItem) => ({
      ...itemJson(c),
      before: { severity: c.before.severity, evidence: c.before.durable },
      after: { severity: c.state.severity, evidence: c.state.durable },
    })),
  };
}

const SEVERITY_EMOJI: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/** Slack mrkdwn escaping (&, <, >). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slackLines(items: DiffItem[]): string {
  const lines = items.slice(0, MAX_SLACK_ITEMS).map(({ state: i }) => {
    const who = esc(i.userName ?? i.resourceId);
    const key = i.resourceType === 'access_key' ? ` (\`${esc(i.resourceId)}\`)` : '';
    return `${SEVERITY_EMOJI[i.severity] ?? ''} *${esc(i.severity)}* ${esc(checkText(i.checkId).title)} — ${who}${key}`;
  });
  if (items.length > MAX_SLACK_ITEMS) lines.push(`…and ${items.length - MAX_SLACK_ITEMS} more`);
  return lines.join('\n');
}

/** Slack's incoming-webhook format: a fallback `text` and Block Kit `blocks`. */
export function slackPayload(diff: RunDiff) {
  const where = `target ${diff.run.target}${diff.run.accountId ? ` (account ${diff.run.accountId})` : ''}`;
  const text = `keywatch: ${diff.new.length} new and ${diff.resolved.length} resolved IAM findings in ${where}, run ${diff.run.id}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `keywatch: ${diff.new.length} new, ${diff.resolved.length} resolved`.slice(0, 150) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: esc(`Run ${diff.run.id} of ${where}${diff.base ? ` compared with run ${diff.base.id}` : ' (first run)'}: ${diff.changed.length} changed, ${diff.unchanged} unchanged.`),
      },
    },
  ];
  if (diff.new.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*New*\n${slackLines(diff.new)}`.slice(0, 3000) } });
  if (diff.resolved.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Resolved*\n${slackLines(diff.resolved)}`.slice(0, 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: esc(`GET /api/scans/${diff.run.id}/diff for the full lists`) }] });
  return { text, blocks };
}
