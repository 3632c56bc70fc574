/**
 * The scan service takes one run-finished callback; keywatch has several listeners (metrics, the
 * demo account, notifications). fanOut calls each in turn; one that throws is logged and does not
 * stop the others or the scan.
 */
import type { Logger } from 'pino';
import type { ScanRun } from '../domain/runs';

export type RunFinishedListener = (run: ScanRun) => void;

export function fanOut(listeners: (RunFinishedListener | undefined | null)[], logger: Logger): RunFinishedListener {
  const active = listeners.filter((l): l is RunFinishedListener => typeof l === 'function');
  return (run) => {
    for (const listener of active) {
      try {
        listener(run);
      } catch (error) {
        logger.error({ err: error, run_id: run.id }, 'run-finished listener failed');
      }
    }
  };
}
