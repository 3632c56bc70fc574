/**
 * The messages between the scan service's recorder (recorder.ts) and the recording worker
 * (recording-worker.ts), and how an error crosses the thread: a StoreError and a RunNotRunningError
 * arrive as themselves (the scan service tells them apart), anything else as an Error with its message.
 */
import { RunNotRunningError, StoreError } from '../store';
import type { RecordJob, RecordResult } from './run-evaluation';

/** What the recorder asks of the worker; each request also carries an id its response repeats. */
export type WorkerJob = { type: 'record'; conn: number; dbPath: string; job: RecordJob } | { type: 'close'; conn: number };

export type WorkerRequest = WorkerJob & { id: number };

export type WorkerResponse = { id: number; ok: true; result: RecordResult | null } | { id: number; ok: false; error: SerializedError };

export type SerializedError =
  | { kind: 'store'; sqliteCode: string; dbPath: string; reason: string }
  | { kind: 'run_not_running'; runId: number }
  | { kind: 'other'; name: string; message: string; stack?: string };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof StoreError) return { kind: 'store', sqliteCode: error.sqliteCode, dbPath: error.dbPath, reason: error.reason };
  if (error instanceof RunNotRunningError) return { kind: 'run_not_running', runId: error.runId };
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: 'other', name: e.name, message: e.message, stack: e.stack };
}

export function deserializeError(error: SerializedError): Error {
  switch (error.kind) {
    case 'store':
      return new StoreError(error.sqliteCode, error.dbPath, error.reason);
    case 'run_not_running':
      return new RunNotRunningError(error.runId);
    case 'other': {
      const e = new Error(error.message);
      e.name = error.name;
      if (error.stack) e.stack = error.stack;
      return e;
    }
  }
}
