/**
 * Scheduled scans (node-cron). They go through the same ScanService (and database lease) as the API
 * and CLI: while any process scans the target, a scheduled scan is skipped and logged.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { ScanSource } from '../domain/snapshot';
import { isAppError } from '../errors';
import type { ScanService } from '../scans/scan-service';

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
