/**
 * Prometheus metrics (prom-client), served at GET /metrics.
 *
 * Every KeywatchMetrics has its own Registry (never prom-client's global one), so several apps can
 * live in one process (tests) without "metric already registered" errors.
 *
 * - Counters and the duration histogram are fed by the scan service's run-finished hook
 *   (`onRunFinished`): they count what this process did since it started, as Prometheus expects.
 * - Gauges that describe stored state (open findings, last succeeded scan) are read from the store
 *   at scrape time, so they are right after a restart and never drift from the API's answers.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { MetricsQueries } from '../store';
import type { ScanRun } from '../domain/runs';

export const SCAN_DURATION_BUCKETS_S = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface MetricsOptions {
  version: string;
  /** Read-only store aggregates for the scrape-time gauges. */
  queries: MetricsQueries;
  /** Targets this process scans, and whether a scan of one is running now. */
  targets: () => string[];
  isScanRunning: (target: string) => boolean;
  logger?: Logger;
  /** The clock suppressions are evaluated against (expiry). Default: the real clock. */
  clock?: () => Date;
  /** Node.js process metrics (CPU, memory, event loop, GC, handles); default true. */
  defaultMetrics?: boolean;
}

export class KeywatchMetrics {
  readonly registry = new Registry();
  private readonly scans: Counter<'target' | 'source' | 'status'>;
  private readonly duration: Histogram<'target' | 'source' | 'status'>;
  private readonly apiCalls: Counter<'target' | 'source'>;
  private readonly throttled: Counter<'target' | 'source'>;
  private readonly retries: Counter<'target' | 'source'>;
  private readonly authFailures: Counter;
  private readonly authBlocked: Counter;

  constructor(private readonly options: MetricsOptions) {
    const registers = [this.registry];
    const log = options.logger;

    new Gauge({
      name: 'keywatch_build_info',
      help: 'Always 1; the keywatch version as a label',
      labelNames: ['version'],
      registers,
    }).set({ version: options.version }, 1);

    this.scans = new Counter({
      name: 'keywatch_scans_total',
      help: 'Finished scan runs by target, source and status (succeeded, failed, interrupted)',
      labelNames: ['target', 'source', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'keywatch_scan_duration_seconds',
      help: 'Wall-clock duration of finished scan runs',
      labelNames: ['target', 'source', 'status'],
      buckets: SCAN_DURATION_BUCKETS_S,
      registers,
    });
    this.apiCalls = new Counter({
      name: 'keywatch_iam_api_calls_total',
      help: 'IAM/STS API calls made by finished scan runs (each attempt counts, retries included)',
      labelNames: ['target', 'source'],
      registers,
    });
    this.throttled = new Counter({
      name: 'keywatch_iam_throttled_total',
      help: 'IAM API calls answered with throttling (Throttling, LimitExceeded, HTTP 429)',
      labelNames: ['target', 'source'],
      registers,
    });
    this.retries = new Counter({
      name: 'keywatch_iam_retries_total',
      help: 'IAM API calls retried after throttling or a transient error',
      labelNames: ['target', 'source'],
      registers,
    });
    this.authFailures = new Counter({
      name: 'keywatch_http_auth_failures_total',
      help: 'Requests that presented wrong credentials (basic auth or metrics bearer token)',
      registers,
    });
    this.authBlocked = new Counter({
      name: 'keywatch_http_auth_rate_limited_total',
      help: 'Requests refused with 429 because their client made too many failed authentication attempts',
      registers,
    });

    const queries = options.queries;
    const now = () => (options.clock ?? (() => new Date()))().getTime();
    // One database read per scrape feeds both gauges (collect() of the first fills the second).
    const suppressedGauge = new Gauge({
      name: 'keywatch_open_findings_suppressed',
      help: 'Open findings covered by an active suppression (accepted risk), by target, severity and check',
      labelNames: ['target', 'severity', 'check'],
      registers: [],
    });
    new Gauge({
      name: 'keywatch_open_findings',
      help: 'Open findings by target, severity and check, suppressed ones excluded like in the API (read from the database at scrape time)',
      labelNames: ['target', 'severity', 'check'],
      registers,
      collect() {
        this.reset();
        suppressedGauge.reset();
        try {
          for (const row of queries.openFindingsBySeverityAndCheck(now())) {
            const labels = { target: row.target, severity: row.severity, check: row.checkId };
            if (row.suppressed) suppressedGauge.inc(labels, row.count);
            else this.inc(labels, row.count);
          }
        } catch (error) {
          log?.warn({ err: error }, 'metrics: could not read open findings');
        }
      },
    });
    this.registry.registerMetric(suppressedGauge);
    new Gauge({
      name: 'keywatch_last_successful_scan_timestamp_seconds',
      help: 'Unix time at which the latest succeeded scan of a target finished (read from the database at scrape time)',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        try {
          for (const row of queries.lastSucceededScanByTarget()) this.set({ target: row.target }, row.finishedAt / 1000);
        } catch (error) {
          log?.warn({ err: error }, 'metrics: could not read the last succeeded scans');
        }
      },
    });
    new Gauge({
      name: 'keywatch_scan_running',
      help: '1 while a scan of the target is running, else 0',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        for (const target of options.targets()) this.set({ target }, options.isScanRunning(target) ? 1 : 0);
      },
    });

    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The scan service's run-finished listener. Never throws. */
  readonly onRunFinished = (run: ScanRun): void => {
    try {
      const labels = { target: run.target, source: run.source, status: run.status };
      this.scans.inc(labels);
      const durationMs =
        typeof run.stats?.duration_ms === 'number' ? run.stats.duration_ms : run.finishedAt !== null ? run.finishedAt - run.startedAt : null;
      if (durationMs !== null && durationMs >= 0) this.duration.observe(labels, durationMs / 1000);
      const calls = { target: run.target, source: run.source };
      this.apiCalls.inc(calls, numberOr0(run.stats?.api_calls));
      this.throttled.inc(calls, numberOr0(run.stats?.throttled));
      this.retries.inc(calls, numberOr0(run.stats?.retries));
    } catch (error) {
      this.options.logger?.warn({ err: error, run_id: run.id }, 'metrics: could not record the finished run');
    }
  };

  /** Called by the auth middleware. */
  recordAuthFailure(): void {
    this.authFailures.inc();
  }

  recordAuthRateLimited(): void {
    this.authBlocked.inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for one scrape. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

function numberOr0(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}
