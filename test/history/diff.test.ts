import { addAccessKey, addUser, DAY_MS, deleteAccessKey, getUser, mulberry32 } from '../../src/simulator';
import { DiffSchema } from '../../src/presenters/schemas';
import { startHarness, type Harness } from '../support/harness';
import { accountWith, keyOf, labels, scan, TestClock } from './helpers';

const NOW = new Date('2025-06-15T12:00:00.000Z');

describe('GET /api/scans/{id}/diff', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** alice, bob, carol, erin, gina each have one key of the given age; frank a young one. */
  const baseAccount = () =>
    accountWith(
      [
        { user: 'alice', ageDays: 100 },
        { user: 'bob', ageDays: 200 },
        { user: 'carol', ageDays: 120 },
        { user: 'erin', ageDays: 365 },
        { user: 'frank', ageDays: 10 },
        { user: 'gina', ageDays: 150 },
      ],
      NOW,
    );

  test('when keys are rotated, deactivated, a user deleted, a user with an old key added and a key crosses 365 days, then the diff lists exactly those changes', async () => {
    const clock = new TestClock(NOW);
    h = await startHarness({ account: baseAccount(), clock: clock.fn });
    const first = await scan(h);
    const aliceOld = keyOf(h, 'alice');
    const bobKey = keyOf(h, 'bob');
    const carolKey = keyOf(h, 'carol');
    const erinKey = keyOf(h, 'erin');
    const account = h.sim.account;
    const rng = mulberry32(99);

    // rotate alice's key: delete the old one, create a new one
    deleteAccessKey(account, aliceOld);
    addAccessKey(account, 'alice', { ageDays: 0, now: NOW, rng });
    // deactivate bob's key
    getUser(account, 'bob').accessKeys[0]!.status = 'Inactive';
    // delete carol
    account.users = account.users.filter((u) => u.userName !== 'carol');
    // a new user with an old key
    addUser(account, { userName: 'dave', createDate: new Date(NOW.getTime() - 900 * DAY_MS), rng });
    const daveKey = addAccessKey(account, 'dave', { ageDays: 400, now: NOW, lastUsedDaysAgo: 2, rng }).accessKeyId;
    // erin's key crosses the 365-day line
    getUser(account, 'erin').accessKeys[0]!.createDate = new Date(NOW.getTime() - 366 * DAY_MS);
    // gina's key is used again (volatile evidence only)
    getUser(account, 'gina').accessKeys[0]!.lastUsed = { date: NOW, service: 's3', region: 'eu-west-1' };

    const second = await scan(h);
    const res = await h.get(`/api/scans/${second.id}/diff`);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d).toMatchObject({ run_id: second.id, base_run_id: first.id, suppressed: 'exclude' });
    expect(labels(d.new)).toEqual(['access_key_inactive_lingering:bob:low', 'access_key_not_rotated:dave:high']);
    expect(d.new.find((f: { user_name: string }) => f.user_name === 'dave').resource_id).toBe(daveKey);
    expect(labels(d.resolved)).toEqual(['access_key_not_rotated:alice:medium', 'access_key_not_rotated:bob:medium', 'access_key_not_rotated:carol:medium']);
    expect(d.resolved.map((f: { resource_id: string }) => f.resource_id).sort()).toEqual([aliceOld, bobKey, carolKey].sort());
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]).toMatchObject({
      check_id: 'access_key_not_rotated',
      resource_id: erinKey,
      severity: 'high',
      before: { severity: 'medium', evidence: { limit_days: 90 } },
      after: { severity: 'high', evidence: { limit_days: 365 } },
    });
    // gina's key (only its last use changed) and the account's missing password policy
    expect(d.unchanged).toBe(2);
    expect(d.counts).toEqual({ new: 2, resolved: 3, changed: 1, unchanged: 2, suppressed_left_out: 0 });
    // the response (written as text for speed) is exactly the documented shape
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(DiffSchema.strict().parse(d)).toEqual(d);
    // the run's own stats agree with the diff
    expect(second.stats).toMatchObject({ new: 2, resolved: 3, changed: 1 });
  });

  test('when a run is compared with itself, then the diff is empty and every finding is unchanged', async () => {
    h = await startHarness({ account: baseAccount(), clock: () => NOW });
    const run = await scan(h);
    const res = await h.get(`/api/scans/${run.id}/diff?base=${run.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ new: [], resolved: [], changed: [], unchanged: run.stats.findings });
  });

  test('when a failed run lies between two scans, then the default base is the last succeeded run and the diff is still right', async () => {
    h = await startHarness({ account: baseAccount(), clock: () => NOW });
    const first = await scan(h);
    deleteAccessKey(h.sim.account, keyOf(h, 'alice'));
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await scan(h);
    expect(failed.status).toBe('failed');
    h.sim.setFaults([]);
    const third = await scan(h);
    const res = await h.get(`/api/scans/${third.id}/diff`);
    expect(res.status).toBe(200);
    expect(res.body.base_run_id).toBe(first.id);
    expect(labels(res.body.resolved)).toEqual(['access_key_not_rotated:alice:medium']);
    // alice's only key is gone: she has no credential and no recorded use since her creation (2019)
    expect(labels(res.body.new)).toEqual(['user_inactive:alice:medium']);
    expect(res.body.changed).toEqual([]);
    // the failed run resolved nothing: the first and third runs still agree on everything else
    expect(res.body.unchanged).toBe((first.stats.findings as number) - 1);
  });

  test('when a finding goes away and comes back between the two runs, then it counts as unchanged', async () => {
    h = await startHarness({ account: baseAccount(), clock: () => NOW });
    const first = await scan(h);
    const gina = getUser(h.sim.account, 'gina');
    const key = gina.accessKeys[0]!;
    key.status = 'Inactive';
    await scan(h);
    key.status = 'Active';
    const third = await scan(h);
    const res = await h.get(`/api/scans/${third.id}/diff?base=${first.id}`);
    expect(res.body).toMatchObject({ new: [], resolved: [], changed: [], unchanged: first.stats.findings });
  });

  test('when the run is the first of its target, then base_run_id is null and everything is new', async () => {
    h = await startHarness({ account: baseAccount(), clock: () => NOW });
    const run = await scan(h);
    const res = await h.get(`/api/scans/${run.id}/diff`);
    expect(res.status).toBe(200);
    expect(res.body.base_run_id).toBeNull();
    expect(res.body.new).toHaveLength(run.stats.findings as number);
    expect(res.body.unchanged).toBe(0);
  });

  test('when ids are unknown, runs did not succeed or belong to different targets, then 404, 409 and 400 name the problem', async () => {
    h = await startHarness({ account: baseAccount(), clock: () => NOW });
    const ok = await scan(h);
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await scan(h);
    h.sim.setFaults([]);

    expect((await h.get('/api/scans/999/diff')).status).toBe(404);
    const unknownBase = await h.get(`/api/scans/${ok.id}/diff?base=999`);
    expect(unknownBase.status).toBe(404);
    expect(unknownBase.body.error.message).toMatch(/999/);
    const conflict = await h.get(`/api/scans/${failed.id}/diff?base=${ok.id}`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('conflict');
    expect((await h.get(`/api/scans/${ok.id}/diff?base=${failed.id}`)).status).toBe(409);
    const badBase = await h.get(`/api/scans/${ok.id}/diff?base=abc`);
    expect(badBase.status).toBe(400);
    expect(badBase.body.error.details[0].field).toBe('base');

    await h.restart({ KEYWATCH_TARGET: 'other-account' });
    const other = await scan(h);
    const mixed = await h.get(`/api/scans/${other.id}/diff?base=${ok.id}`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.details).toEqual([{ field: 'base', message: expect.stringMatching(/target/) }]);
  });
});
