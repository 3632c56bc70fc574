import { DAY_MS, getUser } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { accountWith, allFindings, keyOf, scan, TestClock } from './helpers';

const NOW = new Date('2025-03-01T08:00:00.000Z');

describe('GET /api/findings/{id}: a finding with its timeline', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const findingFor = async (check: string, resourceId: string) => {
    const all = await allFindings(h, 'status=all');
    const f = all.find((x) => x.check_id === check && x.resource_id === resourceId);
    if (!f) throw new Error(`no ${check} finding for ${resourceId}`);
    return f;
  };

  test('when a finding disappears and comes back, then its timeline shows first_seen, resolved, then reopened', async () => {
    const clock = new TestClock(NOW);
    h = await startHarness({ account: accountWith([{ user: 'alice', ageDays: 120 }], NOW), clock: clock.fn });
    const key = getUser(h.sim.account, 'alice').accessKeys[0]!;
    const r1 = await scan(h);
    clock.advanceDays(1);
    key.status = 'Inactive'; // not_rotated only looks at active keys
    const r2 = await scan(h);
    clock.advanceDays(1);
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await scan(h); // a failed run resolves nothing and ends nothing
    h.sim.setFaults([]);
    expect(failed.status).toBe('failed');
    clock.advanceDays(1);
    key.status = 'Active';
    const r4 = await scan(h);

    const f = await findingFor('access_key_not_rotated', key.accessKeyId);
    const res = await h.get(`/api/findings/${f.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.id, status: 'open', first_seen_run_id: r1.id, last_seen_run_id: r4.id, suppressed: false });
    expect(res.body.events.map((e: { type: string; run_id: number }) => [e.type, e.run_id])).toEqual([
      ['first_seen', r1.id],
      ['resolved', r2.id],
      ['reopened', r4.id],
    ]);
    expect(res.body.events[1].at).toBe(new Date(NOW.getTime() + DAY_MS).toISOString());
    expect(res.body.timeline).toEqual([
      expect.objectContaining({ severity: 'medium', from_run_id: r1.id, to_run_id: r1.id, ended_by: 'resolved', ended_by_run_id: r2.id }),
      expect.objectContaining({ severity: 'medium', from_run_id: r4.id, to_run_id: null, ended_by: null, ended_by_run_id: null }),
    ]);
    expect(res.body.timeline[0].evidence).toMatchObject({ status: 'Active', limit_days: 90 });
  });

  test('when a key crosses 365 days, then its timeline shows the change with the severity before and after', async () => {
    const clock = new TestClock(NOW);
    h = await startHarness({ account: accountWith([{ user: 'bob', ageDays: 364 }], NOW), clock: clock.fn });
    const r1 = await scan(h);
    clock.advanceDays(1); // 365 days: still medium
    const r2 = await scan(h);
    clock.advanceDays(1); // 366 days: high
    const r3 = await scan(h);
    const f = await findingFor('access_key_not_rotated', keyOf(h, 'bob'));
    const res = await h.get(`/api/findings/${f.id}`);
    expect(res.body.severity).toBe('high');
    expect(res.body.events).toEqual([
      { type: 'first_seen', run_id: r1.id, at: NOW.toISOString(), severity: 'medium' },
      { type: 'changed', run_id: r3.id, at: clock.now.toISOString(), severity: 'high', previous_severity: 'medium' },
    ]);
    expect(res.body.timeline).toEqual([
      expect.objectContaining({ severity: 'medium', from_run_id: r1.id, to_run_id: r2.id, ended_by: 'changed', ended_by_run_id: r3.id }),
      expect.objectContaining({ severity: 'high', from_run_id: r3.id, to_run_id: null, ended_by: null }),
    ]);
    // ages are derived from the dates at read time, never stored
    expect(res.body.evidence.age_days).toBe(366);
  });

  test('when the finding id is unknown or not a number, then 404 and 400', async () => {
    h = await startHarness();
    expect((await h.get('/api/findings/12345')).status).toBe(404);
    const bad = await h.get('/api/findings/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('id');
  });
});
