/**
 * The store's own errors. The store chooses no HTTP status: the HTTP error middleware maps
 * StoreError to 503 `storage_unavailable`, the scan service maps TargetBusyError to 409.
 */

/**
 * The database could not be opened, read or written: a full disk, a read-only or corrupt file, a
 * failing migration. Carries SQLite's error code (`SQLITE_FULL`, `SQLITE_READONLY`,
 * `SQLITE_CORRUPT`, …; a Node.js code such as `ENOTDIR` when the file system refused first) and
 * the database path, so that an operator knows what to fix where.
 */
export class StoreError extends Error {
  constructor(
    /** `SQLITE_FULL`, `SQLITE_READONLY`, `SQLITE_IOERR_WRITE`, `SQLITE_CORRUPT`, `ENOTDIR`, … */
    readonly sqliteCode: string,
    readonly dbPath: string,
    /** What failed, with the path, the code and what to do ("could not open the database /data/k.db: …"). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Storage unavailable: ${reason}`, options);
    this.name = 'StoreError';
  }
}

export const isStoreError = (e: unknown): e is StoreError => e instanceof StoreError;

/** What an operator can do about each kind of failure (the message names it). */
function hintFor(code: string): string {
  if (code.startsWith('SQLITE_FULL')) return 'free disk space on its volume';
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return 'make the file, its folder and its -wal/-shm files writable by keywatch';
  }
  if (code.startsWith('SQLITE_CORRUPT')) return 'restore it from a backup (docs/operations.md)';
  if (code.startsWith('SQLITE_NOTADB')) return 'check that the path names a keywatch database, or restore one from a backup (docs/operations.md)';
  if (code.startsWith('SQLITE_IOERR')) return 'check the disk and the file system (full, read-only, failing)';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'another process holds a lock on it';
  if (code.startsWith('SQLITE_CANTOPEN') || ['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST'].includes(code)) {
    return 'check that the path names a file in a folder keywatch can create and write';
  }
  return 'see docs/operations.md';
}

const codeOf = (error: unknown): string | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : null;
};

/** True for an error raised by SQLite (better-sqlite3's SqliteError) or by the file system under it. */
export function isDatabaseFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code !== null && (code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code));
}

/**
 * The StoreError for a failure on the database at dbPath (of `operation` — "open", "write", … — when
 * known); anything that is not a database failure (a bug, a StoreError already) is returned as is.
 */
export function toStoreError(error: unknown, dbPath: string, operation?: string): unknown {
  if (error instanceof StoreError || !isDatabaseFailure(error)) return error;
  const code = codeOf(error)!;
  const detail = (error as Error).message;
  const what = operation ? `could not ${operation} the database ${dbPath}:` : `the database ${dbPath} failed with`;
  return new StoreError(code, dbPath, `${what} ${code} (${detail}); ${hintFor(code)}`, { cause: error });
}

/**
 * The same repository (an object of functions) whose functions raise StoreError (path + SQLite code)
 * for a failure of SQLite, whether on a read (SQLITE_CORRUPT) or a write (SQLITE_FULL,
 * SQLITE_READONLY, a failed COMMIT).
 */
export function guardRepository<T extends object>(repo: T, dbPath: string): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(repo)) {
    guarded[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            try {
              return (value as (...a: unknown[]) => unknown)(...args);
            } catch (error) {
              throw toStoreError(error, dbPath);
            }
          }
        : value;
  }
  return guarded as T;
}

/** Another process (or this one) is scanning the target: its lease is held and fresh. */
export class TargetBusyError extends Error {
  constructor(
    readonly target: string,
    readonly runId: number,
    readonly holder: { id: string; pid: number; host: string },
  ) {
    super(`target "${target}" is being scanned by run ${runId} (pid ${holder.pid} on ${holder.host})`);
    this.name = 'TargetBusyError';
  }
}

/** The run is no longer `running` (shutdown or another process marked it interrupted): its end was not recorded. */
export class RunNotRunningError extends Error {
  constructor(readonly runId: number) {
    super(`run ${runId} is no longer running (interrupted); its results were not stored`);
    this.name = 'RunNotRunningError';
  }
}
