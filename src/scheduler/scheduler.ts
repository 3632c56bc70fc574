/**
 * Scheduled scans (node-cron). They go through the same ScanService (and database lease) as the API
 * and CLI: while any process scans the target, a scheduled scan is skipped and logged.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { ScanSource } from '../domain/snapshot';
import { isAppError } from '../errors';
import type { ScanService } from '../scans/scan-service';

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
  source: ScanSource;
  scans: ScanService;
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
        const { run, done } = options.scans.start({ source: options.source, trigger: 'schedule' });
        logger.info({ run_id: run.id }, 'scheduled scan started');
        await done;
      } catch (error) {
        // The message names the running run (in this process or another one on the same database).
        if (isAppError(error) && error.code === 'scan_in_progress') logger.warn({ reason: error.message }, 'scheduled scan skipped: a scan of this target is already running');
        else logger.error({ err: error }, 'scheduled scan could not start');
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
