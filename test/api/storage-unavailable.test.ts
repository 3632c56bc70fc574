/**
 * A write that cannot be committed never answers success: the real app on a real SQLite file whose
 * writes fail the way they do on a bad day.
 *
 * - The commit itself fails (the lost commit of issue 8): the WAL file is made immutable
 *   (`chattr +i`, which stops root too), so SQLite's COMMIT cannot append to it. Needs a file system
 *   with immutable files and CAP_LINUX_IMMUTABLE; skipped (and reported as skipped) elsewhere.
 * - The database is full: SQLite's max_page_count set to the current size and the free room of its
 *   pages used up, so the next write needs a page it may not allocate (SQLITE_FULL).
 * - The database is read-only for SQLite (PRAGMA query_only: SQLITE_READONLY, also for root).
 * - Corrupt pages: a read fails with SQLITE_CORRUPT.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { waitFor } from '../ops/support';
import { accountWithKeyAges, accountWithUsers } from '../support/accounts';
import { immutableFilesSupported } from '../support/files';
import { makeTempDir, scanViaApi, startHarness, TEST_PASSWORD, TEST_USER, type Harness } from '../support/harness';


const SUPPRESSION = { check_id: 'access_key_not_rotated', user_pattern: 'user-*', reason: 'accepted for the test' };

/** Ids the API told a client about (answers 2xx), to check none is lost or reused. */
interface Told {
  runs: number[];
  suppressions: number[];
}

/**
 * Every write the API offers, while the fault is on: none answers success; each answers 503
 * storage_unavailable naming the database path and the SQLite error code.
 */
async function expectWritesRefused(h: Harness, told: Told, code: RegExp, options: { deleteFails: boolean }): Promise<void> {
  const callsBefore = h.sim.stats.calls;
  const refused = (res: request.Response, what: string) => {
    if (res.status < 300) {
      if (what.startsWith('POST /api/scans') && typeof res.body.id === 'number') told.runs.push(res.body.id);
      if (what === 'POST /api/suppressions' && typeof res.body.id === 'number') told.suppressions.push(res.body.id);
    }
    expect({ what, status: res.status, code: res.body?.error?.code }).toEqual({ what, status: 503, code: 'storage_unavailable' });
    expect(res.body.error.message).toContain(h.dbPath);
    expect(res.body.error.message).toMatch(code);
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /); // no stack trace
  };
  refused(await h.post('/api/scans').send({ source: 'api' }), 'POST /api/scans');
  refused(await h.post('/api/scans?wait=true').send({ source: 'api' }), 'POST /api/scans?wait=true');
  refused(await h.post('/api/suppressions').send(SUPPRESSION), 'POST /api/suppressions');
  if (options.deleteFails) refused(await request(h.ctx.app).delete(`/api/suppressions/${told.suppressions[0]}`).auth(TEST_USER, TEST_PASSWORD), 'DELETE /api/suppressions');

  const ready = await request(h.ctx.app).get('/api/ready');
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ status: 'not_ready', database: 'unavailable' });
  expect(ready.body.reason).toContain(h.dbPath);
  expect(ready.body.reason).toMatch(code);

  // Nothing was started in the background for the refused scans: no IAM call at all.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(h.sim.stats.calls).toBe(callsBefore);
}

/** Once the fault is gone: ready again, the target is free, no id is reused and every id told exists. */
async function expectRecovered(h: Harness, told: Told): Promise<void> {
  expect((await request(h.ctx.app).get('/api/ready')).status).toBe(200);
  const next = await h.post('/api/scans?wait=true').send({ source: 'api' });
  expect(next.status).toBe(200);
  expect(next.body.status).toBe('succeeded');
  expect(told.runs).not.toContain(next.body.id);
  const suppression = await h.post('/api/suppressions').send(SUPPRESSION);
  expect(suppression.status).toBe(201);
  expect(told.suppressions).not.toContain(suppression.body.id);
  for (const id of told.runs) expect({ run: id, status: (await h.get(`/api/scans/${id}`)).status }).toEqual({ run: id, status: 200 });
  for (const id of told.suppressions) {
    expect({ suppression: id, status: (await h.get(`/api/suppressions/${id}`)).status }).toEqual({ suppression: id, status: 200 });
  }
}

/** A scan and a suppression before the fault: what a client already knows. */
async function history(h: Harness): Promise<Told> {
  const run = await scanViaApi(h);
  const suppression = await h.post('/api/suppressions').send(SUPPRESSION);
  expect(suppression.status).toBe(201);
  return { runs: [run.id], suppressions: [suppression.body.id] };
}

/**
 * Uses up every byte SQLite could still write without a new page (the free room of the pages of the
 * tables the API writes, and the free-page list), with max_page_count pinned to the current size.
 */
function fillToMaxPageCount(sqlite: Database.Database): void {
  sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
  const fillers: Record<string, Database.Statement> = {
    scan_runs: sqlite.prepare(
      `INSERT INTO scan_runs (target, source, trigger, status, started_at, finished_at, error_code, error) VALUES ('filler', 'api', 'api', 'failed', 0, 0, 'filler', ?)`,
    ),
    suppressions: sqlite.prepare(`INSERT INTO suppressions (target, check_id, user_pattern, reason, created_at) VALUES ('filler', 'filler', 'x', ?, 0)`),
  };
  for (const insert of Object.values(fillers)) {
    for (let size = 4096; size >= 1; ) {
      try {
        insert.run('x'.repeat(size));
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_FULL') throw error;
        size = Math.floor(size / 2);
      }
    }
  }
  expect(sqlite.pragma('freelist_count', { simple: true })).toBe(0);
}

describe('a write that cannot be committed never answers success', () => {
  let h: Harness | undefined;
  const undo: (() => void)[] = [];
  afterEach(async () => {
    while (undo.length > 0) undo.pop()!();
    await h?.close();
    h = undefined;
  });

  (immutableFilesSupported() ? test : test.skip)(
    'when the commit fails (the WAL file is immutable), then POST /api/scans, ?wait=true, POST and DELETE /api/suppressions answer 503 storage_unavailable, ready is 503, and no id is lost or reused',
    async () => {
      h = await startHarness({ account: accountWithKeyAges([100, 400]) });
      const told = await history(h);
      const wal = `${h.dbPath}-wal`;
      expect(fs.existsSync(wal)).toBe(true);
      execFileSync('chattr', ['+i', wal]);
      const unlock = () => execFileSync('chattr', ['-i', wal]);
      undo.push(unlock);

      await expectWritesRefused(h, told, /SQLITE_IOERR/, { deleteFails: true });

      undo.pop();
      unlock();
      await expectRecovered(h, told);
    },
  );

  test('when the database is full (max_page_count reached), then the writes answer 503 storage_unavailable with SQLITE_FULL, ready is 503, and no id is lost or reused', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    const told = await history(h);
    const sqlite = h.ctx.store.handle.sqlite;
    fillToMaxPageCount(sqlite);
    undo.push(() => sqlite.pragma('max_page_count = 1073741823'));

    // (A DELETE needs no new page, so it may still succeed — and then it really is committed.)
    await expectWritesRefused(h, told, /SQLITE_FULL/, { deleteFails: false });

    undo.pop()!();
    await expectRecovered(h, told);
  });

  test('when SQLite refuses writes (read-only), then the writes answer 503 storage_unavailable with SQLITE_READONLY, ready is 503, and no id is lost or reused', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    const told = await history(h);
    const sqlite = h.ctx.store.handle.sqlite;
    sqlite.pragma('query_only = ON');
    undo.push(() => sqlite.pragma('query_only = OFF'));

    await expectWritesRefused(h, told, /SQLITE_READONLY/, { deleteFails: true });

    undo.pop()!();
    await expectRecovered(h, told);
  });

  (immutableFilesSupported() ? test : test.skip)(
    'when the database refuses writes during a scan (the WAL file becomes immutable), then ?wait=true answers 503 naming the run (not 200 with a run still running), and the next scan marks that run interrupted',
    async () => {
      h = await startHarness({ account: accountWithUsers(30), sim: { latencyMs: 20 }, env: { KEYWATCH_IAM_CONCURRENCY: '2' } });
      const waiting = h.post('/api/scans?wait=true').send({ source: 'api' }).then((res) => res);
      await waitFor(() => h!.sim.stats.calls >= 3, 5_000, 'the scan to be under way');
      // Every connection is refused: the recording worker's (the run's results) and the API's (the run's failure).
      const wal = `${h.dbPath}-wal`;
      execFileSync('chattr', ['+i', wal]);
      const unlock = () => execFileSync('chattr', ['-i', wal]);
      undo.push(unlock);

      const res = await waiting;
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('storage_unavailable');
      expect(res.body.error.message).toMatch(/the end of run 1 could not be stored: .*SQLITE_(IOERR|READONLY)/);
      expect(res.body.error.message).toContain(h.dbPath);
      // Reads still work: the run is still `running` in the database (its end was never written).
      expect((await h.get('/api/scans/1')).body.status).toBe('running');

      undo.pop();
      unlock();
      const next = await h.post('/api/scans?wait=true').send({ source: 'api' });
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ id: 2, status: 'succeeded', error: null });
      const old = (await h.get('/api/scans/1')).body;
      expect(old.status).toBe('interrupted');
      expect(old.error.message).toMatch(/could not store the end of this scan/);
    },
  );

  test('when the recording of a run fails in SQLite (the findings insert aborts), then the run is failed with storage_error naming the database, and no finding of it is stored', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    // A real SQLite failure on every connection (the recording worker's included), on the write of a finding.
    h.ctx.store.handle.sqlite.exec(`CREATE TRIGGER refuse_findings BEFORE INSERT ON findings BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`);

    const res = await h.post('/api/scans?wait=true').send({ source: 'api' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'storage_error' } });
    expect(res.body.error.message).toContain(h.dbPath);
    expect(res.body.error.message).toMatch(/SQLITE_CONSTRAINT_TRIGGER/);
    expect(h.ctx.store.tableCounts()).toMatchObject({ findings: 0, finding_states: 0 });
    expect((await h.get('/api/findings')).body.total).toBe(0);

    // Nothing is left half-done: once writes are accepted again, the next scan records its findings.
    h.ctx.store.handle.sqlite.exec('DROP TRIGGER refuse_findings');
    const next = await h.post('/api/scans?wait=true').send({ source: 'api' });
    expect(next.body).toMatchObject({ status: 'succeeded' });
    expect((await h.get('/api/findings')).body.total).toBeGreaterThan(0);
  });

  test('when pages of the database are corrupt, then API routes that read them answer 503 storage_unavailable naming SQLITE_CORRUPT, not 500', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    await scanViaApi(h);
    expect((await h.get('/api/findings')).body.total).toBeGreaterThan(0);
    // Overwrite the pages of the findings table while keywatch is stopped, then start it again.
    await h.restart();
    h.ctx.store.handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const { rootpage } = h.ctx.store.handle.sqlite.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'findings'").get() as { rootpage: number };
    const pageSize = h.ctx.store.handle.sqlite.pragma('page_size', { simple: true }) as number;
    await h.ctx.close();
    const fd = fs.openSync(h.dbPath, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
    fs.closeSync(fd);
    await h.restart();

    const res = await h.get('/api/findings');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('storage_unavailable');
    expect(res.body.error.message).toContain(h.dbPath);
    expect(res.body.error.message).toMatch(/SQLITE_CORRUPT/);
  });
});
