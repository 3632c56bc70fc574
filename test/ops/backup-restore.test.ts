/**
 * Backup and restore as docs/operations.md describes it: back up the live database, copy the
 * backup to the new database path, start keywatch on it — the same history comes back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { addAccessKey, mulberry32 } from '../../src/simulator';
import { backupDatabase, BackupError } from '../../src/store';
import { accountWithKeyAges, accountWithUsers } from '../support/accounts';
import { makeTempDir } from '../support/harness';
import { startOpsApp, waitFor, type OpsApp } from './support';

/** Everything the API says about the history, for comparing two databases. */
async function historyOf(app: OpsApp): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const runs = await app.get('/api/scans?limit=100');
  expect(runs.status).toBe(200);
  out.runs = runs.body;
  out.findings = (await app.get('/api/findings?status=all&limit=100')).body;
  for (const run of runs.body.items as { id: number; status: string }[]) {
    if (run.status !== 'succeeded') continue;
    const seen = await app.get(`/api/scans/${run.id}/findings?limit=100`);
    expect(seen.status).toBe(200);
    out[`run ${run.id} findings`] = seen.body;
    const diff = await app.get(`/api/scans/${run.id}/diff`);
    // the diff route answers 200 (or 409/404 when there is no base); whatever it says must survive the restore
    out[`run ${run.id} diff`] = { status: diff.status, body: diff.body };
  }
  for (const f of (out.findings as { items: { id: number }[] }).items) {
    const one = await app.get(`/api/findings/${f.id}`);
    out[`finding ${f.id}`] = { status: one.status, body: one.body };
  }
  out.metrics_open = (await app.get('/metrics')).text.split('\n').filter((l) => l.startsWith('keywatch_open_findings'));
  return out;
}

describe('backup and restore', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  test('when a database with history is backed up and restored into a new path, then the new app serves the same history', async () => {
    // A fixed clock for both apps: ages in the answers are derived from "now".
    const now = new Date();
    const clock = () => now;
    const app = await startOpsApp({ account: accountWithKeyAges([10, 100, 400], now), build: { clock } });
    cleanup.push(() => app.close());
    const first = await app.scan();
    // change the account: a user disappears (resolved), a new old key appears (new)
    app.sim.account.users = app.sim.account.users.filter((u) => !u.userName.startsWith('user-100d'));
    addAccessKey(app.sim.account, 'user-10d-0', { ageDays: 200, now, lastUsedDaysAgo: 1, rng: mulberry32(3) });
    const second = await app.scan();
    app.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await app.scan();
    expect([first.status, second.status, failed.status]).toEqual(['succeeded', 'succeeded', 'failed']);
    const before = await historyOf(app);
    expect((before.findings as { total: number }).total).toBeGreaterThanOrEqual(3);
    expect(before[`run ${second.id} diff`]).toMatchObject({ status: 200 });

    // back up while the app is running
    const backupDir = makeTempDir('keywatch-backup-');
    cleanup.push(() => fs.rmSync(backupDir, { recursive: true, force: true }));
    const backup = await backupDatabase(app.dbPath, path.join(backupDir, 'keywatch-backup.db'));
    expect(backup).toMatchObject({ runs: 3, bytes: fs.statSync(backup.path).size });

    // restore: copy the backup file to the new database path, start keywatch on it
    const restoreDir = makeTempDir('keywatch-restore-');
    cleanup.push(() => fs.rmSync(restoreDir, { recursive: true, force: true }));
    const restoredPath = path.join(restoreDir, 'keywatch.db');
    fs.copyFileSync(backup.path, restoredPath);
    await app.close();
    const restored = await startOpsApp({ dbPath: restoredPath, account: app.sim.account, build: { clock } });
    cleanup.push(() => restored.close());
    expect((await restored.anon().get('/api/ready')).body).toMatchObject({ status: 'ready' });

    const after = await historyOf(restored);
    expect(after).toEqual(before);

    // and history continues from there
    const next = await restored.scan();
    expect(next).toMatchObject({ id: failed.id + 1, status: 'succeeded' });
  });

  test('when a backup is taken while a scan is running, then the copy holds the finished history and the restored app marks that run interrupted', async () => {
    const app = await startOpsApp({ account: accountWithUsers(60), sim: { latencyMs: 40 }, env: { KEYWATCH_IAM_CONCURRENCY: '2' } });
    cleanup.push(() => app.close());
    app.sim.account = accountWithUsers(3);
    const done = await app.scan();
    app.sim.account = accountWithUsers(60);
    const started = await app.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    await waitFor(() => app.sim.stats.calls > 5, 5_000, 'the scan to be under way');

    const backupDir = makeTempDir('keywatch-backup-');
    cleanup.push(() => fs.rmSync(backupDir, { recursive: true, force: true }));
    const backup = await backupDatabase(app.dbPath, path.join(backupDir, 'during-scan.db'));
    expect(backup.runs).toBe(2);
    // let the original scan end quickly (it fails) before its app closes
    app.sim.setFaults([{ action: '*', error: 'AccessDenied' }]);
    await app.ctx.scans.waitForRunning();

    const restored = await startOpsApp({ dbPath: backup.path });
    cleanup.push(() => restored.close());
    const runs = (await restored.get('/api/scans')).body.items as { id: number; status: string }[];
    expect(runs).toEqual([
      expect.objectContaining({ id: started.body.id, status: 'interrupted' }),
      expect.objectContaining({ id: done.id, status: 'succeeded' }),
    ]);
    expect((await restored.get(`/api/scans/${done.id}/findings`)).status).toBe(200);
  });

  test('when the destination is the database itself or exists, then backupDatabase refuses', async () => {
    const app = await startOpsApp();
    cleanup.push(() => app.close());
    await expect(backupDatabase(app.dbPath, app.dbPath, { force: true })).rejects.toThrow(BackupError);
    const existing = path.join(app.dir, 'existing.db');
    fs.writeFileSync(existing, 'x');
    await expect(backupDatabase(app.dbPath, existing)).rejects.toThrow(/already exists; use --force/);
    await expect(backupDatabase(app.dbPath, path.join(app.dir, 'no', 'such', 'dir.db'))).rejects.toThrow(/does not exist/);
    // no temporary files left behind
    expect(fs.readdirSync(app.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
