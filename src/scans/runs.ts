/** Looking up runs for the use cases that read a run's results (run views, diffs). */
import { AppError } from '../errors';
import type { Store } from '../store';
import type { ScanRun } from '../domain/runs';

/** The run, or 404. `where` says where the id came from when it was not the path (e.g. "query parameter base"). */
export function loadRun(store: Store, id: number, where?: string): ScanRun {
  const run = store.runs.get(id);
  if (!run) throw new AppError('not_found', 404, `Scan run ${id} not found${where ? ` (${where})` : ''}`);
  return run;
}

/** 409 unless the run succeeded: only a succeeded run has results. `message` completes the sentence. */
export function requireSucceeded(run: ScanRun, message: { role: string; reason: string; withError?: boolean }): void {
  if (run.status === 'succeeded') return;
  const error = message.withError && run.error ? ` (${run.error})` : '';
  throw new AppError('conflict', 409, `${message.role} ${run.id} is ${run.status}${error}; ${message.reason}`);
}
