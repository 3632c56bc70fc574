/**
 * Online backup of the keywatch database with SQLite's backup API (better-sqlite3 `db.backup`):
 * a consistent copy of every committed transaction, safe while the server is running and writing
 * (SQLite restarts the copy if another connection writes mid-way). The copy is written to a
 * temporary file beside the destination and renamed into place only once complete and checked,
 * so an interrupted backup never leaves a half-written file under the destination's name. The copy
 * holds no scan leases (see below).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupOptions {
  /** Replace an existing destination file. Default false: refuse. */
  force?: boolean;
}

export interface BackupResult {
  source: string;
  path: string;
  bytes: number;
  /** Rows in scan_runs in the copy (0 when the schema has not been created yet). */
  runs: number;
  durationMs: number;
}

export async function backupDatabase(sourcePath: string, destinationPath: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = Date.now();
  const source = path.resolve(sourcePath);
  const destination = path.resolve(destinationPath);
  if (source === destination) throw new BackupError(`The backup file must not be the database itself (${source})`);
  if (!fs.existsSync(source)) throw new BackupError(`No database at ${source} (KEYWATCH_DB_PATH); nothing to back up`);
  if (fs.existsSync(destination)) {
    if (!options.force) throw new BackupError(`${destination} already exists; use --force to overwrite it`);
    if (!fs.statSync(destination).isFile()) throw new BackupError(`${destination} exists and is not a file`);
  }
  const dir = path.dirname(destination);
  if (!fs.existsSync(dir)) throw new BackupError(`The folder ${dir} does not exist`);

  const temporary = path.join(dir, `.${path.basename(destination)}.${process.pid}.${Date.now()}.tmp`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(temporary);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new BackupError(`Could not back up ${source}: ${(error as Error).message}`);
  } finally {
    db.close();
  }

  let runs = 0;
  try {
    const copy = new Database(temporary, { fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`The backup failed its integrity check: ${String(check)}`);
      const hasRuns = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scan_runs'").get();
      if (hasRuns) runs = (copy.prepare('SELECT COUNT(*) AS n FROM scan_runs').get() as { n: number }).n;
      // No process scans the copy: without the live database's scan leases, a scan that was running
      // during the backup reads interrupted (at its last heartbeat) as soon as the copy is restored,
      // instead of blocking its target until the lease times out.
      const hasLeases = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scan_leases'").get();
      if (hasLeases) copy.prepare('DELETE FROM scan_leases').run();
      // A self-contained file: no -wal/-shm companions needed to restore it.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    // Stale companions of an overwritten database must not be applied to the new copy.
    for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(destination + suffix, { force: true });
    fs.renameSync(temporary, destination);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error instanceof BackupError ? error : new BackupError(`Could not verify the backup: ${(error as Error).message}`);
  }
  return { source, path: destination, bytes: fs.statSync(destination).size, runs, durationMs: Date.now() - started };
}
