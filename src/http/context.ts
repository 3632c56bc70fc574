import type { Logger } from 'pino';
import type { Config } from '../config';
import type { ScanService } from '../scans/scan-service';
import type { Store } from '../store';

/** What the HTTP layer needs; built once by the composition root (src/app-context.ts). */
export interface HttpContext {
  config: Config;
  store: Store;
  scans: ScanService;
  logger: Logger;
  /** The next scheduled scan, or null when the schedule is disabled. */
  nextScheduledScan: () => Date | null;
  /** The longest time between two scheduled scans (ms; src/scheduler/scheduler.ts), or null without a schedule. */
  scanIntervalMs: number | null;
  clock: () => Date;
}
