import { accessKeyUnused as check } from '../../src/checks/access_key_unused';
import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { NOW, aKey, aSnapshot, aUser, userArn } from '../factories/snapshot';

const run = (keys: ReturnType<typeof aKey>[], overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'alice', keys })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('access_key_unused', () => {
  it.each([44, 45])('when an active key was last used %i days ago, then it passes', (days) => {
    expect(run([aKey({ ageDays: 300, lastUsedDaysAgo: days })])).toEqual([]);
  });

  it('when an active key was last used 46 days ago, then it fails with medium severity', () => {
    const [f] = run([aKey({ id: 'AKIAIDLE', ageDays: 300, lastUsedDaysAgo: 46 })]);
    expect(f).toMatchObject({
      checkId: 'access_key_unused',
      severity: 'medium',
      resourceType: 'access_key',
      resourceId: 'AKIAIDLE',
      userName: 'alice',
      userArn: userArn('alice'),
    });
    expect(f.message).toContain('Access key AKIAIDLE of user alice has not been used for 46 days (limit 45 days)');
  });

  it.each([44, 45])('when a never-used key is %i days old, then it passes', (ageDays) => {
    expect(run([aKey({ ageDays, lastUsedDaysAgo: null })])).toEqual([]);
  });

  it('when a never-used key is 46 days old, then it fails and says it was never used', () => {
    const [f] = run([aKey({ ageDays: 46, lastUsedDaysAgo: null })]);
    expect(f.message).toContain('was created 46 days ago and has never been used');
    expect(f.evidence.durable.never_used).toBe(true);
  });

  it('when an old key was used recently, then it passes (last use is the reference, not creation)', () => {
    expect(run([aKey({ ageDays: 1000, lastUsedDaysAgo: 3 })])).toEqual([]);
  });

  it('when an inactive key was not used for 200 days, then it passes', () => {
    expect(run([aKey({ status: 'Inactive', ageDays: 300, lastUsedDaysAgo: 200 })])).toEqual([]);
  });

  it('when last use was not collected (undefined), then the key cannot be evaluated and produces no finding', () => {
    expect(run([aKey({ ageDays: 300, lastUsedDaysAgo: undefined })])).toEqual([]);
  });

  it('when a key fails, then durable evidence holds state and limit while last use is volatile', () => {
    const key = aKey({ ageDays: 300, lastUsedDaysAgo: 60, lastUsedService: 'ec2', lastUsedRegion: 'eu-central-1' });
    const [f] = run([key]);
    expect(f.evidence.durable).toEqual({
      status: 'Active',
      created_date: key.createdAt.toISOString(),
      never_used: false,
      limit_days: 45,
    });
    expect(f.evidence.volatile).toEqual({
      last_used_date: key.lastUsedAt!.toISOString(),
      last_used_service: 'ec2',
      last_used_region: 'eu-central-1',
    });
  });

  it('when max_unused_days is 90, then 90 days passes and 91 fails', () => {
    expect(run([aKey({ ageDays: 300, lastUsedDaysAgo: 90 })], { max_unused_days: 90 })).toEqual([]);
    expect(run([aKey({ ageDays: 300, lastUsedDaysAgo: 91 })], { max_unused_days: 90 })).toHaveLength(1);
  });

  it('when severity is set to high, then findings are high', () => {
    expect(run([aKey({ ageDays: 300, lastUsedDaysAgo: 100 })], { severity: 'high' })[0].severity).toBe('high');
  });

  it('when declared, then it needs access keys and key last use', () => {
    expect(check.needs).toEqual(['access_keys', 'key_last_used']);
  });
});
