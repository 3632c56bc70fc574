import { evaluateChecks, neededData } from '../../src/checks/evaluate';
import { resolveChecks, type ResolvedCheck } from '../../src/checks/settings';
import { NOW, aKey, aLoginProfile, aRoot, aSnapshot, aUser } from '../factories/snapshot';

const resolve = (env: Record<string, string> = {}): ResolvedCheck[] => {
  const { checks, errors } = resolveChecks(env);
  expect(errors).toEqual([]);
  return checks;
};

/** The credential report has no SSH keys or service-specific credentials: these two are skipped on it, in catalog order. */
const SSH_SKIP = {
  checkId: 'ssh_key_not_rotated',
  reason: 'SSH public keys is only in the api source; the credential_report source cannot evaluate it',
};
const SERVICE_CREDENTIAL_SKIP = {
  checkId: 'service_credential_not_rotated',
  reason: 'service-specific credentials is only in the api source; the credential_report source cannot evaluate it',
};

describe('evaluateChecks', () => {
  it('when the snapshot is healthy, then there are no findings and only the api-only checks are skipped (credential report)', () => {
    const snapshot = aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: 10, lastUsedDaysAgo: 1 })] })] });
    expect(evaluateChecks(snapshot, resolve(), NOW)).toEqual({ findings: [], skipped: [SSH_SKIP, SERVICE_CREDENTIAL_SKIP] });
  });

  it('when a healthy api snapshot holds every piece of data, then only root_recently_used is skipped', () => {
    const snapshot = aSnapshot({
      source: 'api',
      users: [aUser({ keys: [aKey({ ageDays: 10, lastUsedDaysAgo: 1 })] })],
      root: aRoot({ passwordLastUsedDaysAgo: undefined, accessKeyLastUsedDaysAgo: undefined }),
    });
    const { findings, skipped } = evaluateChecks(snapshot, resolve(), NOW);
    expect(findings).toEqual([]);
    expect(skipped.map((s) => s.checkId)).toEqual(['root_recently_used']);
  });

  it('when an api snapshot lacks the new data (collectors not asked for it), then each check needing it is skipped naming what was not collected', () => {
    const user = { ...aUser(), sshPublicKeys: undefined, signingCertificates: undefined, serviceCredentials: undefined };
    const snapshot = aSnapshot({
      source: 'api',
      users: [user],
      root: aRoot({ passwordLastUsedDaysAgo: undefined, accessKeyLastUsedDaysAgo: undefined, virtualMfaSerial: undefined }),
      authorizationDetails: undefined,
    });
    const { skipped } = evaluateChecks(snapshot, resolve(), NOW);
    expect(skipped).toEqual([
      { checkId: 'user_admin_with_access_key', reason: 'authorization details (groups and policies) was not collected in this snapshot' },
      { checkId: 'ssh_key_not_rotated', reason: 'SSH public keys was not collected in this snapshot' },
      { checkId: 'signing_certificate_active', reason: 'signing certificates was not collected in this snapshot' },
      { checkId: 'service_credential_not_rotated', reason: 'service-specific credentials was not collected in this snapshot' },
      { checkId: 'root_hardware_mfa', reason: "root's MFA device type (virtual MFA devices) was not collected in this snapshot" },
      { checkId: 'root_recently_used', reason: 'root last use is only in the credential report; the api source cannot evaluate it' },
    ]);
  });

  it('when a credential-report snapshot lacks certificates, MFA type and authorization details, then those checks are skipped as not collected (the report can provide them)', () => {
    const user = { ...aUser(), signingCertificates: undefined };
    const snapshot = aSnapshot({ users: [user], root: aRoot({ virtualMfaSerial: undefined }), authorizationDetails: undefined });
    const { skipped } = evaluateChecks(snapshot, resolve(), NOW);
    expect(skipped).toEqual([
      { checkId: 'user_admin_with_access_key', reason: 'authorization details (groups and policies) was not collected in this snapshot' },
      SSH_SKIP,
      { checkId: 'signing_certificate_active', reason: 'signing certificates was not collected in this snapshot' },
      SERVICE_CREDENTIAL_SKIP,
      { checkId: 'root_hardware_mfa', reason: "root's MFA device type (virtual MFA devices) was not collected in this snapshot" },
    ]);
  });

  it('when the source is the api, then root_recently_used is skipped with a reason and not passed silently', () => {
    const snapshot = aSnapshot({
      source: 'api',
      root: aRoot({ passwordLastUsedDaysAgo: undefined, accessKeyLastUsedDaysAgo: undefined }),
    });
    const { findings, skipped } = evaluateChecks(snapshot, resolve(), NOW);
    expect(findings).toEqual([]);
    expect(skipped).toEqual([
      {
        checkId: 'root_recently_used',
        reason: 'root last use is only in the credential report; the api source cannot evaluate it',
      },
    ]);
  });

  it('when a check is disabled, then it is neither run nor skipped', () => {
    const snapshot = aSnapshot({ source: 'api', root: aRoot({ mfaEnabled: false }) });
    const resolved = resolve({ KEYWATCH_CHECK_ROOT_RECENTLY_USED_ENABLED: 'false', KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED: 'false' });
    expect(evaluateChecks(snapshot, resolved, NOW)).toEqual({ findings: [], skipped: [] });
  });

  it('when several checks fail, then findings come in catalog order using the resolved settings', () => {
    const snapshot = aSnapshot({
      users: [
        aUser({
          name: 'alice',
          loginProfile: aLoginProfile({ lastUsedDaysAgo: 1 }),
          mfaDeviceCount: 0,
          keys: [aKey({ id: 'AKIAOLD', ageDays: 100, lastUsedDaysAgo: 1 })],
        }),
      ],
      root: aRoot({ mfaEnabled: false }),
      passwordPolicy: null,
    });
    const { findings, skipped } = evaluateChecks(
      snapshot,
      resolve({ KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_SEVERITY: 'low' }),
      NOW,
    );
    expect(skipped).toEqual([SSH_SKIP, SERVICE_CREDENTIAL_SKIP]);
    expect(findings.map((f) => [f.checkId, f.severity])).toEqual([
      ['access_key_not_rotated', 'low'],
      ['user_console_without_mfa', 'high'],
      ['user_password_and_keys', 'low'],
      ['root_mfa_disabled', 'critical'],
      ['password_policy_weak', 'medium'],
    ]);
  });

  it('when canary ids are configured and a canary was used, then canary_key_used reports it', () => {
    const snapshot = aSnapshot({ users: [aUser({ keys: [aKey({ id: 'AKIACANARY', lastUsedDaysAgo: 1 })] })] });
    const { findings } = evaluateChecks(snapshot, resolve({ KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: 'AKIACANARY' }), NOW);
    expect(findings.map((f) => f.checkId)).toEqual(['canary_key_used']);
  });

  it('when root data was not collected although the source provides it, then root checks are skipped, not passed', () => {
    const { skipped } = evaluateChecks(aSnapshot({ root: undefined }), resolve(), NOW);
    expect(skipped).toEqual([
      SSH_SKIP,
      SERVICE_CREDENTIAL_SKIP,
      { checkId: 'root_access_key', reason: 'root account summary was not collected in this snapshot' },
      { checkId: 'root_mfa_disabled', reason: 'root account summary was not collected in this snapshot' },
      {
        checkId: 'root_hardware_mfa',
        reason: "root account summary and root's MFA device type (virtual MFA devices) were not collected in this snapshot",
      },
      { checkId: 'root_recently_used', reason: 'root last use was not collected in this snapshot' },
    ]);
  });

  it('when the password policy was not collected, then password_policy_weak is skipped', () => {
    const { skipped } = evaluateChecks(aSnapshot({ passwordPolicy: undefined }), resolve(), NOW);
    expect(skipped.map((s) => s.checkId)).toEqual([SSH_SKIP.checkId, SERVICE_CREDENTIAL_SKIP.checkId, 'password_policy_weak']);
  });

  it('when no key has last-use data, then the checks that need it are skipped', () => {
    const snapshot = aSnapshot({ users: [aUser({ keys: [aKey({ lastUsedDaysAgo: undefined })] })] });
    const { skipped } = evaluateChecks(snapshot, resolve({ KEYWATCH_CHECK_CANARY_KEY_USED_ENABLED: 'true' }), NOW);
    expect(skipped).toEqual([
      { checkId: 'access_key_unused', reason: 'access key last use was not collected in this snapshot' },
      { checkId: 'user_inactive', reason: 'access key last use was not collected in this snapshot' },
      SSH_SKIP,
      SERVICE_CREDENTIAL_SKIP,
      { checkId: 'canary_key_used', reason: 'access key last use was not collected in this snapshot' },
    ]);
  });

  it('when no user has login-profile or MFA data, then the checks that need them are skipped', () => {
    const snapshot = aSnapshot({ users: [aUser({ loginProfile: undefined, mfaDeviceCount: undefined })] });
    const { skipped } = evaluateChecks(snapshot, resolve(), NOW);
    expect(skipped).toEqual([
      {
        checkId: 'user_console_without_mfa',
        reason: 'console passwords (login profiles) and MFA devices were not collected in this snapshot',
      },
      { checkId: 'user_password_unused', reason: 'console passwords (login profiles) was not collected in this snapshot' },
      { checkId: 'user_password_and_keys', reason: 'console passwords (login profiles) was not collected in this snapshot' },
      { checkId: 'user_inactive', reason: 'console passwords (login profiles) was not collected in this snapshot' },
      SSH_SKIP,
      SERVICE_CREDENTIAL_SKIP,
    ]);
  });

  it('when the account has no users, then per-user checks run (and find nothing) instead of being skipped', () => {
    expect(evaluateChecks(aSnapshot({ users: [] }), resolve(), NOW)).toEqual({ findings: [], skipped: [SSH_SKIP, SERVICE_CREDENTIAL_SKIP] });
    const api = aSnapshot({ source: 'api', users: [], root: aRoot({ passwordLastUsedDaysAgo: undefined, accessKeyLastUsedDaysAgo: undefined }) });
    expect(evaluateChecks(api, resolve(), NOW).skipped.map((s) => s.checkId)).toEqual(['root_recently_used']);
  });
});

describe('neededData', () => {
  it('when all default checks are enabled on the api source, then it needs everything except root last use', () => {
    expect(neededData(resolve(), 'api')).toEqual([
      'access_keys',
      'key_last_used',
      'login_profiles',
      'mfa_devices',
      'root_account',
      'password_policy',
      'ssh_keys',
      'signing_certificates',
      'service_credentials',
      'root_virtual_mfa',
      'authorization_details',
    ]);
  });

  it('when all default checks are enabled on the credential report, then it needs everything but SSH keys and service credentials', () => {
    expect(neededData(resolve(), 'credential_report')).toEqual([
      'access_keys',
      'key_last_used',
      'login_profiles',
      'mfa_devices',
      'root_account',
      'root_last_used',
      'password_policy',
      'signing_certificates',
      'root_virtual_mfa',
      'authorization_details',
    ]);
  });

  it('when the only checks needing key last use are disabled, then key last use is not needed', () => {
    const resolved = resolve({ KEYWATCH_CHECK_ACCESS_KEY_UNUSED_ENABLED: 'false', KEYWATCH_CHECK_USER_INACTIVE_ENABLED: 'false' });
    expect(neededData(resolved, 'api')).not.toContain('key_last_used');
    expect(neededData(resolve({ KEYWATCH_CHECK_ACCESS_KEY_UNUSED_ENABLED: 'false' }), 'api')).toContain('key_last_used');
  });

  it('when user_admin_with_access_key is disabled, then authorization details are still needed (severity escalation reads them)', () => {
    expect(neededData(resolve({ KEYWATCH_CHECK_USER_ADMIN_WITH_ACCESS_KEY_ENABLED: 'false' }), 'api')).toContain('authorization_details');
  });

  it('when canary_key_used is enabled, then key last use is needed even with access_key_unused off', () => {
    const resolved = resolve({
      KEYWATCH_CHECK_ACCESS_KEY_UNUSED_ENABLED: 'false',
      KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: 'AKIACANARY',
    });
    expect(neededData(resolved, 'api')).toContain('key_last_used');
  });

  it('when only the root checks are enabled, then only root data is needed', () => {
    const env: Record<string, string> = {};
    for (const r of resolve()) env[`KEYWATCH_CHECK_${r.check.id.toUpperCase()}_ENABLED`] = r.check.id.startsWith('root_') ? 'true' : 'false';
    expect(neededData(resolve(env), 'credential_report')).toEqual(['root_account', 'root_last_used', 'root_virtual_mfa']);
    expect(neededData(resolve(env), 'api')).toEqual(['root_account', 'root_virtual_mfa']);
  });

  it('when every check is disabled, then nothing is needed', () => {
    expect(neededData(resolve().map((r) => ({ ...r, enabled: false })), 'api')).toEqual([]);
  });
});

describe('neededData with severity escalation', () => {
  const onlyKeyChecks = () => {
    const env: Record<string, string> = {};
    for (const r of resolve()) env[`KEYWATCH_CHECK_${r.check.id.toUpperCase()}_ENABLED`] = r.check.id === 'access_key_not_rotated' ? 'true' : 'false';
    return resolve(env);
  };

  it('when escalation is on and a key check is enabled, then authorization details are needed although no check declares them', () => {
    expect(neededData(onlyKeyChecks(), 'api')).toEqual(['access_keys', 'authorization_details']);
    expect(neededData(onlyKeyChecks(), 'credential_report')).toEqual(['access_keys', 'authorization_details']);
  });

  it('when escalation is off, then authorization details are needed only by user_admin_with_access_key', () => {
    expect(neededData(onlyKeyChecks(), 'api', { riskEscalation: false })).toEqual(['access_keys']);
    expect(neededData(resolve(), 'api', { riskEscalation: false })).toContain('authorization_details');
    const withoutAdminCheck = resolve({ KEYWATCH_CHECK_USER_ADMIN_WITH_ACCESS_KEY_ENABLED: 'false' });
    expect(neededData(withoutAdminCheck, 'api', { riskEscalation: false })).not.toContain('authorization_details');
  });
});
