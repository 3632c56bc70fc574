import { rootRecentlyUsed as check } from '../../src/checks/root_recently_used';
import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { ACCOUNT_ID, NOW, aRoot, aSnapshot, daysAgo, type RootOptions } from '../factories/snapshot';

const run = (root: RootOptions, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ root: aRoot(root) }), { ...defaultSettings(check), ...overrides }, NOW);

describe('root_recently_used', () => {
  it.each([0, 6, 7])('when the root password was used %i days ago, then it fails as high', (days) => {
    const [f] = run({ passwordLastUsedDaysAgo: days });
    expect(f).toMatchObject({ severity: 'high', evidence: { durable: { password_used_in_window: true } } });
  });

  it('when the root password was used 8 days ago, then it passes', () => {
    expect(run({ passwordLastUsedDaysAgo: 8 })).toEqual([]);
  });

  it.each([6, 7])('when a root access key was used %i days ago, then it fails', (days) => {
    expect(run({ accessKeyLastUsedDaysAgo: days })[0].evidence.durable).toEqual({
      window_days: 7,
      password_used_in_window: false,
      access_key_used_in_window: true,
    });
  });

  it('when a root access key was used 8 days ago, then it passes', () => {
    expect(run({ accessKeyLastUsedDaysAgo: 8 })).toEqual([]);
  });

  it('when root was never used, then it passes', () => {
    expect(run({ passwordLastUsedDaysAgo: null, accessKeyLastUsedDaysAgo: null })).toEqual([]);
  });

  it('when root last use is unknown (api source), then it produces no finding', () => {
    expect(run({ passwordLastUsedDaysAgo: undefined, accessKeyLastUsedDaysAgo: undefined })).toEqual([]);
  });

  it('when root was not collected, then it produces no finding', () => {
    expect(check.evaluate(aSnapshot({ root: undefined }), defaultSettings(check), NOW)).toEqual([]);
  });

  it('when both were used in the window, then one root finding names both and keeps dates volatile', () => {
    const [f] = run({ passwordLastUsedDaysAgo: 2, accessKeyLastUsedDaysAgo: 5 });
    expect(f).toMatchObject({
      checkId: 'root_recently_used',
      resourceType: 'root',
      resourceId: 'root',
      userName: '<root_account>',
      userArn: `arn:aws:iam::${ACCOUNT_ID}:root`,
    });
    expect(f.message).toContain(`used its password on ${daysAgo(2).toISOString()} and an access key on ${daysAgo(5).toISOString()}`);
    expect(f.evidence.durable).toEqual({ window_days: 7, password_used_in_window: true, access_key_used_in_window: true });
    expect(f.evidence.volatile).toEqual({
      password_last_used: daysAgo(2).toISOString(),
      access_key_last_used: daysAgo(5).toISOString(),
    });
  });

  it('when the password is recent but the key is old, then volatile evidence still shows both last uses', () => {
    const [f] = run({ passwordLastUsedDaysAgo: 1, accessKeyLastUsedDaysAgo: 100 });
    expect(f.evidence.durable.access_key_used_in_window).toBe(false);
    expect(f.evidence.volatile.access_key_last_used).toBe(daysAgo(100).toISOString());
  });

  it('when window_days is 30 and severity critical, then a use 30 days ago fails as critical and 31 passes', () => {
    const s = { window_days: 30, severity: 'critical' };
    expect(run({ passwordLastUsedDaysAgo: 30 }, s)[0].severity).toBe('critical');
    expect(run({ passwordLastUsedDaysAgo: 31 }, s)).toEqual([]);
  });

  it('when declared, then it needs root last use', () => {
    expect(check.needs).toEqual(['root_last_used']);
  });
});
