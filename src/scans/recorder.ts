/**
 * The recorder: a run's evaluation and recording (run-evaluation.ts) in the recording worker, a worker
 * thread with its own SQLite connection, so that the event loop serving the API is not held while a
 * large account's checks run and its results are written (measured on a 5,000-user report before: one
 * stall of 0.5–0.8 s per scan; bench `api_load`).
 *
 * One worker per process, shared by every store of the process (one connection each), started at the
 * first job and kept (it does not keep the process alive when idle). A worker that dies fails the jobs
 * it held with an Error (their runs fail, nothing is stored: the transaction never committed) and the
 * next job starts a new one. An in-memory database cannot be shared with another connection: its runs
 * are recorded on the calling thread.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Store } from '../store';
import { deserializeError, type WorkerJob, type WorkerRequest, type WorkerResponse } from './recording-protocol';
import { evaluateAndRecord, type RecordJob, type RecordResult } from './run-evaluation';

export interface Recorder {
  /** Evaluates the checks and records the run; rejects with StoreError, RunNotRunningError or an Error, having stored nothing. */
  record(job: RecordJob): Promise<RecordResult>;
  /** Jobs sent and not yet answered. */
  readonly inFlight: number;
  /** Closes this store's connection in the worker; call after its last job, before the store closes. */
  close(): Promise<void>;
}

/**
 * The worker's entry beside this module: compiled JavaScript in dist/; under the tests (ts-jest runs
 * the TypeScript sources) the same source file, compiled on load by tsx.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  return { file: path.join(__dirname, `recording-worker${ext}`), execArgv: ext === '.ts' ? ['--require', 'tsx/cjs'] : [] };
}

/**
 * The worker's young generation, in MB. Recording allocates a lot that dies at once (rows, SQL
 * parameters); with V8's default the worker's heap grew to about 100 MB per run beside the main
 * thread's, and a 5,000-user report scan peaked at 310–330 MB of RSS (bench report_scan). A small
 * young generation only means more frequent scavenges, off the event loop; it caps nothing that
 * lives (the old generation keeps the process's limit), so a large account cannot fail on it.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

type Pending = { resolve(result: RecordResult | null): void; reject(error: Error): void };

/** The process's recording worker. */
class RecordingWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  get running(): boolean {
    return this.worker !== null;
  }

  send(request: WorkerJob): Promise<RecordResult | null> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // a job in flight keeps the process alive until it is answered
      worker.postMessage({ ...request, id } satisfies WorkerRequest);
    });
  }

  private start(): Worker {
    const { file, execArgv } = workerEntry();
    const worker = new Worker(file, { execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.unref();
    worker.on('message', (response: WorkerResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      if (!waiting) return;
      if (response.ok) waiting.resolve(response.result);
      else waiting.reject(deserializeError(response.error));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(new Error(`the recording worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => fail(new Error(`the recording worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

const shared = new RecordingWorker();
let nextConnection = 1;

export function createRecorder(store: Store): Recorder {
  const inMemory = store.handle.path === ':memory:';
  const conn = nextConnection++;
  let opened = false;
  let inFlight = 0;
  const evaluateAndRecordIn = async (job: RecordJob): Promise<RecordResult> => {
    if (inMemory) return evaluateAndRecord(store, job);
    opened = true;
    return (await shared.send({ type: 'record', conn, dbPath: store.handle.path, job })) as RecordResult;
  };
  return {
    record: async (job) => {
      inFlight++;
      try {
        return await evaluateAndRecordIn(job);
      } finally {
        inFlight--;
      }
    },
    get inFlight() {
      return inFlight;
    },
    close: async () => {
      if (!opened || !shared.running) return; // a worker that stopped took its connections with it
      opened = false;
      await shared.send({ type: 'close', conn }).catch(() => undefined);
    },
  };
}
