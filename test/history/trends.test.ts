import { getUser } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { accountWith, scan, TestClock } from './helpers';

const DAY0 = new Date('2025-02-01T03:00:00.000Z');

describe('GET /api/trends', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when runs succeed and fail over days, then there is one point per succeeded run with open findings by severity and new/resolved counts', async () => {
    const clock = new TestClock(DAY0);
    // alice 364 days: medium, high from day 2; bob 100 days: medium; both used yesterday
    h = await startHarness({ account: accountWith([{ user: 'alice', ageDays: 364 }, { user: 'bob', ageDays: 100 }], DAY0), clock: clock.fn });
    const r1 = await scan(h);
    clock.advanceDays(1);
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    await scan(h); // failed: no point
    h.sim.setFaults([]);
    clock.advanceDays(1);
    getUser(h.sim.account, 'bob').accessKeys[0]!.status = 'Inactive';
    const r3 = await scan(h);

    const res = await h.get('/api/trends');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ target: 'default', suppressed: 'exclude', truncated: false });
    expect(res.body.points).toEqual([
      {
        run_id: r1.id,
        finished_at: DAY0.toISOString(),
        source: 'api',
        open: 3,
        open_by_severity: { info: 0, low: 0, medium: 3, high: 0, critical: 0 }, // 2 keys + the missing password policy
        new: 3,
        resolved: 0,
        changed: 0,
        suppressed: 0,
      },
      {
        run_id: r3.id,
        finished_at: clock.now.toISOString(),
        source: 'api',
        open: 3,
        open_by_severity: { info: 0, low: 1, medium: 1, high: 1, critical: 0 },
        new: 1, // bob's lingering inactive key
        resolved: 1, // bob's not_rotated
        changed: 1, // alice: medium → high
        suppressed: 0,
      },
    ]);

    const recent = await h.get(`/api/trends?since=${encodeURIComponent(new Date(DAY0.getTime() + 1000).toISOString())}`);
    expect(recent.body.points.map((p: { run_id: number }) => p.run_id)).toEqual([r3.id]);
    const limited = await h.get('/api/trends?limit=1');
    expect(limited.body).toMatchObject({ truncated: true, points: [{ run_id: r3.id }] });
    expect((await h.get('/api/trends?target=elsewhere')).body.points).toEqual([]);
  });

  test('when findings were suppressed when a run was recorded, then they are left out by default and counted with suppressed=include or only', async () => {
    h = await startHarness({ account: accountWith([{ user: 'alice', ageDays: 200 }, { user: 'bob', ageDays: 100 }], DAY0), clock: () => DAY0 });
    await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', user_pattern: 'alice', reason: 'owner on leave' });
    await scan(h);
    const exclude = (await h.get('/api/trends')).body.points[0];
    const include = (await h.get('/api/trends?suppressed=include')).body.points[0];
    const only = (await h.get('/api/trends?suppressed=only')).body.points[0];
    expect([exclude.open, exclude.new, exclude.open_by_severity.medium, exclude.suppressed]).toEqual([2, 2, 2, 1]);
    expect([include.open, include.new, include.open_by_severity.medium]).toEqual([3, 3, 3]);
    expect([only.open, only.new, only.open_by_severity.medium]).toEqual([1, 1, 1]);
  });

  test('when the query is wrong, then 400 names the field', async () => {
    h = await startHarness();
    for (const [query, field] of [
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['suppressed=all', 'suppressed'],
      ['target=a%20b', 'target'],
      ['since=2025-02-02T00:00:00Z&until=2025-02-01T00:00:00Z', 'since'],
    ]) {
      const res = await h.get(`/api/trends?${query}`);
      expect({ query, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ query, status: 400, field });
    }
  });
});
