/**
 * The recording worker (a worker thread; recorder.ts starts it): evaluates a run's checks and records
 * its results, each job on its own SQLite connection to the job's database, so that the event loop
 * serving the API never waits for them. WAL lets the API's connection read while this one writes.
 *
 * Messages in:  { type: 'record', id, conn, dbPath, job }  |  { type: 'close', id, conn }
 * Messages out: { id, ok: true, result }  |  { id, ok: false, error: SerializedError }
 * `conn` names one store of the main thread (one connection here, opened at its first job, closed by
 * `close`). Nothing here reads the environment: the job carries the checks and settings.
 */
import { parentPort } from 'node:worker_threads';
import { isStoreError, openStore, type Store } from '../store';
import { evaluateAndRecord } from './run-evaluation';
import { serializeError, type WorkerRequest, type WorkerResponse } from './recording-protocol';

const port = parentPort;
if (!port) throw new Error('recording-worker.ts runs as a worker thread (see recorder.ts)');

const stores = new Map<number, Store>();

/**
 * This connection writes one run's transaction and reads little (the target's open findings): a
 * small page cache is enough (measured on a 5,000-user run: 8 MB records as fast as 32 MB), and it
 * keeps the process's memory down beside the API's connection (bench report_scan, peak RSS).
 */
const WORKER_PAGE_CACHE_MB = 8;

function storeFor(conn: number, dbPath: string): Store {
  let store = stores.get(conn);
  if (!store) {
    // The main thread opened and migrated this database already.
    store = openStore(dbPath, { migrate: false, pageCacheMb: WORKER_PAGE_CACHE_MB });
    stores.set(conn, store);
  }
  return store;
}

function dropConnection(conn: number): void {
  const store = stores.get(conn);
  stores.delete(conn);
  try {
    store?.close();
  } catch {
    // closing a connection that failed: nothing more to do
  }
}

function handle(message: WorkerRequest): WorkerResponse {
  try {
    if (message.type === 'close') {
      dropConnection(message.conn);
      return { id: message.id, ok: true, result: null };
    }
    const result = evaluateAndRecord(storeFor(message.conn, message.dbPath), message.job);
    return { id: message.id, ok: true, result };
  } catch (error) {
    // A connection that failed in SQLite (opened while the WAL could not be written stays read-only,
    // for instance) is not kept: the next job opens a new one, and succeeds once the disk recovers.
    if (isStoreError(error)) dropConnection(message.conn);
    return { id: message.id, ok: false, error: serializeError(error) };
  }
}

port.on('message', (message: WorkerRequest) => port.postMessage(handle(message)));
