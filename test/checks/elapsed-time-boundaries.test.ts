/**
 * "Older than N days" means now − date > N × 24 h for every time setting (issue: a key 90 days and
 * 17 hours old used to pass a 90-day limit because ages were whole days rounded down). Each
 * time-limited check is tried at N days minus a minute, exactly N days, and N days plus a minute.
 */
import { accessKeyInactiveLingering } from '../../src/checks/access_key_inactive_lingering';
import { accessKeyNotRotated } from '../../src/checks/access_key_not_rotated';
import { accessKeyUnused } from '../../src/checks/access_key_unused';
import { rootRecentlyUsed } from '../../src/checks/root_recently_used';
import { defaultSettings } from '../../src/checks/settings';
import type { CheckDefinition } from '../../src/checks/types';
import { userPasswordUnused } from '../../src/checks/user_password_unused';
import type { IamSnapshot } from '../../src/domain/snapshot';
import { NOW, aKey, aLoginProfile, aRoot, aSnapshot, aUser } from '../factories/snapshot';

const MINUTE_IN_DAYS = 1 / 1440;

/** Runs a check over a snapshot built for one elapsed time (in days, fractions allowed). */
const fails = (check: CheckDefinition, snapshot: IamSnapshot): boolean =>
  check.evaluate(snapshot, defaultSettings(check), NOW).length > 0;

const cases: { check: CheckDefinition; limit: number; at: (days: number) => IamSnapshot; olderFails: boolean }[] = [
  {
    check: accessKeyNotRotated,
    limit: 90,
    at: (days) => aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: days })] })] }),
    olderFails: true,
  },
  {
    check: accessKeyUnused,
    limit: 45,
    at: (days) => aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: 400, lastUsedDaysAgo: days })] })] }),
    olderFails: true,
  },
  {
    check: accessKeyInactiveLingering,
    limit: 30,
    at: (days) => aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: days, status: 'Inactive' })] })] }),
    olderFails: true,
  },
  {
    check: userPasswordUnused,
    limit: 45,
    at: (days) => aSnapshot({ users: [aUser({ loginProfile: aLoginProfile({ ageDays: 400, lastUsedDaysAgo: days }) })] }),
    olderFails: true,
  },
  {
    // "used within N days": the opposite direction.
    check: rootRecentlyUsed,
    limit: 7,
    at: (days) => aSnapshot({ root: aRoot({ passwordLastUsedDaysAgo: days }) }),
    olderFails: false,
  },
];

describe.each(cases)('elapsed-time limits of $check.id (limit $limit days)', ({ check, limit, at, olderFails }) => {
  it(`when the time is ${limit} days minus a minute, then it ${olderFails ? 'passes' : 'fails'}`, () => {
    expect(fails(check, at(limit - MINUTE_IN_DAYS))).toBe(!olderFails);
  });

  it(`when the time is exactly ${limit} days, then it ${olderFails ? 'passes' : 'fails'}`, () => {
    expect(fails(check, at(limit))).toBe(!olderFails);
  });

  it(`when the time is ${limit} days plus a minute, then it ${olderFails ? 'fails' : 'passes'}`, () => {
    expect(fails(check, at(limit + MINUTE_IN_DAYS))).toBe(olderFails);
  });
});

describe('elapsed time in messages', () => {
  it('when a key is 90 days and 17 hours old, then it fails a 90-day limit and the message says "more than 90 days"', () => {
    const [f] = accessKeyNotRotated.evaluate(
      aSnapshot({ users: [aUser({ name: 'alice', keys: [aKey({ id: 'AKIAEDGE', ageDays: 90 + 17 / 24 })] })] }),
      defaultSettings(accessKeyNotRotated),
      NOW,
    );
    expect(f?.message).toMatch(/^Access key AKIAEDGE of user alice is more than 90 days old \(limit 90 days\)\./);
  });

  it('when a key is 365 days and a minute old, then it is past the high limit and reported high', () => {
    const [f] = accessKeyNotRotated.evaluate(
      aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: 365 + MINUTE_IN_DAYS })] })] }),
      defaultSettings(accessKeyNotRotated),
      NOW,
    );
    expect(f).toMatchObject({ severity: 'high', evidence: { durable: { limit_days: 365 } } });
  });
});
