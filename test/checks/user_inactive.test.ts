import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { userInactive as check } from '../../src/checks/user_inactive';
import type { UserSnapshot } from '../../src/domain/snapshot';
import { NOW, aKey, aLoginProfile, aSnapshot, aUser, daysAgo, userArn } from '../factories/snapshot';

const MINUTE_IN_DAYS = 1 / 1440;

const run = (users: UserSnapshot[], overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users }), { ...defaultSettings(check), ...overrides }, NOW);

describe('user_inactive', () => {
  describe('boundaries at 90 days (elapsed time)', () => {
    it.each([
      ['90 days minus a minute', 90 - MINUTE_IN_DAYS, false],
      ['exactly 90 days', 90, false],
      ['90 days plus a minute', 90 + MINUTE_IN_DAYS, true],
    ])('when the password was last used %s ago and no key exists, then it %s', (_label, days, fails) => {
      const user = aUser({ loginProfile: aLoginProfile({ ageDays: 400, lastUsedDaysAgo: days }) });
      expect(run([user])).toHaveLength(fails ? 1 : 0);
    });

    it.each([
      ['90 days minus a minute', 90 - MINUTE_IN_DAYS, false],
      ['exactly 90 days', 90, false],
      ['90 days plus a minute', 90 + MINUTE_IN_DAYS, true],
    ])('when the only key was last used %s ago and there is no password, then it %s', (_label, days, fails) => {
      expect(run([aUser({ keys: [aKey({ ageDays: 400, lastUsedDaysAgo: days })] })])).toHaveLength(fails ? 1 : 0);
    });

    it.each([
      ['90 days minus a minute', 90 - MINUTE_IN_DAYS, false],
      ['exactly 90 days', 90, false],
      ['90 days plus a minute', 90 + MINUTE_IN_DAYS, true],
    ])('when a user created %s ago never used anything, then it %s (counted from creation)', (_label, days, fails) => {
      const user = aUser({ ageDays: days, loginProfile: aLoginProfile({ ageDays: days, lastUsedDaysAgo: null }), keys: [aKey({ ageDays: days, lastUsedDaysAgo: null })] });
      expect(run([user])).toHaveLength(fails ? 1 : 0);
    });
  });

  it('when the password is old but one of the keys was used yesterday, then it passes (the latest use counts)', () => {
    const user = aUser({
      loginProfile: aLoginProfile({ lastUsedDaysAgo: 300 }),
      keys: [aKey({ ageDays: 400, lastUsedDaysAgo: 200 }), aKey({ ageDays: 400, lastUsedDaysAgo: 1 })],
    });
    expect(run([user])).toEqual([]);
  });

  it('when an inactive key was used recently, then it passes (any use is activity)', () => {
    expect(run([aUser({ keys: [aKey({ status: 'Inactive', ageDays: 400, lastUsedDaysAgo: 5 })] })])).toEqual([]);
  });

  it('when a user last used a key 120 days ago, then it fails with medium severity naming what was used last', () => {
    const user = aUser({
      name: 'dave',
      loginProfile: aLoginProfile({ ageDays: 400, lastUsedDaysAgo: 150 }),
      keys: [aKey({ id: 'AKIALAST', ageDays: 400, lastUsedDaysAgo: 120 })],
    });
    const [f] = run([user]);
    expect(f).toEqual({
      checkId: 'user_inactive',
      severity: 'medium',
      resourceType: 'user',
      resourceId: userArn('dave'),
      userName: 'dave',
      userArn: userArn('dave'),
      message:
        'User dave has not used a console password or an access key for 120 days (last: its access key AKIALAST) (limit 90 days). ' +
        'If nobody needs it, remove its credentials and delete the user.',
      evidence: {
        durable: { never_used: false, user_created_date: daysAgo(400).toISOString(), limit_days: 90 },
        volatile: { last_activity_date: daysAgo(120).toISOString(), last_activity: 'access key AKIALAST' },
      },
    });
  });

  it('when a user with neither password nor keys was created 200 days ago, then it fails as never used, counted from its creation', () => {
    const [f] = run([aUser({ name: 'ghost', ageDays: 200 })]);
    expect(f.message).toBe(
      'User ghost has no recorded use of a console password or an access key since it was created, 200 days ago (limit 90 days). ' +
        'If nobody needs it, remove its credentials and delete the user.',
    );
    expect(f.evidence).toEqual({
      durable: { never_used: true, user_created_date: daysAgo(200).toISOString(), limit_days: 90 },
      volatile: { last_activity_date: null, last_activity: null },
    });
  });

  it('when an old user got a new key 10 days ago that is not used yet (a rotation erases the old key\'s last use), then it passes', () => {
    expect(run([aUser({ ageDays: 400, keys: [aKey({ ageDays: 10, lastUsedDaysAgo: null })] })])).toEqual([]);
  });

  it('when an old user\'s only key was created 100 days ago and never used, then it fails counted from the key\'s creation', () => {
    const [f] = run([aUser({ name: 'ivy', ageDays: 400, keys: [aKey({ id: 'AKIANEVER', ageDays: 100, lastUsedDaysAgo: null })] })]);
    expect(f.message).toContain('User ivy has no recorded use of a console password or an access key since its access key AKIANEVER was created, 100 days ago');
    expect(f.evidence.durable.never_used).toBe(true);
  });

  it('when a key used 200 days ago sits beside a never-used key created 120 days ago, then it fails from the newer key\'s creation and keeps the last use as evidence', () => {
    const user = aUser({
      name: 'jo',
      keys: [aKey({ id: 'AKIAUSED', ageDays: 400, lastUsedDaysAgo: 200 }), aKey({ id: 'AKIANEW', ageDays: 120, lastUsedDaysAgo: null })],
    });
    const [f] = run([user]);
    expect(f.message).toContain('since its access key AKIANEW was created, 120 days ago');
    expect(f.evidence).toMatchObject({
      durable: { never_used: false },
      volatile: { last_activity_date: daysAgo(200).toISOString(), last_activity: 'access key AKIAUSED' },
    });
    const fresh = aUser({ keys: [aKey({ ageDays: 400, lastUsedDaysAgo: 200 }), aKey({ ageDays: 10, lastUsedDaysAgo: null })] });
    expect(run([fresh])).toEqual([]);
  });

  it('when login profiles were not collected, then the user cannot be evaluated and produces no finding', () => {
    expect(run([aUser({ ageDays: 400, loginProfile: undefined })])).toEqual([]);
  });

  it('when the password exists but its last use is unknown, then the user produces no finding', () => {
    expect(run([aUser({ ageDays: 400, loginProfile: aLoginProfile({ lastUsedDaysAgo: undefined }) })])).toEqual([]);
  });

  it("when one key's last use was not collected, then the user produces no finding (it might be the recent one)", () => {
    const user = aUser({ keys: [aKey({ ageDays: 400, lastUsedDaysAgo: 300 }), aKey({ ageDays: 400, lastUsedDaysAgo: undefined })] });
    expect(run([user])).toEqual([]);
  });

  it('when max_inactive_days is 30 and severity low, then 31 idle days fail as low', () => {
    const user = aUser({ keys: [aKey({ ageDays: 400, lastUsedDaysAgo: 31 })] });
    expect(run([user])).toEqual([]);
    expect(run([user], { max_inactive_days: 30, severity: 'low' })).toMatchObject([{ severity: 'low', evidence: { durable: { limit_days: 30 } } }]);
  });

  it('when a finding is evaluated a day later, then its durable evidence is unchanged (only last activity is volatile)', () => {
    const user = aUser({ keys: [aKey({ ageDays: 400, lastUsedDaysAgo: 120 })] });
    const later = new Date(NOW.getTime() + 86_400_000);
    const settings = defaultSettings(check);
    expect(check.evaluate(aSnapshot({ users: [user] }), settings, later)[0].evidence.durable).toEqual(run([user])[0].evidence.durable);
  });

  it('when declared, then it needs keys, key last use and login profiles, and is weighed by privilege', () => {
    expect(check.needs).toEqual(['access_keys', 'key_last_used', 'login_profiles']);
    expect(check.weighedByPrivilege).toBe(true);
    expect(defaultSettings(check)).toEqual({ max_inactive_days: 90, severity: 'medium' });
  });
});
