import pino from 'pino';
import request from 'supertest';
import { buildAppContext } from '../../src/app-context';
import { loadConfig } from '../../src/config';
import { scheduleIntervalMs, startScheduler } from '../../src/scheduler/scheduler';
import { accountWithKeyAges, accountWithUsers } from '../support/accounts';
import { makeTempDir, SIM_CREDENTIALS, startHarness, testEnv, type Harness } from '../support/harness';
import { startSimulator } from '../../src/simulator';
import path from 'node:path';

const waitFor = async (predicate: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('the scheduler', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when the schedule fires, then a scan runs through the same use case and is stored with trigger schedule', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]) });
    const scheduler = startScheduler({ cron: '* * * * * *', timezone: 'UTC', source: 'api', scans: h.ctx.scans, logger: pino({ level: 'silent' }) });
    try {
      await waitFor(() => h.ctx.store.runs.list({ limit: 10, offset: 0 }).items.some((r) => r.status === 'succeeded'), 5000);
    } finally {
      await scheduler.stop();
    }
    await h.ctx.scans.waitForRunning();
    const runs = (await h.get('/api/scans')).body.items;
    expect(runs[runs.length - 1]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
  });

  test('when a scan is already running, then the scheduled scan is skipped rather than run twice', async () => {
    h = await startHarness({ account: accountWithUsers(150), sim: { latencyMs: 25 } });
    const manual = await h.post('/api/scans').send({ source: 'api' });
    expect(manual.status).toBe(202);
    const scheduler = startScheduler({ cron: '* * * * * *', timezone: 'UTC', source: 'api', scans: h.ctx.scans, logger: pino({ level: 'silent' }) });
    await new Promise((r) => setTimeout(r, 1500));
    await scheduler.stop();
    await h.ctx.scans.waitForRunning();
    const all = h.ctx.store.runs.list({ limit: 50, offset: 0 }).items;
    // Never two runs of the target at the same time: every run started after the previous finished.
    const sorted = [...all].sort((a, b) => a.id - b.id);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].startedAt).toBeGreaterThanOrEqual(sorted[i - 1].finishedAt!);
    expect(sorted[0].trigger).toBe('api');
  });

  test('when a schedule is configured, then health shows the next scheduled scan in the configured time zone', async () => {
    const sim = await startSimulator({ account: accountWithKeyAges([1]), port: 0 });
    const dir = makeTempDir();
    const config = loadConfig(testEnv(path.join(dir, 'k.db'), sim.url, { KEYWATCH_SCAN_SCHEDULE: '30 2 * * *', KEYWATCH_SCAN_TIMEZONE: 'Europe/Berlin' }));
    const ctx = buildAppContext(config, { logger: pino({ level: 'silent' }), awsCredentials: SIM_CREDENTIALS, schedule: true });
    try {
      const res = await request(ctx.app).get('/api/health');
      const next = new Date(res.body.next_scheduled_scan);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(next);
      expect(berlin).toBe('02:30');
      expect(res.body.scan_interval_seconds).toBe(86_400);
    } finally {
      await ctx.close();
      await sim.stop();
    }
  });

  test('when the schedule runs on weekdays only, then its interval is the longest gap (Friday to Monday)', () => {
    expect(scheduleIntervalMs('0 3 * * 1-5', 'UTC')).toBe(3 * 86_400_000);
    expect(scheduleIntervalMs('*/15 * * * *', 'UTC')).toBe(15 * 60_000);
    expect(scheduleIntervalMs(null, 'UTC')).toBeNull();
  });
});
