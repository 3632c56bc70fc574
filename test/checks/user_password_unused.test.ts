import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { userPasswordUnused as check } from '../../src/checks/user_password_unused';
import { NOW, aLoginProfile, aSnapshot, aUser, userArn } from '../factories/snapshot';
import type { LoginProfileSnapshot } from '../../src/domain/snapshot';

const run = (loginProfile: LoginProfileSnapshot | null | undefined, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'erin', loginProfile })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('user_password_unused', () => {
  it.each([44, 45])('when the password was last used %i days ago, then it passes', (days) => {
    expect(run(aLoginProfile({ ageDays: 300, lastUsedDaysAgo: days }))).toEqual([]);
  });

  it('when the password was last used 46 days ago, then it fails with medium severity', () => {
    const profile = aLoginProfile({ ageDays: 300, lastUsedDaysAgo: 46 });
    const [f] = run(profile);
    expect(f).toMatchObject({
      checkId: 'user_password_unused',
      severity: 'medium',
      resourceType: 'user',
      resourceId: userArn('erin'),
      userName: 'erin',
      userArn: userArn('erin'),
    });
    expect(f.message).toContain('The console password of user erin has not been used for 46 days (limit 45 days)');
    expect(f.evidence.durable).toEqual({
      has_console_password: true,
      password_created_date: profile.createdAt.toISOString(),
      never_used: false,
      limit_days: 45,
    });
    expect(f.evidence.volatile).toEqual({ password_last_used: profile.passwordLastUsedAt!.toISOString() });
  });

  it.each([44, 45])('when a never-used password was set %i days ago, then it passes', (ageDays) => {
    expect(run(aLoginProfile({ ageDays, lastUsedDaysAgo: null }))).toEqual([]);
  });

  it('when a never-used password was set 46 days ago, then it fails and says it was never used', () => {
    const [f] = run(aLoginProfile({ ageDays: 46, lastUsedDaysAgo: null }));
    expect(f.message).toContain('was set 46 days ago and has never been used');
    expect(f.evidence.durable.never_used).toBe(true);
    expect(f.evidence.volatile).toEqual({ password_last_used: null });
  });

  it('when the user has no console password, then it passes', () => {
    expect(run(null)).toEqual([]);
  });

  it('when the login profile was not collected, then the user produces no finding', () => {
    expect(run(undefined)).toEqual([]);
  });

  it('when password last use is unknown to the source, then the user produces no finding', () => {
    expect(run(aLoginProfile({ ageDays: 300, lastUsedDaysAgo: undefined }))).toEqual([]);
  });

  it('when max_unused_days is 30 and severity low, then 31 days fails as low', () => {
    const s = { max_unused_days: 30, severity: 'low' };
    expect(run(aLoginProfile({ lastUsedDaysAgo: 30 }), s)).toEqual([]);
    expect(run(aLoginProfile({ lastUsedDaysAgo: 31 }), s)[0].severity).toBe('low');
  });

  it('when declared, then it needs login profiles', () => {
    expect(check.needs).toEqual(['login_profiles']);
  });
});
