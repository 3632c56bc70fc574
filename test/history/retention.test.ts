import { getUser } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { accountWith, allFindings, scan, TestClock } from './helpers';

const DAY0 = new Date('2025-01-10T04:00:00.000Z');

describe('retention (KEYWATCH_RETENTION_DAYS)', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Seven daily runs (one failed) with resolutions, a reopening and a deleted user. */
  async function buildHistory(clock: TestClock): Promise<number[]> {
    const ids: number[] = [];
    const key = (user: string) => getUser(h.sim.account, user).accessKeys[0]!;
    ids.push((await scan(h)).id); // day 0
    clock.advanceDays(1);
    key('bob').status = 'Inactive';
    ids.push((await scan(h)).id); // day 1: bob not_rotated resolved, lingering new
    clock.advanceDays(1);
    h.sim.account.users = h.sim.account.users.filter((u) => u.userName !== 'carol');
    ids.push((await scan(h)).id); // day 2: carol resolved
    clock.advanceDays(1);
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    ids.push((await scan(h)).id); // day 3: failed
    h.sim.setFaults([]);
    clock.advanceDays(1);
    key('alice').status = 'Inactive';
    ids.push((await scan(h)).id); // day 4: alice resolved, lingering new
    clock.advanceDays(1);
    key('bob').status = 'Active';
    ids.push((await scan(h)).id); // day 5: bob not_rotated reopened, bob lingering resolved
    clock.advanceDays(1);
    ids.push((await scan(h)).id); // day 6: unchanged
    return ids;
  }

  const seenBy = async (runId: number) => (await h.get(`/api/scans/${runId}/findings?limit=500`)).body;
  const timelineOf = async (id: number) => {
    const body = (await h.get(`/api/findings/${id}`)).body;
    return { timeline: body.timeline, events: body.events, status: body.status };
  };

  test('when old runs are deleted at start-up and after runs, then every remaining run\'s findings and every remaining finding\'s timeline stay exactly the same', async () => {
    const clock = new TestClock(DAY0);
    const account = accountWith(
      [
        { user: 'alice', ageDays: 100 },
        { user: 'bob', ageDays: 200 },
        { user: 'carol', ageDays: 120 },
      ],
      DAY0,
    );
    h = await startHarness({ account, clock: clock.fn });
    const ids = await buildHistory(clock);
    const [r1, r2, r3, r4, r5, r6, r7] = ids as [number, number, number, number, number, number, number];

    const before = {
      seen: Object.fromEntries(await Promise.all([r5, r6, r7].map(async (id) => [id, await seenBy(id)]))),
      findings: await allFindings(h, 'status=all&suppressed=include'),
      diff: (await h.get(`/api/scans/${r7}/diff?base=${r5}`)).body,
    };
    const timelines = Object.fromEntries(await Promise.all(before.findings.map(async (f) => [f.id, await timelineOf(f.id)])));
    const carol = before.findings.find((f) => f.user_name === 'carol')!;
    expect(carol).toMatchObject({ status: 'resolved', resolved_run_id: r3 });

    // Start-up with a 3-day retention: runs that started before day 3 go.
    await h.restart({ KEYWATCH_RETENTION_DAYS: '3' });
    await h.ctx.postRun.idle();

    const runs = (await h.get('/api/scans?limit=100')).body;
    expect(runs.items.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b)).toEqual([r4, r5, r6, r7]);
    for (const gone of [r1, r2, r3]) expect((await h.get(`/api/scans/${gone}`)).status).toBe(404);
    for (const id of [r5, r6, r7]) expect(await seenBy(id)).toEqual(before.seen[id]);
    expect((await h.get(`/api/scans/${r7}/diff?base=${r5}`)).body).toEqual(before.diff);

    // Only carol's finding (resolved by a deleted run, seen by no remaining run) is gone; the others keep their whole timeline.
    const after = await allFindings(h, 'status=all&suppressed=include');
    expect(after.map((f) => f.id).sort()).toEqual(before.findings.filter((f) => f.id !== carol.id).map((f) => f.id).sort());
    for (const f of after) expect(await timelineOf(f.id)).toEqual(timelines[f.id]);
    const bob = after.find((f) => f.user_name === 'bob' && f.check_id === 'access_key_not_rotated')!;
    expect(timelines[bob.id].events.map((e: { type: string; run_id: number }) => [e.type, e.run_id])).toEqual([
      ['first_seen', r1],
      ['resolved', r2],
      ['reopened', r6],
    ]);
    expect((await h.get(`/api/findings/${carol.id}`)).status).toBe(404);

    // After a run: the retention pass runs again in the background (day 7: the failed run of day 3 goes).
    clock.advanceDays(1);
    const r8 = (await scan(h)).id;
    await h.ctx.postRun.idle();
    const remaining = (await h.get('/api/scans?limit=100')).body.items.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b);
    expect(remaining).toEqual([r5, r6, r7, r8]);
    expect((await h.get(`/api/scans/${r8}/diff`)).body).toMatchObject({ base_run_id: r7, new: [], resolved: [], changed: [] });
  });

  test('when no scan ran for longer than the retention period, then the latest succeeded run and its findings are kept', async () => {
    const clock = new TestClock(DAY0);
    h = await startHarness({ account: accountWith([{ user: 'alice', ageDays: 100 }], DAY0), clock: clock.fn, env: { KEYWATCH_RETENTION_DAYS: '1' } });
    await scan(h);
    clock.advanceDays(1);
    const last = await scan(h);
    clock.advanceDays(1);
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    await scan(h);
    h.sim.setFaults([]);
    clock.advanceDays(30);
    const seen = await seenBy(last.id);
    await h.restart();
    await h.ctx.postRun.idle();
    const runs = (await h.get('/api/scans')).body;
    expect(runs.items.map((r: { id: number }) => r.id)).toEqual([last.id]);
    expect(await seenBy(last.id)).toEqual(seen);
    expect((await h.get('/api/findings')).body.total).toBe(seen.total);
  });

  test('when retention is 0 (the default), then nothing is ever deleted', async () => {
    const clock = new TestClock(DAY0);
    h = await startHarness({ account: accountWith([{ user: 'alice', ageDays: 100 }], DAY0), clock: clock.fn });
    await scan(h);
    clock.advanceDays(400);
    await scan(h);
    await h.restart();
    await h.ctx.postRun.idle();
    expect((await h.get('/api/scans')).body.total).toBe(2);
  });
});
