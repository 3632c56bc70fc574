import { generateAccount } from '../../src/simulator';
import { accountWithKeyAges, accountWithUsers } from '../support/accounts';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

const findingKeys = (items: { check_id: string; resource_id: string; severity: string }[]) =>
  items.map((f) => `${f.check_id}|${f.resource_id}|${f.severity}`).sort();

describe('scans when AWS misbehaves', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when about 30% of IAM calls are throttled, then the run still succeeds with the same findings as without throttling', async () => {
    const now = new Date();
    // Throttles here are independent coin flips; 12 attempts make a spurious failure ~1e-4 likely over the whole run.
    h = await startHarness({ account: generateAccount({ seed: 3, users: 60, now }), sim: { seed: 5 }, env: { KEYWATCH_IAM_MAX_ATTEMPTS: '12' } });
    const calm = await scanViaApi(h);
    expect(calm.status).toBe('succeeded');
    expect(calm.stats).toMatchObject({ throttled: 0, retries: 0 });
    const calmFindings = await h.get(`/api/scans/${calm.id}/findings?limit=500`);

    h.sim.setThrottleProbability(0.3);
    const stormy = await scanViaApi(h);
    h.sim.setThrottleProbability(0);
    expect(stormy.status).toBe('succeeded');
    const stats = stormy.stats as { throttled: number; retries: number; api_calls: number };
    // With ~30% throttling every call that was throttled was retried, and throttles were counted.
    expect(stats.throttled).toBeGreaterThan(stats.api_calls * 0.15);
    expect(stats.retries).toBe(stats.throttled);
    expect(h.sim.stats.throttled).toBe(stats.throttled);
    const stormyFindings = await h.get(`/api/scans/${stormy.id}/findings?limit=500`);
    expect(stormyFindings.body.total).toBe(calmFindings.body.total);
    expect(findingKeys(stormyFindings.body.items)).toEqual(findingKeys(calmFindings.body.items));
    expect(stormy.stats).toMatchObject({ new: 0, resolved: 0, changed: 0 });
  });

  test('when throttling never stops, then the run fails after the bounded attempts and says what to tune', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]), env: { KEYWATCH_IAM_MAX_ATTEMPTS: '3' } });
    h.sim.setThrottleProbability(1);
    const run = await scanViaApi(h);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'aws_throttled' });
    expect((run.error as { message: string }).message).toMatch(/iam:ListUsers was still throttled after 3 attempts.*KEYWATCH_IAM_RATE/);
    expect(run.stats).toMatchObject({ api_calls: 3, throttled: 3, retries: 2 });
  });

  test('when IAM denies ListAccessKeys, then the run fails naming the action and the permission, and earlier findings stay open', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    const good = await scanViaApi(h);
    const openBefore = await h.get('/api/findings?limit=500');
    expect(openBefore.body.total).toBeGreaterThan(0);

    h.sim.setFaults([{ action: 'ListAccessKeys', error: 'AccessDenied' }]);
    const bad = await scanViaApi(h);
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatchObject({ code: 'aws_access_denied' });
    const message = (bad.error as { message: string }).message;
    expect(message).toContain('iam:ListAccessKeys');
    expect(message).toMatch(/Grant keywatch's principal the iam:ListAccessKeys permission/);

    const openAfter = await h.get('/api/findings?limit=500');
    expect(openAfter.body.total).toBe(openBefore.body.total);
    expect(openAfter.body.items.every((f: { status: string; last_seen_run_id: number }) => f.status === 'open' && f.last_seen_run_id === good.id)).toBe(true);
    const resolved = await h.get('/api/findings?status=resolved');
    expect(resolved.body.total).toBe(0);
    // A failed run has no findings of its own.
    const seen = await h.get(`/api/scans/${bad.id}/findings`);
    expect(seen.status).toBe(409);
    expect(seen.body.error.message).toMatch(/failed/);
  });

  test('when the IAM endpoint keeps answering 500, then the run fails as unavailable after retries', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]), env: { KEYWATCH_IAM_MAX_ATTEMPTS: '2' } });
    h.sim.setFaults([{ action: 'ListUsers', error: 'InternalError' }]);
    const run = await scanViaApi(h);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'aws_unavailable' });
    expect(run.stats).toMatchObject({ api_calls: 2, retries: 1 });
  });

  test('when the IAM endpoint is unreachable, then the run fails with a network error naming the action', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]), env: { KEYWATCH_IAM_MAX_ATTEMPTS: '2' } });
    await h.sim.stop();
    const run = await scanViaApi(h);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'aws_unavailable' });
    expect((run.error as { message: string }).message).toContain('iam:ListUsers');
  });

  test('when a user is deleted while the scan runs, then the run succeeds without that user instead of failing', async () => {
    h = await startHarness({ account: accountWithUsers(80), sim: { latencyMs: 10 } });
    const started = await h.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    // once ListUsers has answered, the last user (scanned last) disappears from the account
    while (!h.sim.stats.byAction.ListUsers) await new Promise((r) => setTimeout(r, 5));
    h.sim.account.users = h.sim.account.users.filter((u) => u.userName !== 'svc-00079');
    await h.ctx.scans.waitForRunning();
    const run = (await h.get(`/api/scans/${started.body.id}`)).body;
    expect(run.status).toBe('succeeded');
    expect(run.stats.users).toBe(79);
    const gone = await h.get('/api/findings?user=svc-00079');
    expect(gone.body.total).toBe(0);
  });
});
