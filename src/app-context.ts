/**
 * The composition root: builds the store, the IAM clients, the scan service, the scheduler and
 * the HTTP app from a Config. main.ts, the CLI and the tests all build keywatch through here.
 */
import type { Express } from 'express';
import type { Logger } from 'pino';

import { ConfigError, type Config } from './config';
import { settleBy, unwindDeadline, type Deadline } from './deadline';
import { createApp } from './http/app';
import { KeywatchMetrics } from './observability/metrics';
import { fanOut, type RunFinishedListener } from './observability/run-listeners';
import type { SnapshotCollector } from './aws/collect-context';
import { collectors } from './aws/collectors';
import { AccountConnections } from './scans/connections';
import { PostRunTasks } from './scans/post-run';
import { createRecorder } from './scans/recorder';
import { ScanService } from './scans/scan-service';
import { TargetRegistry, type DiscoveryStatus } from './scans/targets';
import { scheduleIntervalMs, startScheduler, type Scheduler } from './scheduler/scheduler';
import { isStoreError, makeMetricsQueries, openStore, type Store } from './store';
import { type ScanRun } from './domain/runs';
import type { ScanSource } from './domain/snapshot';

export interface AppContext {
  config: Config;
  logger: Logger;
  store: Store;
  /** Base clients and one limiter per AWS account. */
  connections: AccountConnections;
  /** Which targets exist (configured, discovered) and how to reach each. */
  targets: TargetRegistry;
  /**
   * The first organization discovery, started with the context (null without discovery): the server
   * waits for it before it schedules; tests await it before they scan an organization.
   */
  discovered: Promise<DiscoveryStatus | null>;
  scans: ScanService;
  scheduler: Scheduler | null;
  app: Express;
  /** Prometheus metrics served at GET /metrics (its own registry). */
  metrics: KeywatchMetrics;
  /** After-run work off the scan lock: webhook notifications and retention (idle() waits for it). */
  postRun: PostRunTasks;
  /**
   * Shuts keywatch down by one deadline (wall-clock ms; default now: nothing is waited for): the
   * scheduler stops, running scans and webhook deliveries may finish until the deadline (then scans
   * are marked `interrupted` and deliveries cancelled), as may the `drain` promises (main.ts: the
   * HTTP requests in flight); then SQLite is closed. See src/deadline.ts.
   */
  close(deadline?: Deadline, drain?: readonly Promise<unknown>[]): Promise<void>;
}

export interface BuildOptions {
  logger: Logger;
  clock?: () => Date;
  /** Static AWS credentials (demo, tests); otherwise the SDK's default chain. */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Start node-cron (the server does; the CLI and most tests do not). */
  schedule?: boolean;
  /** Called after every finished run (demo: the simulated account changes). */
  onRunFinished?: (run: ScanRun) => void;
  /** More run-finished listeners, called in turn after the metrics and onRunFinished; one that throws does not stop the others. */
  runFinishedListeners?: RunFinishedListener[];
  /**
   * Scan sources in place of the AWS collectors (default: src/aws/collectors.ts). Tests use it for
   * data the collectors do not gather yet; a source left out is not available.
   */
  collectors?: Partial<Record<ScanSource, SnapshotCollector>>;
}

/**
 * Builds keywatch. A database that cannot be opened, created, written or migrated is a ConfigError
 * naming KEYWATCH_DB_PATH (main.ts and the CLI exit 2, as for any configuration error).
 */
export function buildAppContext(config: Config, options: BuildOptions): AppContext {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  let store: Store;
  try {
    store = openStore(config.dbPath, { clock });
  } catch (error) {
    throw databaseStartupError(error);
  }

  const metrics: KeywatchMetrics = new KeywatchMetrics({
    version: config.version,
    queries: makeMetricsQueries(store.handle),
    targets: () => targets.active().map((t) => t.name),
    isScanRunning: (target: string): boolean => scans.isRunning(target),
    logger,
    clock,
  });
  const postRun = new PostRunTasks({
    store,
    logger,
    clock,
    version: config.version,
    webhook: config.webhook,
    retentionDays: config.retentionDays,
  });
  const connections = new AccountConnections({
    region: config.aws.region,
    endpoints: config.aws.endpoints,
    credentials: options.awsCredentials,
    limiter: config.iam,
  });
  const targets = new TargetRegistry({ targets: config.targets, store, connections, logger, clock });
  const recorder = createRecorder(store);
  const scans: ScanService = new ScanService({
    store,
    logger,
    targets,
    connections,
    parallelism: config.scanParallelism,
    checks: config.checks,
    recorder,
    collectors: options.collectors ?? collectors,
    reportTimeoutMs: config.reportTimeoutMs,
    clock,
    onRunFinished: fanOut([metrics.onRunFinished, options.onRunFinished, ...(options.runFinishedListeners ?? []), postRun.onRunFinished], logger),
    leaseTimeoutMs: config.scanLeaseTimeoutMs,
    riskEscalation: config.riskEscalation,
  });
  // Runs of a process that died (lease stale or missing) are interrupted; a run another live process
  // is scanning (fresh lease) is left alone. Later ones are caught by the heartbeat.
  try {
    scans.interruptAbandoned();
    targets.syncConfigured();
  } catch (error) {
    void scans.shutdown();
    void connections.stop();
    store.close();
    throw databaseStartupError(error);
  }
  const discovered = targets.discover();
  const scheduler = options.schedule
    ? startScheduler({ cron: config.schedule.cron, timezone: config.schedule.timezone, scans, targets, ready: discovered, logger })
    : null;
  postRun.start();
  const app = createApp(
    {
      config,
      store,
      scans,
      logger,
      clock,
      nextScheduledScan: () => scheduler?.nextRun() ?? null,
      scanIntervalMs: scheduleIntervalMs(config.schedule.cron, config.schedule.timezone),
    },
    { metrics },
  );

  let closed = false;
  return {
    config,
    logger,
    store,
    connections,
    targets,
    discovered,
    scans,
    scheduler,
    app,
    metrics,
    postRun,
    close: async (deadline = Date.now(), drain = []) => {
      if (closed) return;
      closed = true;
      // Every stage waits at the same time, each until the same deadline; at the deadline scans and
      // deliveries are aborted together. Until the scans are over, deliveries are still accepted: a
      // scan that finishes during the grace period still sends its notification.
      const scansOver = scans.shutdown(deadline);
      await Promise.all([
        settleBy(scheduler?.stop() ?? Promise.resolve(), deadline),
        scansOver,
        postRun.stop(deadline, scansOver),
        ...drain.map((work) => settleBy(work, deadline)),
      ]);
      await connections.stop();
      // The worker's connection to this database closes after its last job.
      await settleBy(recorder.close(), unwindDeadline(deadline));
      store.close();
    },
  };
}

function databaseStartupError(error: unknown): unknown {
  if (!isStoreError(error)) return error;
  return new ConfigError([`KEYWATCH_DB_PATH: ${error.reason}`]);
}
