import { emptyAccount } from '../../src/simulator';
import { accountWithKeyAges, accountWithUsers } from '../support/accounts';
import { waitFor } from '../ops/support';
import { onlyChecks } from '../support/checks-env';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

describe('scans through the API against the simulated account', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when an account has more than 1,000 users, then one scan pages through ListUsers and sees every user', async () => {
    // Only a key check: this is about paging ListUsers, not the other per-user calls.
    h = await startHarness({ account: accountWithUsers(1205), env: onlyChecks(['access_key_not_rotated']) });
    const run = await scanViaApi(h);
    expect(run.status).toBe('succeeded');
    expect(run.stats).toMatchObject({ users: 1205, access_keys: 1205 });
    // 1,205 users at MaxItems 1000 = 2 ListUsers pages.
    expect(h.sim.stats.byAction.ListUsers).toBe(2);
    expect((run.stats as { calls_by_action: Record<string, number> }).calls_by_action.ListUsers).toBe(2);
    expect(run.account_id).toBe('111122223333');
  });

  test('when keys are 89, 90 and 91 days old, then only the 91-day key is reported as not rotated (limit 90)', async () => {
    // The scan's clock is the instant the ages were measured from (whole seconds, as IAM answers):
    // "exactly 90 days" stays exactly 90 × 24 h, which is not older than the limit.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    h = await startHarness({ account: accountWithKeyAges([89, 90, 91, 364, 365, 366], now), clock: () => now });
    const run = await scanViaApi(h);
    expect(run.status).toBe('succeeded');
    const res = await h.get('/api/findings?check=access_key_not_rotated&limit=50');
    expect(res.status).toBe(200);
    const byUser = Object.fromEntries(res.body.items.map((f: { user_name: string; severity: string }) => [f.user_name.replace(/-\d+$/, ''), f.severity]));
    expect(byUser).toEqual({ 'user-91d': 'medium', 'user-364d': 'medium', 'user-365d': 'medium', 'user-366d': 'high' });
    expect(res.body.total).toBe(4);
  });

  test('when the rotation limit is configured to 120 days, then a 91-day key passes', async () => {
    h = await startHarness({ account: accountWithKeyAges([91, 121]), env: { KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS: '120' } });
    await scanViaApi(h);
    const res = await h.get('/api/findings?check=access_key_not_rotated');
    expect(res.body.items.map((f: { user_name: string }) => f.user_name)).toEqual(['user-121d-1']);
  });

  test('when a key was never used for 60 days, then access_key_unused reports it counting from creation', async () => {
    h = await startHarness({ account: accountWithKeyAges([44, 60], new Date(), { lastUsedDaysAgo: null }) });
    await scanViaApi(h);
    const res = await h.get('/api/findings?check=access_key_unused');
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ user_name: 'user-60d-1', resource_type: 'access_key', status: 'open' });
    expect(res.body.items[0].resource_id).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(res.body.items[0].evidence).toMatchObject({ never_used: true, age_days: 60 });
  });

  test('when the same unchanged account is scanned again, then one run row is added and no finding or interval rows', async () => {
    h = await startHarness({ account: accountWithKeyAges([10, 100, 400]) });
    await scanViaApi(h);
    const before = h.ctx.store.tableCounts();
    const second = await scanViaApi(h);
    const after = h.ctx.store.tableCounts();
    expect(second.status).toBe('succeeded');
    expect(after).toEqual({ ...before, scan_runs: before.scan_runs + 1 });
    expect(second.stats).toMatchObject({ new: 0, resolved: 0, changed: 0 });
    // and the findings now say they were last seen by the second run
    const res = await h.get('/api/findings');
    expect(res.body.items.every((f: { last_seen_run_id: number }) => f.last_seen_run_id === second.id)).toBe(true);
  });

  test('when a run has finished, then GET /api/scans/{id}/findings lists exactly what it saw, even after the account changed', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    const first = await scanViaApi(h);
    // delete the 100-day key's user: the next scan resolves its finding
    h.sim.account.users = h.sim.account.users.filter((u) => !u.userName.startsWith('user-100d'));
    const second = await scanViaApi(h);
    const seenFirst = await h.get(`/api/scans/${first.id}/findings`);
    const seenSecond = await h.get(`/api/scans/${second.id}/findings`);
    const users = (r: { body: { items: { user_name: string; resource_type: string }[] } }) =>
      [...new Set(r.body.items.filter((f) => f.resource_type === 'access_key').map((f) => f.user_name))].sort();
    expect(users(seenFirst)).toEqual(['user-100d-0', 'user-400d-1']);
    expect(users(seenSecond)).toEqual(['user-400d-1']);
    expect(second.stats).toMatchObject({ resolved: 1 });
    const resolved = await h.get('/api/findings?status=resolved');
    expect(resolved.body.items.length).toBeGreaterThan(0);
    expect(new Set(resolved.body.items.map((f: { user_name: string }) => f.user_name))).toEqual(new Set(['user-100d-0']));
    expect(resolved.body.items[0]).toMatchObject({ user_name: 'user-100d-0', status: 'resolved', resolved_run_id: second.id });
  });

  test('when runs are listed, then they come newest first with a total, and can be filtered by status', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]) });
    await scanViaApi(h);
    await scanViaApi(h);
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    await scanViaApi(h);
    const all = await h.get('/api/scans?limit=2');
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((r: { id: number }) => r.id)).toEqual([3, 2]);
    expect(all.body.next_offset).toBe(2);
    const failed = await h.get('/api/scans?status=failed');
    expect(failed.body.items.map((r: { id: number }) => r.id)).toEqual([3]);
    const one = await h.get('/api/scans/2');
    expect(one.body).toMatchObject({ id: 2, status: 'succeeded', source: 'api', trigger: 'api' });
    expect(one.body.stats.api_calls).toBeGreaterThan(0);
    expect(one.body.duration_ms).toBeGreaterThanOrEqual(0);
  });

  test('when two scans are requested at once, then one is accepted (202) and the other refused (409)', async () => {
    h = await startHarness({ account: accountWithUsers(50), sim: { latencyMs: 20 } });
    const [a, b] = await Promise.all([h.post('/api/scans').send({ source: 'api' }), h.post('/api/scans').send({ source: 'api' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const accepted = a.status === 202 ? a : b;
    const refused = a.status === 409 ? a : b;
    expect(accepted.body).toMatchObject({ status: 'running', source: 'api' });
    expect(refused.body.error.code).toBe('scan_in_progress');
    await h.ctx.scans.waitForRunning();
    const runs = await h.get('/api/scans');
    expect(runs.body.total).toBe(1);
    expect(runs.body.items[0].status).toBe('succeeded');
  });

  test('when a run was left running by a killed process, then once its lease times out the restarted keywatch marks it interrupted', async () => {
    h = await startHarness({ account: accountWithUsers(200), sim: { latencyMs: 30 }, env: { KEYWATCH_SCAN_LEASE_TIMEOUT_S: '1' } });
    const started = await h.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    // Simulate a kill -9: the old process writes nothing more; a new one opens the same database.
    // (A fresh lease may still belong to a live process, so the run reads interrupted once it is stale.)
    await h.crashAndRestart();
    await waitFor(async () => (await h.get(`/api/scans/${started.body.id}`)).body.status === 'interrupted', 10_000, 'the run to read interrupted');
    const run = await h.get(`/api/scans/${started.body.id}`);
    expect(run.body.error.message).toMatch(/stopped while the scan was running/);
    // and the target can be scanned again
    expect((await h.post('/api/scans?wait=true').send({ source: 'api' })).body.status).toBe('succeeded');
  });
});

describe('the live source collects only what the enabled checks need', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const KEY_CHECKS_ONLY = {
    KEYWATCH_CHECK_USER_MULTIPLE_ACTIVE_KEYS_ENABLED: 'false',
    KEYWATCH_CHECK_USER_CONSOLE_WITHOUT_MFA_ENABLED: 'false',
    KEYWATCH_CHECK_USER_PASSWORD_UNUSED_ENABLED: 'false',
    KEYWATCH_CHECK_USER_PASSWORD_AND_KEYS_ENABLED: 'false',
    KEYWATCH_CHECK_ROOT_ACCESS_KEY_ENABLED: 'false',
    KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED: 'false',
    KEYWATCH_CHECK_PASSWORD_POLICY_WEAK_ENABLED: 'false',
    KEYWATCH_CHECK_ACCESS_KEY_UNUSED_ENABLED: 'false',
    KEYWATCH_CHECK_USER_ADMIN_WITH_ACCESS_KEY_ENABLED: 'false',
    KEYWATCH_CHECK_USER_INACTIVE_ENABLED: 'false',
    KEYWATCH_CHECK_SSH_KEY_NOT_ROTATED_ENABLED: 'false',
    KEYWATCH_CHECK_SIGNING_CERTIFICATE_ACTIVE_ENABLED: 'false',
    KEYWATCH_CHECK_SERVICE_CREDENTIAL_NOT_ROTATED_ENABLED: 'false',
    KEYWATCH_CHECK_ROOT_HARDWARE_MFA_ENABLED: 'false',
  };

  /** The checks issue 13 added; with them off (and no escalation) a scan makes the calls it made before. */
  const WITHOUT_ISSUE_13 = {
    KEYWATCH_CHECK_USER_ADMIN_WITH_ACCESS_KEY_ENABLED: 'false',
    KEYWATCH_CHECK_USER_INACTIVE_ENABLED: 'false',
    KEYWATCH_CHECK_SSH_KEY_NOT_ROTATED_ENABLED: 'false',
    KEYWATCH_CHECK_SIGNING_CERTIFICATE_ACTIVE_ENABLED: 'false',
    KEYWATCH_CHECK_SERVICE_CREDENTIAL_NOT_ROTATED_ENABLED: 'false',
    KEYWATCH_CHECK_ROOT_HARDWARE_MFA_ENABLED: 'false',
    KEYWATCH_RISK_ESCALATION: 'false',
  };

  const callsOf = (run: { [k: string]: unknown }) => (run.stats as { calls_by_action: Record<string, number> }).calls_by_action;

  test('when only key-age checks are enabled and risk escalation is off, then no login-profile, MFA, last-use, summary, policy or authorization call is made', async () => {
    h = await startHarness({ account: accountWithKeyAges([10, 100, 400]), env: { ...KEY_CHECKS_ONLY, KEYWATCH_RISK_ESCALATION: 'false' } });
    const run = await scanViaApi(h);
    expect(run.status).toBe('succeeded');
    expect(Object.keys(h.sim.stats.byAction).sort()).toEqual(['ListAccessKeys', 'ListUsers']);
    expect((run.stats as { calls_by_action: Record<string, number> }).calls_by_action).toEqual({ ListUsers: 1, ListAccessKeys: 3 });
    const checks = new Set((await h.get('/api/findings')).body.items.map((f: { check_id: string }) => f.check_id));
    expect([...checks].sort()).toEqual(['access_key_not_rotated']);
  });

  test('when only key-age checks are enabled with risk escalation on, then the only further call is one GetAccountAuthorizationDetails for the account', async () => {
    h = await startHarness({ account: accountWithKeyAges([10, 100, 400]), env: KEY_CHECKS_ONLY });
    const run = await scanViaApi(h);
    expect(run.status).toBe('succeeded');
    expect(callsOf(run)).toEqual({ ListUsers: 1, ListAccessKeys: 3, GetAccountAuthorizationDetails: 1 });
    expect(h.sim.stats.byAction).toEqual({ ListUsers: 1, ListAccessKeys: 3, GetAccountAuthorizationDetails: 1 });
  });

  test('when the checks of issue 13 are disabled and risk escalation is off, then none of their calls is made and nothing is skipped for want of their data', async () => {
    h = await startHarness({ account: accountWithKeyAges([10, 100, 400]), env: WITHOUT_ISSUE_13 });
    const run = await scanViaApi(h);
    expect(run.status).toBe('succeeded');
    expect(callsOf(run)).toEqual({
      ListUsers: 1,
      ListAccessKeys: 3,
      GetAccessKeyLastUsed: 3,
      GetLoginProfile: 3,
      ListMFADevices: 3,
      GetAccountSummary: 1,
      GetAccountPasswordPolicy: 1,
    });
    expect(run.skipped_checks).toEqual([{ check_id: 'root_recently_used', reason: expect.stringContaining('credential report') }]);
  });

  test('when every default check is enabled, then each per-user call is made once per user and each account call once', async () => {
    h = await startHarness({ account: accountWithKeyAges([10, 100, 400]) });
    const run = await scanViaApi(h);
    expect(callsOf(run)).toEqual({
      ListUsers: 1,
      ListAccessKeys: 3,
      GetAccessKeyLastUsed: 3,
      GetLoginProfile: 3,
      ListMFADevices: 3,
      ListSSHPublicKeys: 3,
      ListSigningCertificates: 3,
      ListServiceSpecificCredentials: 3,
      GetAccountSummary: 1,
      ListVirtualMFADevices: 1,
      GetAccountPasswordPolicy: 1,
      GetAccountAuthorizationDetails: 1,
    });
    // Only what the live API cannot say is skipped: root's last use is only in the credential report.
    expect(run.skipped_checks).toEqual([{ check_id: 'root_recently_used', reason: expect.stringContaining('credential report') }]);
  });
});

describe('the account id of a run', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when the account has no IAM user, then the account id comes from STS GetCallerIdentity', async () => {
    h = await startHarness({ account: emptyAccount('444455556666') });
    const run = await scanViaApi(h);
    expect(run.status).toBe('succeeded');
    expect(run.account_id).toBe('444455556666');
    expect(h.sim.stats.byAction.GetCallerIdentity).toBe(1);
  });
});
