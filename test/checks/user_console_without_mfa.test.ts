import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { userConsoleWithoutMfa as check } from '../../src/checks/user_console_without_mfa';
import { NOW, aLoginProfile, aSnapshot, aUser, userArn, type UserOptions } from '../factories/snapshot';

const run = (user: UserOptions, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'dave', ...user })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('user_console_without_mfa', () => {
  it('when a user has a console password and no MFA device, then it fails with high severity', () => {
    const profile = aLoginProfile({ ageDays: 200, lastUsedDaysAgo: 3 });
    const [f] = run({ loginProfile: profile, mfaDeviceCount: 0 });
    expect(f).toMatchObject({
      checkId: 'user_console_without_mfa',
      severity: 'high',
      resourceType: 'user',
      resourceId: userArn('dave'),
      userName: 'dave',
      userArn: userArn('dave'),
    });
    expect(f.message).toContain('User dave has a console password but no MFA device');
    expect(f.evidence.durable).toEqual({
      has_console_password: true,
      has_mfa: false,
      mfa_device_count: 0,
      password_created_date: profile.createdAt.toISOString(),
    });
    expect(f.evidence.volatile).toEqual({ password_last_used: profile.passwordLastUsedAt!.toISOString() });
  });

  it('when a user has a console password and one MFA device, then it passes', () => {
    expect(run({ loginProfile: aLoginProfile(), mfaDeviceCount: 1 })).toEqual([]);
  });

  it('when a user has no console password and no MFA, then it passes', () => {
    expect(run({ loginProfile: null, mfaDeviceCount: 0 })).toEqual([]);
  });

  it('when login profiles were not collected, then the user produces no finding', () => {
    expect(run({ loginProfile: undefined, mfaDeviceCount: 0 })).toEqual([]);
  });

  it('when MFA devices were not collected, then the user produces no finding', () => {
    expect(run({ loginProfile: aLoginProfile(), mfaDeviceCount: undefined })).toEqual([]);
  });

  it('when the password was never used, then volatile evidence records null', () => {
    const [f] = run({ loginProfile: aLoginProfile({ lastUsedDaysAgo: null }), mfaDeviceCount: 0 });
    expect(f.evidence.volatile).toEqual({ password_last_used: null });
  });

  it('when password last use is unknown, then volatile evidence is empty', () => {
    const [f] = run({ loginProfile: aLoginProfile({ lastUsedDaysAgo: undefined }), mfaDeviceCount: 0 });
    expect(f.evidence.volatile).toEqual({});
  });

  it('when severity is set to critical, then the finding is critical', () => {
    expect(run({ loginProfile: aLoginProfile(), mfaDeviceCount: 0 }, { severity: 'critical' })[0].severity).toBe('critical');
  });

  it('when declared, then it needs login profiles and MFA devices', () => {
    expect(check.needs).toEqual(['login_profiles', 'mfa_devices']);
  });
});
