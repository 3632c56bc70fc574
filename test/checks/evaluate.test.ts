import { evaluateChecks, neededData } from '../../src/checks/evaluate';
import { resolveChecks, type ResolvedCheck } from '../../src/checks/settings';
import { NOW, aKey, aLoginProfile, aRoot, aSnapshot, aUser } from '../factories/snapshot';

const resolve = (env: Record<string, string> = {}): ResolvedCheck[] => {
  const { checks, errors } = resolveChecks(env);
  expect(errors).toEqual([]);
  return checks;
};

describe('evaluateChecks', () => {
  it('when the snapshot is healthy, then there are no findings and nothing is skipped (credential report)', () => {
    const snapshot = aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: 10, lastUsedDaysAgo: 1 })] })] });
    expect(evaluateChecks(snapshot, resolve(), NOW)).toEqual({ findings: [], skipped: [] });
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
    expect(skipped).toEqual([]);
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
      { checkId: 'root_access_key', reason: 'root account summary was not collected in this snapshot' },
      { checkId: 'root_mfa_disabled', reason: 'root account summary was not collected in this snapshot' },
      { checkId: 'root_recently_used', reason: 'root last use was not collected in this snapshot' },
    ]);
  });

  it('when the password policy was not collected, then password_policy_weak is skipped', () => {
    const { skipped } = evaluateChecks(aSnapshot({ passwordPolicy: undefined }), resolve(), NOW);
    expect(skipped.map((s) => s.checkId)).toEqual(['password_policy_weak']);
  });

  it('when no key has last-use data, then the checks that need it are skipped', () => {
    const snapshot = aSnapshot({ users: [aUser({ keys: [aKey({ lastUsedDaysAgo: undefined })] })] });
    const { skipped } = evaluateChecks(snapshot, resolve({ KEYWATCH_CHECK_CANARY_KEY_USED_ENABLED: 'true' }), NOW);
    expect(skipped).toEqual([
      { checkId: 'access_key_unused', reason: 'access key last use was not collected in this snapshot' },
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
    ]);
  });

  it('when the account has no users, then per-user checks run (and find nothing) instead of being skipped', () => {
    expect(evaluateChecks(aSnapshot({ users: [] }), resolve(), NOW)).toEqual({ findings: [], skipped: [] });
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
    ]);
  });

  it('when all default checks are enabled on the credential report, then it needs everything', () => {
    expect(neededData(resolve(), 'credential_report')).toEqual([
      'access_keys',
      'key_last_used',
      'login_profiles',
      'mfa_devices',
      'root_account',
      'root_last_used',
      'password_policy',
    ]);
  });

  it('when the only check needing key last use is disabled, then key last use is not needed', () => {
    expect(neededData(resolve({ KEYWATCH_CHECK_ACCESS_KEY_UNUSED_ENABLED: 'false' }), 'api')).not.toContain('key_last_used');
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
    expect(neededData(resolve(env), 'credential_report')).toEqual(['root_account', 'root_last_used']);
    expect(neededData(resolve(env), 'api')).toEqual(['root_account']);
  });

  it('when every check is disabled, then nothing is needed', () => {
    expect(neededData(resolve().map((r) => ({ ...r, enabled: false })), 'api')).toEqual([]);
  });
});
