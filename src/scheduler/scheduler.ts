/**
 * Scheduled scans (node-cron). Each cycle brings the targets up to date (organization discovery:
 * a new account is scanned from this cycle on, one that left is not) and starts a scan of every
 * active target through the same ScanService (and database leases) as the API and CLI; the scan
 * service runs KEYWATCH_SCAN_PARALLELISM of them at once. A target another scan holds is skipped and
 * logged; cycles never overlap.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { ScanSource } from '../domain/snapshot';
import type { ScanService } from '../scans/scan-service';
import type { TargetRegistry } from '../scans/targets';

/** How many upcoming scheduled times scheduleIntervalMs looks at (covers a week of weekday-only schedules). */
const INTERVAL_LOOKAHEAD = 16;

/**
 * The longest time between two consecutive scans of a cron schedule (ms), over its next
 * INTERVAL_LOOKAHEAD times: a day for `0 3 * * *`, three days for `0 3 * * 1-5` (Friday to Monday).
 * The dashboard warns when a target's last succeeded scan is older than twice this. null: no schedule.
 */
export function scheduleIntervalMs(cronExpression: string | null, timezone: string): number | null {
  if (!cronExpression) return null;
  // createTask parses without starting anything (no timer); destroyed at once.
  const task = cron.createTask(cronExpression, () => undefined, { timezone });
  try {
    const times = task.getNextRuns(INTERVAL_LOOKAHEAD).map((d) => d.getTime());
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return longest > 0 ? longest : null;
  } finally {
    void task.destroy();
  }
}

export interface Scheduler {
  nextRun(): Date | null;
  stop(): Promise<void>;
}

export function startScheduler(options: {
  cron: string | null;
  timezone: string;
  scans: ScanService;
  targets?: TargetRegistry;
  /** Resolves once the targets are known at start-up (the first discovery); cycles wait for it. */
  ready?: Promise<unknown>;
  /** Every target's own source by default (KEYWATCH_SCAN_SOURCE, or the targets file's). */
  source?: ScanSource;
  logger: Logger;
}): Scheduler {
  const { logger } = options;
  if (!options.cron) {
    logger.info('scheduled scans disabled (KEYWATCH_SCAN_SCHEDULE is empty)');
    return { nextRun: () => null, stop: async () => undefined };
  }
  const task: ScheduledTask = cron.schedule(
    options.cron,
    async () => {
      try {
        await options.ready;
        await options.targets?.discover();
        const { started, refused } = options.scans.startAll({ trigger: 'schedule', source: options.source });
        // The message names the running run (in this process or another one on the same database).
        for (const r of refused) {
          const why = r.error.code === 'scan_in_progress' ? 'a scan of this target is already running' : 'its run could not be recorded';
          logger.warn({ target: r.target, error_code: r.error.code, reason: r.error.message }, `scheduled scan skipped: ${why}`);
        }
        logger.info({ run_ids: started.map((s) => s.run.id), targets: started.map((s) => s.run.target) }, 'scheduled scans started');
        await Promise.all(started.map((s) => s.done));
      } catch (error) {
        logger.error({ err: error }, 'scheduled scans could not start');
      }
    },
    { timezone: options.timezone, name: 'keywatch-scan', noOverlap: true },
  );
  logger.info({ cron: options.cron, timezone: options.timezone, next_run: task.getNextRun()?.toISOString() }, 'scheduled scans enabled');
  return {
    nextRun: () => task.getNextRun(),
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}
