/**
 * The credential_report source for signing certificates (the report's cert_N columns, certificate ids
 * and N/A dates from ListSigningCertificates) and for a report without a `<root_account>` row
 * (issue 12 §2), end to end through the real app and the simulator.
 */
import {
  addAccessKey,
  addRootAccessKey,
  addSigningCertificate,
  addUser,
  daysBefore,
  emptyAccount,
  mulberry32,
} from '../../src/simulator';
import { onlyChecks } from '../support/checks-env';
import { scanViaApi, startHarness, type Harness } from '../support/harness';
import { currentFindings, generateReportAhead, runFindings, wholeSecondNow, type RunJson } from './helpers';

const ACCOUNT_ID = '777788889999';
const scan = async (h: Harness, source: string) => (await scanViaApi(h, source)) as unknown as RunJson;

/** Every default check but the certificate check off, and no escalation: only the certificate calls remain. */
const CERTIFICATES_ONLY = onlyChecks(['signing_certificate_active']);

/**
 * old: one active certificate of 200 days; young: active, 10 days; retired: inactive, 300 days;
 * two: slot 1 inactive (400 days), slot 2 active (150 days); none: no certificate.
 */
function certificateAccount(now: Date) {
  const account = emptyAccount(ACCOUNT_ID);
  const rng = mulberry32(17);
  for (const name of ['none', 'old', 'retired', 'two', 'young']) addUser(account, { userName: name, createDate: daysBefore(now, 900), rng });
  const ids = {
    old: addSigningCertificate(account, 'old', { ageDays: 200, now, rng }).certificateId,
    young: addSigningCertificate(account, 'young', { ageDays: 10, now, rng }).certificateId,
    retired: addSigningCertificate(account, 'retired', { ageDays: 300, now, status: 'Inactive', rng }).certificateId,
    twoInactive: addSigningCertificate(account, 'two', { ageDays: 400, now, status: 'Inactive', rng }).certificateId,
    twoActive: addSigningCertificate(account, 'two', { ageDays: 150, now, rng }).certificateId,
  };
  return { account, ids };
}

describe('credential_report source: signing certificates', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test.each([
    ['leaves cert_N_last_rotated N/A for active certificates (LocalStack, moto)', true],
    ['has the upload dates (AWS)', false],
  ])('when the report %s, then old active certificates are reported by CertificateId with the date ListSigningCertificates gives, asked only for users with an active certificate', async (_what, omitDates) => {
    const now = wholeSecondNow();
    const { account, ids } = certificateAccount(now);
    h = await startHarness({ account, clock: () => now, env: CERTIFICATES_ONLY, sim: { reportOmitsCertificateDates: omitDates } });
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    expect(run.skipped_checks).toEqual([]);
    // old, young and two show an active certificate; retired (inactive only) and none need no call
    expect(run.stats.calls_by_action).toEqual({ GenerateCredentialReport: 2, GetCredentialReport: 1, ListSigningCertificates: 3 });
    const found = (await runFindings(h, run.id)).filter((f) => f.check_id === 'signing_certificate_active');
    expect(found.map((f) => [f.user_name, f.resource_id, f.evidence.upload_date]).sort()).toEqual(
      [
        ['old', ids.old, daysBefore(now, 200).toISOString()],
        // slot 2's certificate, by its id: never the slot, never the inactive one in slot 1
        ['two', ids.twoActive, daysBefore(now, 150).toISOString()],
      ].sort(),
    );
  });

  test('when the report leaves the dates N/A, then the api and credential_report sources find the same certificates and the second run changes nothing', async () => {
    const now = wholeSecondNow();
    h = await startHarness({ account: certificateAccount(now).account, clock: () => now, env: CERTIFICATES_ONLY, sim: { reportOmitsCertificateDates: true } });
    const live = await scan(h, 'api');
    const report = await scan(h, 'credential_report');
    const ids = async (run: RunJson) => (await runFindings(h, run.id)).map((f) => `${f.check_id}|${f.resource_id}|${f.severity}`).sort();
    expect(await ids(report)).toEqual(await ids(live));
    expect(report.stats).toMatchObject({ new: 0, changed: 0, resolved: 0 });
  });

  test('when a user with an active certificate is deleted after the report was generated and keywatch does not know its certificates, then the scan succeeds without that user', async () => {
    const now = wholeSecondNow();
    // IAM reuses a report younger than 4 hours: the scan reads the report from before the deletion.
    h = await startHarness({ account: certificateAccount(now).account, clock: () => now, env: CERTIFICATES_ONLY, sim: { reportMaxAgeMs: 3_600_000 } });
    await generateReportAhead(h);
    h.sim.account.users = h.sim.account.users.filter((u) => u.userName !== 'old');
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    // old, young and two listed; old answered NoSuchEntity
    expect(run.stats.calls_by_action.ListSigningCertificates).toBe(3);
    expect(run.stats).toMatchObject({ users: 4 });
    expect((await runFindings(h, run.id)).some((f) => f.user_name === 'old')).toBe(false);
  });

  test('when the certificates are known from an earlier run, then the next report run lists none, finds the same and a deactivated certificate is resolved without a call', async () => {
    const now = wholeSecondNow();
    const { account, ids } = certificateAccount(now);
    h = await startHarness({ account, clock: () => now, env: CERTIFICATES_ONLY });
    const first = await scan(h, 'credential_report');
    expect(first.stats.calls_by_action.ListSigningCertificates).toBe(3);
    const second = await scan(h, 'credential_report');
    expect(second.stats.calls_by_action).toEqual({ GenerateCredentialReport: 2, GetCredentialReport: 1 });
    expect(second.stats).toMatchObject({ users: 5, new: 0, changed: 0, resolved: 0 });

    // old's certificate is deactivated: same slot, same upload date, so the same certificate
    account.users.find((u) => u.userName === 'old')!.signingCertificates![0]!.status = 'Inactive';
    const third = await scan(h, 'credential_report');
    expect(third.stats.calls_by_action.ListSigningCertificates).toBeUndefined();
    expect((await currentFindings(h, 'resolved')).map((f) => [f.check_id, f.resource_id])).toEqual([['signing_certificate_active', ids.old]]);
  });
});

describe('credential_report source: a report without a <root_account> row (issue 12 §2)', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Root would fail every root check (an active key, no MFA, used yesterday); one user has a 400-day key. */
  function rootlessAccount(now: Date) {
    const account = emptyAccount(ACCOUNT_ID);
    const rng = mulberry32(23);
    account.root.mfaEnabled = false;
    account.root.passwordLastUsed = daysBefore(now, 1);
    addRootAccessKey(account, { ageDays: 50, now, lastUsedDaysAgo: 1, rng });
    addUser(account, { userName: 'ci-bot', createDate: daysBefore(now, 500), rng });
    const key = addAccessKey(account, 'ci-bot', { ageDays: 400, now, lastUsedDaysAgo: 1, rng }).accessKeyId;
    return { account, key };
  }

  const ROOT_CHECKS = ['root_access_key', 'root_mfa_disabled', 'root_hardware_mfa', 'root_recently_used'];

  test('when the report has no root row, then the run succeeds, the root checks are skipped with that reason and every other check is evaluated', async () => {
    const now = wholeSecondNow();
    const { account, key } = rootlessAccount(now);
    h = await startHarness({ account, clock: () => now, sim: { reportOmitsRootRow: true } });
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    expect(run.error).toBeNull();
    expect(run.account_id).toBe(ACCOUNT_ID);
    const noRootRow = expect.stringMatching(/^the credential report has no <root_account> row \(LocalStack, moto and some partitions leave it out\)/);
    expect(run.skipped_checks).toEqual([
      { check_id: 'ssh_key_not_rotated', reason: expect.stringMatching(/only in the api source/) },
      { check_id: 'service_credential_not_rotated', reason: expect.stringMatching(/only in the api source/) },
      { check_id: 'root_access_key', reason: noRootRow },
      { check_id: 'root_mfa_disabled', reason: noRootRow },
      { check_id: 'root_hardware_mfa', reason: noRootRow },
      { check_id: 'root_recently_used', reason: noRootRow },
    ]);
    const findings = await runFindings(h, run.id);
    expect(findings.filter((f) => ROOT_CHECKS.includes(f.check_id))).toEqual([]);
    expect(findings.filter((f) => f.check_id === 'access_key_not_rotated').map((f) => f.resource_id)).toEqual([key]);
    // root's MFA type is not asked for: there is no root row to attach it to
    expect(run.stats.calls_by_action.ListVirtualMFADevices).toBeUndefined();
  });

  test('when the report has no root row and the account no user, then the account id comes from STS and the run still succeeds', async () => {
    const account = emptyAccount(ACCOUNT_ID);
    h = await startHarness({ account, sim: { reportOmitsRootRow: true } });
    const run = await scan(h, 'credential_report');
    expect(run.status).toBe('succeeded');
    expect(run.account_id).toBe(ACCOUNT_ID);
    expect(run.stats.calls_by_action.GetCallerIdentity).toBe(1);
  });

  test('when the report has no root row, then the api source on the same endpoint still evaluates the root checks it can', async () => {
    const now = wholeSecondNow();
    h = await startHarness({ account: rootlessAccount(now).account, clock: () => now, sim: { reportOmitsRootRow: true } });
    const run = await scan(h, 'api');
    expect(run.status).toBe('succeeded');
    const root = (await runFindings(h, run.id)).filter((f) => ROOT_CHECKS.includes(f.check_id)).map((f) => f.check_id).sort();
    expect(root).toEqual(['root_access_key', 'root_mfa_disabled']);
  });
});
