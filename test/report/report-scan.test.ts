/**
 * End to end: credential_report scans through the real app, a temp SQLite and the simulator.
 */
import {
  addAccessKey,
  addMfaDevice,
  addUser,
  daysBefore,
  deleteAccessKey,
  emptyAccount,
  mulberry32,
  setLoginProfile,
  type SimAccount,
} from '../../src/simulator';
import { scanViaApi, startHarness, type Harness } from '../support/harness';
import { currentFindings, generateReportAhead, runFindings, wholeSecondNow, type RunJson } from './helpers';

const scan = async (h: Harness, source: string) => (await scanViaApi(h, source)) as unknown as RunJson;

/** One user with one old active key (a not-rotated finding), one console user without MFA. */
function rotationAccount(now: Date): { account: SimAccount; oldKeyId: string } {
  const account = emptyAccount('210987654321');
  const rng = mulberry32(1);
  addUser(account, { userName: 'ci-bot', createDate: daysBefore(now, 500), rng });
  const old = addAccessKey(account, 'ci-bot', { ageDays: 400, now, lastUsedDaysAgo: 1, rng });
  addUser(account, { userName: 'dana', createDate: daysBefore(now, 200), rng });
  setLoginProfile(account, 'dana', { createDate: daysBefore(now, 199), passwordLastUsed: daysBefore(now, 2) });
  return { account, oldKeyId: old.accessKeyId };
}

/** Rotates ci-bot's key: deletes the old one, creates a new one (created yesterday, used today). */
function rotate(account: SimAccount, oldKeyId: string, now: Date): string {
  deleteAccessKey(account, oldKeyId);
  return addAccessKey(account, 'ci-bot', { ageDays: 1, now, lastUsedDaysAgo: 0, rng: mulberry32(99) }).accessKeyId;
}

describe('credential_report scans', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test.each([
    ['api', (h: Harness) => h.get('/api/v1/iam/old-access-keys/list-users?hours=1')],
    ['credential_report', (h: Harness) => h.post('/api/v1/iam/old-access-keys/credential-report?hours=1')],
  ])('when a key is rotated, then the %s source names the new key by its own id and the old key finding is resolved', async (source, v1) => {
    const now = wholeSecondNow();
    const { account, oldKeyId } = rotationAccount(now);
    h = await startHarness({ account });
    const before = await scan(h, source);
    expect(before.status).toBe('succeeded');
    expect((await runFindings(h, before.id)).filter((f) => f.resource_id === oldKeyId).map((f) => f.check_id)).toEqual(['access_key_not_rotated']);

    const newKeyId = rotate(h.sim.account, oldKeyId, now);
    const res = await v1(h); // a scan of this source, stored like any run
    expect(res.status).toBe(200);
    expect(res.body.old_access_keys).toEqual([
      { user_name: 'ci-bot', access_key_id: newKeyId, created_date: daysBefore(now, 1).toISOString() },
    ]);
    const resolved = await currentFindings(h, 'resolved');
    expect(resolved.map((f) => [f.check_id, f.resource_id])).toEqual([['access_key_not_rotated', oldKeyId]]);
    expect((await currentFindings(h, 'open')).some((f) => f.resource_id === oldKeyId)).toBe(false);
  });

  test('when a key is rotated after the report was generated and keywatch does not know the user yet, then the stale slot is dropped and the new key is used with its live last use', async () => {
    const now = wholeSecondNow();
    const { account, oldKeyId } = rotationAccount(now);
    // IAM reuses a report younger than 4 hours: the scan reads the report from before the rotation.
    h = await startHarness({ account, sim: { reportMaxAgeMs: 3_600_000 } });
    await generateReportAhead(h);
    const newKeyId = rotate(h.sim.account, oldKeyId, now);
    const res = await h.post('/api/v1/iam/old-access-keys/credential-report').send({ hours: 1 });
    expect(res.status).toBe(200);
    expect(res.body.old_access_keys.map((k: { access_key_id: string }) => k.access_key_id)).toEqual([newKeyId]);

    const run = (await h.get('/api/scans?limit=1')).body.items[0] as RunJson;
    // the report was reused (COMPLETE at once); ci-bot's slot is unknown, so its keys were listed, and
    // only the key the report does not describe needed GetAccessKeyLastUsed
    // (plus one call each for the password policy, root's MFA type and the authorization details)
    expect(run.stats.calls_by_action).toEqual({
      GenerateCredentialReport: 1,
      GetCredentialReport: 1,
      ListAccessKeys: 1,
      GetAccountPasswordPolicy: 1,
      GetAccessKeyLastUsed: 1,
      ListVirtualMFADevices: 1,
      GetAccountAuthorizationDetails: 1,
    });
    expect(run.stats).toMatchObject({ access_keys: 1 });
    expect((await runFindings(h, run.id)).some((f) => f.resource_id === oldKeyId)).toBe(false);
    // the new key was used today (live last use), so it is not reported as unused
    expect((await runFindings(h, run.id)).filter((f) => f.resource_id === newKeyId)).toEqual([]);
  });

  test('when a key is rotated after the report was generated and an earlier run identified the slot, then the scan of that report makes no ListAccessKeys and shows the account as the report does; the next report shows the rotation', async () => {
    const now = wholeSecondNow();
    const { account, oldKeyId } = rotationAccount(now);
    h = await startHarness({ account, sim: { reportMaxAgeMs: 3_600_000 } });
    const first = await scan(h, 'credential_report');
    expect(first.stats.calls_by_action.ListAccessKeys).toBe(1);
    const newKeyId = rotate(h.sim.account, oldKeyId, now);

    const stale = await scan(h, 'credential_report');
    expect(stale.report_generated_at).toBe(first.report_generated_at);
    // ci-bot's slot 1 (same user, same creation second) is the key the first run listed: no call,
    // and the run describes the account when the report was generated, like every other column
    expect(stale.stats.calls_by_action.ListAccessKeys).toBeUndefined();
    expect(stale.stats).toMatchObject({ new: 0, resolved: 0, changed: 0 });
    expect((await runFindings(h, stale.id)).filter((f) => f.resource_id === oldKeyId).map((f) => f.check_id)).toEqual(['access_key_not_rotated']);

    h.sim.expireCredentialReports();
    const res = await h.post('/api/v1/iam/old-access-keys/credential-report?hours=1'); // a scan of the next report
    expect(res.status).toBe(200);
    expect(res.body.old_access_keys.map((k: { access_key_id: string }) => k.access_key_id)).toEqual([newKeyId]);
    const fresh = (await h.get('/api/scans?limit=1')).body.items[0] as RunJson;
    // the new report shows another key in slot 1 (created yesterday): listed once
    expect(fresh.stats.calls_by_action.ListAccessKeys).toBe(1);
    expect(fresh.stats).toMatchObject({ access_keys: 1 });
    expect((await currentFindings(h, 'resolved')).map((f) => [f.check_id, f.resource_id])).toEqual([['access_key_not_rotated', oldKeyId]]);
    expect((await runFindings(h, fresh.id)).some((f) => f.resource_id === oldKeyId)).toBe(false);
    expect((await currentFindings(h, 'open')).every((f) => f.resource_id !== oldKeyId)).toBe(true);
  });

  test('when a user with keys is deleted after the report was generated and keywatch does not know its keys, then the scan succeeds without that user', async () => {
    const now = wholeSecondNow();
    const { account } = rotationAccount(now);
    h = await startHarness({ account, sim: { reportMaxAgeMs: 3_600_000 } });
    await generateReportAhead(h);
    h.sim.account.users = h.sim.account.users.filter((u) => u.userName !== 'ci-bot');
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    // the report still lists ci-bot with a key; ListAccessKeys answered NoSuchEntity
    expect(run.stats.calls_by_action.ListAccessKeys).toBe(1);
    expect(run.stats).toMatchObject({ users: 1, access_keys: 0 });
    expect((await runFindings(h, run.id)).some((f) => f.user_name === 'ci-bot')).toBe(false);
  });

  test('when a user with known keys is deleted after the report was generated, then the scan of that report still shows it as the report does, and the scan of the next report resolves its findings', async () => {
    const now = wholeSecondNow();
    const { account, oldKeyId } = rotationAccount(now);
    h = await startHarness({ account, sim: { reportMaxAgeMs: 3_600_000 } });
    const first = await scan(h, 'credential_report');
    expect((await runFindings(h, first.id)).some((f) => f.resource_id === oldKeyId)).toBe(true);
    h.sim.account.users = h.sim.account.users.filter((u) => u.userName !== 'ci-bot');
    const stale = await scan(h, 'credential_report');
    expect(stale.status).toBe('succeeded');
    expect(stale.report_generated_at).toBe(first.report_generated_at); // the stale report still lists ci-bot
    expect(stale.stats.calls_by_action.ListAccessKeys).toBeUndefined();
    expect(stale.stats).toMatchObject({ users: 2, access_keys: 1, resolved: 0 });

    h.sim.expireCredentialReports();
    const fresh = await scan(h, 'credential_report');
    expect(fresh.stats).toMatchObject({ users: 1, access_keys: 0, resolved: 1 });
    expect((await currentFindings(h, 'resolved')).map((f) => f.resource_id)).toEqual([oldKeyId]);
  });

  test('when the report is two hours old, then the run stores report_generated_at and data_age_seconds, and root_recently_used is evaluated (api skips it)', async () => {
    const now = wholeSecondNow();
    const account = emptyAccount('123456789012');
    account.root.passwordLastUsed = daysBefore(now, 2);
    addUser(account, { userName: 'erin', createDate: daysBefore(now, 30), mfaDevices: 1, rng: mulberry32(3) });
    setLoginProfile(account, 'erin', { createDate: daysBefore(now, 30), passwordLastUsed: daysBefore(now, 1) });
    const generatedAt = new Date(now.getTime() - 2 * 3_600_000);
    h = await startHarness({ account, sim: { now: () => generatedAt } });

    const live = await scan(h, 'api');
    expect(live.report_generated_at).toBeNull();
    expect(live.data_age_seconds).toBeNull();
    expect(live.skipped_checks).toEqual([{ check_id: 'root_recently_used', reason: expect.stringMatching(/only in the credential report/) }]);

    const report = await scan(h, 'credential_report');
    expect(report.status).toBe('succeeded');
    expect(report.report_generated_at).toBe(generatedAt.toISOString());
    expect(report.data_age_seconds).toBeGreaterThanOrEqual(7200);
    expect(report.data_age_seconds).toBeLessThan(7260);
    // SSH keys and service-specific credentials are not in the report: skipped, never passed.
    expect(report.skipped_checks).toEqual([
      { check_id: 'ssh_key_not_rotated', reason: expect.stringMatching(/only in the api source/) },
      { check_id: 'service_credential_not_rotated', reason: expect.stringMatching(/only in the api source/) },
    ]);
    const root = (await runFindings(h, report.id)).filter((f) => f.check_id === 'root_recently_used');
    expect(root).toHaveLength(1);
    expect(root[0]).toMatchObject({ resource_id: 'root', severity: 'high', evidence: { password_used_in_window: true, password_last_used: daysBefore(now, 2).toISOString() } });
  });

  test('when the report takes 300 ms to generate, then the scan polls through STARTED and INPROGRESS and succeeds', async () => {
    const now = wholeSecondNow();
    h = await startHarness({ account: rotationAccount(now).account, sim: { reportGenerationMs: 300 } });
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    expect(run.stats.calls_by_action.GenerateCredentialReport).toBeGreaterThanOrEqual(3);
    expect(run.stats.calls_by_action.GetCredentialReport).toBe(1);
    expect(run.stats).toMatchObject({ users: 2, access_keys: 1 });
  });

  test('when the report never completes within KEYWATCH_REPORT_TIMEOUT_S=1, then the run fails saying so and what to do', async () => {
    h = await startHarness({ account: rotationAccount(wholeSecondNow()).account, sim: { reportGenerationMs: 60_000 }, env: { KEYWATCH_REPORT_TIMEOUT_S: '1' } });
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('failed');
    // It gave up at its own deadline, long before the report (60 s) would have completed.
    expect(run.duration_ms).toBeLessThan(60_000);
    expect(run.error?.code).toBe('report_failed');
    expect(run.error?.message).toMatch(/did not complete within 1 s .*KEYWATCH_REPORT_TIMEOUT_S.*INPROGRESS/);
    expect(run.error?.message).toMatch(/raise KEYWATCH_REPORT_TIMEOUT_S, or scan with the api source/);
  });

  test('when IAM denies GetCredentialReport, then the run fails naming iam:GetCredentialReport and earlier findings stay open', async () => {
    h = await startHarness({ account: rotationAccount(wholeSecondNow()).account });
    const good = await scan(h, 'credential_report');
    const openBefore = await currentFindings(h, 'open');
    expect(openBefore.length).toBeGreaterThan(0);

    h.sim.setFaults([{ action: 'GetCredentialReport', error: 'AccessDenied' }]);
    const bad = await scan(h, 'credential_report');
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('aws_access_denied');
    expect(bad.error?.message).toMatch(/Grant keywatch's principal the iam:GetCredentialReport permission/);
    const openAfter = await currentFindings(h, 'open');
    expect(openAfter.map((f) => f.resource_id).sort()).toEqual(openBefore.map((f) => f.resource_id).sort());
    expect((await currentFindings(h, 'resolved'))).toEqual([]);
    expect((await h.get(`/api/scans/${good.id}`)).body.status).toBe('succeeded');
  });

  test.each([
    ['GetCredentialReport answers ReportExpired', { action: 'GetCredentialReport', error: 'ReportExpired' as const, times: 1 }, { GetCredentialReport: 2 }],
    ['GetCredentialReport answers ReportInProgress', { action: 'GetCredentialReport', error: 'ReportInProgress' as const, times: 1 }, { GetCredentialReport: 2 }],
    ['GetCredentialReport answers ReportNotPresent', { action: 'GetCredentialReport', error: 'ReportNotPresent' as const, times: 1 }, { GetCredentialReport: 2 }],
  ])('when %s once, then the scan generates the report again and succeeds', async (_what, fault, calls) => {
    h = await startHarness({ account: rotationAccount(wholeSecondNow()).account });
    h.sim.setFaults([fault]);
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    expect(run.stats.calls_by_action).toMatchObject(calls);
    expect(run.stats.calls_by_action.GenerateCredentialReport).toBeGreaterThanOrEqual(3);
    expect(run.stats).toMatchObject({ throttled: 0 });
  });

  test('when GenerateCredentialReport answers LimitExceeded twice, then the limiter retries it like throttling and the scan succeeds', async () => {
    h = await startHarness({ account: rotationAccount(wholeSecondNow()).account });
    h.sim.setFaults([{ action: 'GenerateCredentialReport', error: 'LimitExceeded', times: 2 }]);
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    expect(run.stats).toMatchObject({ throttled: 2, retries: 2 });
  });

  test('when 12 of 30 users have keys, then the first report run makes 18 calls (report 3, ListAccessKeys 12, password policy, root MFA type and authorization details 1 each), far fewer than the live run (203), and a report run after the live run makes 6', async () => {
    const now = wholeSecondNow();
    const account = emptyAccount('123456789012');
    const rng = mulberry32(5);
    for (let i = 0; i < 30; i++) {
      const name = `user-${String(i).padStart(2, '0')}`;
      addUser(account, { userName: name, createDate: daysBefore(now, 300), rng });
      if (i % 3 === 0) setLoginProfile(account, name, { createDate: daysBefore(now, 200), passwordLastUsed: null });
      if (i % 5 === 0) addMfaDevice(account, name, { enableDate: daysBefore(now, 100) });
      if (i < 12) addAccessKey(account, name, { ageDays: 10 + i * 20, now, lastUsedDaysAgo: i % 2 ? 3 : null, rng });
      if (i < 6) addAccessKey(account, name, { ageDays: 5, now, status: 'Inactive', rng });
    }
    h = await startHarness({ account, clock: () => now });
    const report = await scan(h, 'credential_report');
    const live = await scan(h, 'api');
    expect(report.stats.calls_by_action).toEqual({
      GenerateCredentialReport: 2,
      GetCredentialReport: 1,
      ListAccessKeys: 12,
      GetAccountPasswordPolicy: 1,
      ListVirtualMFADevices: 1,
      GetAccountAuthorizationDetails: 1,
    });
    expect(report.stats.api_calls).toBe(18);
    // live: ListUsers + 30 × (ListAccessKeys, GetLoginProfile, ListMFADevices, ListSSHPublicKeys,
    // ListSigningCertificates, ListServiceSpecificCredentials) + 18 keys × GetAccessKeyLastUsed
    // + GetAccountSummary, ListVirtualMFADevices, GetAccountPasswordPolicy, GetAccountAuthorizationDetails
    expect(live.stats.api_calls).toBe(1 + 180 + 18 + 4);
    expect(report.stats.api_calls * 5).toBeLessThan(live.stats.api_calls);
    expect(report.stats).toMatchObject({ users: 30, access_keys: 18 });
    expect(live.stats).toMatchObject({ users: 30, access_keys: 18, changed: 0, resolved: 0 });

    // The live run identified every key (by creation order, which is the report's slot order): the
    // next report run lists nobody's keys.
    const warm = await scan(h, 'credential_report');
    expect(warm.stats.calls_by_action).toEqual({
      GenerateCredentialReport: 2,
      GetCredentialReport: 1,
      GetAccountPasswordPolicy: 1,
      ListVirtualMFADevices: 1,
      GetAccountAuthorizationDetails: 1,
    });
    expect(warm.stats).toMatchObject({ users: 30, access_keys: 18, new: 0, changed: 0, resolved: 0 });
  });
});
