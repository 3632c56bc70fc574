/**
 * The live (`api`) source against the simulator for the credentials beyond access keys and passwords:
 * SSH public keys, signing certificates, service-specific credentials, root's MFA type, and what each
 * user can do (GetAccountAuthorizationDetails), through the real app and the real SDK.
 */
import {
  AWS_MANAGED_POLICY_ARN,
  addAccessKey,
  addGroup,
  addMfaDevice,
  addServiceSpecificCredential,
  addSigningCertificate,
  addSshPublicKey,
  addUser,
  addUserToGroup,
  daysBefore,
  emptyAccount,
  mulberry32,
  type SimAccount,
} from '../../src/simulator';
import { runFindings, wholeSecondNow, type FindingJson, type RunJson } from '../report/helpers';
import { onlyChecks } from '../support/checks-env';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

const ACCOUNT_ID = '555566667777';
const scan = async (h: Harness, source = 'api') => (await scanViaApi(h, source)) as unknown as RunJson;
const of = (findings: FindingJson[], checkId: string) => findings.filter((f) => f.check_id === checkId);

/** dev: old and young SSH keys, certificates and service credentials, active and inactive; plain: none. */
function surfaceAccount(now: Date) {
  const account = emptyAccount(ACCOUNT_ID);
  const rng = mulberry32(21);
  addUser(account, { userName: 'dev', createDate: daysBefore(now, 900), rng });
  addUser(account, { userName: 'plain', createDate: daysBefore(now, 900), rng });
  const ids = {
    oldSsh: addSshPublicKey(account, 'dev', { ageDays: 91, now, rng }).sshPublicKeyId,
    youngSsh: addSshPublicKey(account, 'dev', { ageDays: 90, now, rng }).sshPublicKeyId,
    inactiveSsh: addSshPublicKey(account, 'dev', { ageDays: 400, now, status: 'Inactive', rng }).sshPublicKeyId,
    oldCert: addSigningCertificate(account, 'dev', { ageDays: 200, now, rng }).certificateId,
    inactiveCert: addSigningCertificate(account, 'dev', { ageDays: 300, now, status: 'Inactive', rng }).certificateId,
    oldCodeCommit: addServiceSpecificCredential(account, 'dev', { serviceName: 'codecommit.amazonaws.com', ageDays: 120, now, rng })
      .serviceSpecificCredentialId,
    youngBedrock: addServiceSpecificCredential(account, 'dev', { serviceName: 'bedrock.amazonaws.com', ageDays: 5, now, rng })
      .serviceSpecificCredentialId,
  };
  return { account, ids };
}

describe('the live source: SSH keys, signing certificates, service-specific credentials', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when a user has old and young, active and inactive credentials of each kind, then only the old active ones are reported, each under its own id', async () => {
    const now = wholeSecondNow();
    const { account, ids } = surfaceAccount(now);
    h = await startHarness({ account, clock: () => now, env: onlyChecks(['ssh_key_not_rotated', 'signing_certificate_active', 'service_credential_not_rotated']) });
    const run = await scan(h);
    expect(run.status).toBe('succeeded');
    expect(run.skipped_checks).toEqual([]);
    const findings = await runFindings(h, run.id);
    expect(of(findings, 'ssh_key_not_rotated')).toEqual([
      expect.objectContaining({ resource_id: ids.oldSsh, user_name: 'dev', severity: 'medium', evidence: expect.objectContaining({ upload_date: daysBefore(now, 91).toISOString() }) }),
    ]);
    expect(of(findings, 'signing_certificate_active')).toEqual([
      expect.objectContaining({ resource_id: ids.oldCert, user_name: 'dev', evidence: expect.objectContaining({ upload_date: daysBefore(now, 200).toISOString() }) }),
    ]);
    expect(of(findings, 'service_credential_not_rotated')).toEqual([
      expect.objectContaining({
        resource_id: ids.oldCodeCommit,
        evidence: expect.objectContaining({ service_name: 'codecommit.amazonaws.com', service_user_name: `dev-at-${ACCOUNT_ID}` }),
      }),
    ]);
    // once per user for each listing, nothing else beyond the baseline
    expect(run.stats.calls_by_action).toEqual({ ListUsers: 1, ListAccessKeys: 2, ListSSHPublicKeys: 2, ListSigningCertificates: 2, ListServiceSpecificCredentials: 2 });
  });

  test('when a user is deleted between its calls (ListSigningCertificates answers NoSuchEntity), then the scan succeeds without that user', async () => {
    const now = wholeSecondNow();
    const { account } = surfaceAccount(now);
    h = await startHarness({
      account,
      clock: () => now,
      env: onlyChecks(['access_key_not_rotated', 'signing_certificate_active']),
      sim: { faults: [{ action: 'ListSigningCertificates', error: 'NoSuchEntity', times: 1 }] },
    });
    const run = await scan(h);
    expect(run.status).toBe('succeeded');
    expect(run.stats).toMatchObject({ users: 1 });
    expect(run.stats.calls_by_action.ListSigningCertificates).toBe(2);
  });

  test('when IAM denies ListSSHPublicKeys, then the run fails naming iam:ListSSHPublicKeys, never with a partial snapshot', async () => {
    const now = wholeSecondNow();
    h = await startHarness({ account: surfaceAccount(now).account, env: onlyChecks(['ssh_key_not_rotated']), sim: { faults: [{ action: 'ListSSHPublicKeys', error: 'AccessDenied' }] } });
    const run = await scan(h);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('aws_access_denied');
    expect(run.error?.message).toMatch(/iam:ListSSHPublicKeys/);
    expect((await h.get('/api/findings')).body.total).toBe(0);
  });
});

describe("the live source: root's MFA device type", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Users with virtual MFA devices too: root's device must be told apart by its user, not by being virtual. */
  function mfaAccount(now: Date, rootMfa: 'virtual' | 'hardware'): SimAccount {
    const account = emptyAccount(ACCOUNT_ID);
    account.root.mfaType = rootMfa;
    const rng = mulberry32(5);
    for (const name of ['alice', 'zed']) {
      addUser(account, { userName: name, createDate: daysBefore(now, 100), rng });
      addMfaDevice(account, name, { enableDate: daysBefore(now, 50) });
    }
    return account;
  }

  test.each([
    ['virtual', 'root\'s virtual device by its serial', [`arn:aws:iam::${ACCOUNT_ID}:mfa/root-account-mfa-device`]],
    ['hardware', 'nothing (the users\' virtual devices are not root\'s)', []],
  ] as const)('when root MFA is %s, then root_hardware_mfa reports %s, with one ListVirtualMFADevices call', async (kind, _what, serials) => {
    const now = wholeSecondNow();
    h = await startHarness({ account: mfaAccount(now, kind), env: onlyChecks(['root_hardware_mfa']) });
    const run = await scan(h);
    expect(run.status).toBe('succeeded');
    expect(run.skipped_checks).toEqual([]);
    const found = of(await runFindings(h, run.id), 'root_hardware_mfa');
    expect(found.map((f) => f.evidence.virtual_mfa_serial)).toEqual(serials);
    expect(run.stats.calls_by_action).toMatchObject({ GetAccountSummary: 1, ListVirtualMFADevices: 1 });
  });
});

describe('the live source: authorization details', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when the account has more users than one page holds, then every page of GetAccountAuthorizationDetails is read and an admin through a group on the second page is found', async () => {
    const now = wholeSecondNow();
    const account = emptyAccount(ACCOUNT_ID);
    const rng = mulberry32(8);
    for (let i = 0; i < 1001; i++) addUser(account, { userName: `svc-${String(i).padStart(4, '0')}`, createDate: daysBefore(now, 30), rng });
    // Users come first in the listing: with 1,001 users the group is on the second page.
    addGroup(account, { groupName: 'Admins', attachedPolicies: [AWS_MANAGED_POLICY_ARN.AdministratorAccess], rng });
    addUser(account, { userName: 'zz-ops', createDate: daysBefore(now, 30), rng });
    addUserToGroup(account, 'zz-ops', 'Admins');
    const key = addAccessKey(account, 'zz-ops', { ageDays: 3, now, rng }).accessKeyId;
    h = await startHarness({ account, env: onlyChecks(['user_admin_with_access_key']) });
    const run = await scan(h);
    expect(run.status).toBe('succeeded');
    expect(run.stats.calls_by_action.GetAccountAuthorizationDetails).toBe(2);
    const found = of(await runFindings(h, run.id), 'user_admin_with_access_key');
    expect(found).toEqual([
      expect.objectContaining({
        user_name: 'zz-ops',
        severity: 'high',
        evidence: expect.objectContaining({ active_key_ids: key, privilege: 'admin', privilege_reason: 'admin through group Admins → AdministratorAccess' }),
      }),
    ]);
  });
});
