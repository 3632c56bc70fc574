/**
 * One scan per target across processes: two real app contexts (buildAppContext) on the same SQLite
 * file, as a second keywatch process (another replica, `keywatch scan`) would open it. The lock is the
 * lease row in the database, not anything in memory.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startScheduler } from '../../src/scheduler/scheduler';
import { accountWithKeyAges, accountWithUsers } from '../support/accounts';
import { runCli } from './cli-run';
import { startOpsApp, waitFor, type OpsApp } from './support';

/** A scan that runs until the test ends it (every IAM answer is slow; one call at a time). */
const SLOW = { account: accountWithUsers(20), sim: { latencyMs: 300 }, env: { KEYWATCH_IAM_CONCURRENCY: '1' } } as const;

/** A controllable clock shared by the contexts of a test ("time passes" without waiting). */
function testClock(start = Date.UTC(2025, 5, 1, 12, 0, 0)) {
  let now = start;
  return { now: () => new Date(now), set: (ms: number) => (now = ms), start };
}

function skippedLine(a: OpsApp): Record<string, unknown> | undefined {
  return a.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith('scheduled scan skipped'));
}

describe('one scan per target across processes', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length > 0) await cleanup.pop()!().catch(() => undefined);
  });

  async function app(options: Parameters<typeof startOpsApp>[0] = {}): Promise<OpsApp> {
    const a = await startOpsApp(options);
    cleanup.push(() => a.close());
    return a;
  }

  /** Ends the scan of `a` quickly (every IAM call now fails) and waits for it. */
  async function endScan(a: OpsApp): Promise<void> {
    a.sim.setFaults([{ action: '*', error: 'AccessDenied' }]);
    await a.ctx.scans.waitForRunning();
  }

  /** kill -9: the process stops at once; it writes nothing more (no heartbeat, no end of its run). */
  async function kill(a: OpsApp): Promise<void> {
    a.ctx.store.close();
    // Stops its work; with the database closed, nothing of it is written (not even `interrupted`).
    await a.ctx.close();
  }

  test('when another process is scanning the target, then POST /api/scans answers 409 scan_in_progress naming its run, and starts nothing', async () => {
    const first = await app(SLOW);
    const started = await first.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    const second = await app({ dbPath: first.dbPath, account: accountWithKeyAges([100]) });

    const refused = await second.post('/api/scans').send({ source: 'api' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('scan_in_progress');
    expect(refused.body.error.message).toContain(`run ${started.body.id}`);
    expect(refused.body.error.message).toMatch(/another keywatch process: pid \d+ on /);
    expect((await second.post('/api/scans?wait=true').send({ source: 'api' })).status).toBe(409);
    expect(second.sim.stats.calls).toBe(0);
    expect((await second.get('/api/scans')).body.total).toBe(1);

    // Once the first scan has ended (and released the lease), the second process may scan.
    await endScan(first);
    const next = await second.post('/api/scans?wait=true').send({ source: 'api' });
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ id: started.body.id + 1, status: 'succeeded' });
  });

  test('when the server is scanning the target, then `keywatch scan` on the same database exits 1 naming the running run and scans nothing', async () => {
    const server = await app(SLOW);
    const started = await server.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);

    const cli = await runCli(['scan'], {
      KEYWATCH_DB_PATH: server.dbPath,
      KEYWATCH_IAM_ENDPOINT: server.sim.url,
      AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
      AWS_SECRET_ACCESS_KEY: 'cli-test-secret',
    });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(new RegExp(`already running \\(run ${started.body.id}, in another keywatch process`));
    expect(cli.stdout).toBe('');

    // The CLI's start-up did not interrupt the server's scan; there is still one run, running.
    const runs = (await server.get('/api/scans')).body;
    expect(runs.total).toBe(1);
    expect(runs.items[0]).toMatchObject({ id: started.body.id, status: 'running' });
  });

  test('when another process is scanning the target, then a scheduled scan here is skipped and logged with the running run', async () => {
    const first = await app(SLOW);
    const started = await first.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    const second = await app({ dbPath: first.dbPath, logLevel: 'info' });
    const scheduler = startScheduler({ cron: '* * * * * *', timezone: 'UTC', source: 'api', scans: second.ctx.scans, logger: second.ctx.logger });
    try {
      await waitFor(() => skippedLine(second) !== undefined, 5_000, 'a skipped scheduled scan');
    } finally {
      await scheduler.stop();
    }
    const skipped = skippedLine(second)!;
    expect(skipped.level).toBe(40);
    expect(String(skipped.reason)).toContain(`run ${started.body.id}`);
    expect((await second.get('/api/scans')).body.total).toBe(1);
    expect(second.sim.stats.calls).toBe(0);
  });

  test('when a second keywatch starts while another is scanning, then it does not interrupt that scan, which finishes succeeded', async () => {
    const first = await app({ account: accountWithUsers(20), sim: { latencyMs: 50 }, env: { KEYWATCH_IAM_CONCURRENCY: '2' } });
    const started = await first.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    // A restart of "the other" process (start-up interrupts runs of dead processes only).
    const second = await app({ dbPath: first.dbPath });
    expect((await second.get(`/api/scans/${started.body.id}`)).body.status).toBe('running');

    await first.ctx.scans.waitForRunning();
    expect((await second.get(`/api/scans/${started.body.id}`)).body).toMatchObject({ status: 'succeeded', error: null });
  });

  test('when the process holding the lease was killed, then the target stays locked until the lease times out, and then another process takes it over and the old run reads interrupted', async () => {
    const clock = testClock();
    const first = await app({ ...SLOW, build: { clock: clock.now } });
    const started = await first.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    await kill(first);

    // 30 s later (lease timeout 60 s): the lease may still belong to a live process.
    clock.set(clock.start + 30_000);
    const second = await app({ dbPath: first.dbPath, account: accountWithKeyAges([100]), build: { clock: clock.now } });
    expect((await second.get(`/api/scans/${started.body.id}`)).body.status).toBe('running');
    expect((await second.post('/api/scans').send({ source: 'api' })).status).toBe(409);

    // Past the timeout: taken over, in the transaction that creates the new run.
    clock.set(clock.start + 61_000);
    const next = await second.post('/api/scans?wait=true').send({ source: 'api' });
    expect(next.status).toBe(200);
    expect(next.body.status).toBe('succeeded');
    const old = (await second.get(`/api/scans/${started.body.id}`)).body;
    expect(old.status).toBe('interrupted');
    expect(old.error.message).toMatch(/stopped while the scan was running \(pid \d+ on .+; no heartbeat since 2025-06-01T12:00:00.000Z\)/);
  });

  test('when a killed process is noticed hours later, then its run is interrupted at its last heartbeat: finished_at is not the restart time and duration_ms leaves out the downtime', async () => {
    const clock = testClock();
    const first = await app({ ...SLOW, build: { clock: clock.now } });
    const started = await first.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    // The scan is alive for 20 s: its heartbeat says so. Then the process is killed.
    clock.set(clock.start + 20_000);
    first.ctx.scans.maintainLeases();
    await kill(first);

    // keywatch comes back two hours later.
    clock.set(clock.start + 2 * 3_600_000);
    const second = await app({ dbPath: first.dbPath, build: { clock: clock.now } });
    const run = (await second.get(`/api/scans/${started.body.id}`)).body;
    expect(run).toMatchObject({
      status: 'interrupted',
      started_at: new Date(clock.start).toISOString(),
      finished_at: new Date(clock.start + 20_000).toISOString(),
      duration_ms: 20_000,
    });
    expect(run.error.code).toBe('interrupted');
  });

  test('when the lease has expired but its process is still alive, then its late results are not stored over the takeover', async () => {
    const clock = testClock();
    const first = await app({ account: accountWithUsers(20), sim: { latencyMs: 100 }, env: { KEYWATCH_IAM_CONCURRENCY: '1' }, build: { clock: clock.now } });
    const started = await first.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    // The first process stalls past the timeout (as a frozen VM would); another takes the target over.
    clock.set(clock.start + 61_000);
    const second = await app({ dbPath: first.dbPath, account: accountWithKeyAges([100]), build: { clock: clock.now } });
    expect((await second.get(`/api/scans/${started.body.id}`)).body.status).toBe('interrupted');
    const next = await second.post('/api/scans').send({ source: 'api' });
    expect(next.status).toBe(202);

    // The first process wakes up: its heartbeat finds the lease gone and it stops; nothing of it is stored.
    first.ctx.scans.maintainLeases();
    await first.ctx.scans.waitForRunning();
    await second.ctx.scans.waitForRunning();
    const runs = (await second.get('/api/scans')).body.items;
    expect(runs).toEqual([
      expect.objectContaining({ id: next.body.id, status: 'succeeded' }),
      expect.objectContaining({ id: started.body.id, status: 'interrupted' }),
    ]);
  });
});

describe('another process writing the same database', () => {
  test('when another process commits small writes all the time (heartbeats, readiness probes), then scans still store their results', async () => {
    const ages = Array.from({ length: 300 }, (_, i) => 100 + i);
    const a = await startOpsApp({ account: accountWithKeyAges(ages) });
    // A second process that commits a write every millisecond, as the heartbeats and readiness
    // probes of other keywatch processes on the same database do (far more often, to make a race certain).
    const betterSqlite = path.join(process.cwd(), 'node_modules', 'better-sqlite3');
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(betterSqlite)}); const db = new D(process.argv[1]); db.pragma('busy_timeout = 5000');
         const write = db.prepare('INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at');
         setInterval(() => write.run(Date.now()), 1); process.stdout.write('writing\\n');`,
        a.dbPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise((resolve) => writer.stdout!.once('data', resolve));
      for (let i = 0; i < 4; i++) {
        // every scan changes something, so each one writes findings and intervals
        a.sim.account.users[i].accessKeys[0].createDate = new Date(Date.now() - (1_000 + i) * 86_400_000);
        const run = await a.scan();
        expect({ scan: i, status: run.status, error: run.error }).toEqual({ scan: i, status: 'succeeded', error: null });
      }
    } finally {
      writer.kill('SIGKILL');
      await a.close();
    }
  }, 60_000);
});
