import { accessKeyNotRotated as check } from '../../src/checks/access_key_not_rotated';
import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { DAY_MS, NOW, aKey, aSnapshot, aUser, userArn } from '../factories/snapshot';

const run = (keys: ReturnType<typeof aKey>[], overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'alice', keys })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('access_key_not_rotated', () => {
  it.each([89, 90])('when an active key is %i days old, then it passes', (ageDays) => {
    expect(run([aKey({ ageDays })])).toEqual([]);
  });

  it.each([91, 364, 365])('when an active key is %i days old, then it fails with medium severity and limit 90', (ageDays) => {
    const [f] = run([aKey({ ageDays })]);
    expect(f).toMatchObject({ severity: 'medium', evidence: { durable: { limit_days: 90 } } });
  });

  it('when an active key is 366 days old, then it fails with high severity and limit 365', () => {
    const [f] = run([aKey({ ageDays: 366 })]);
    expect(f).toMatchObject({ severity: 'high', evidence: { durable: { limit_days: 365 } } });
  });

  it('when a key is one millisecond short of 91 days old, then it is past the 90-day limit (elapsed time, not whole days) and fails', () => {
    const key = { ...aKey(), createdAt: new Date(NOW.getTime() - 91 * DAY_MS + 1) };
    expect(run([key])).toMatchObject([{ severity: 'medium', evidence: { durable: { limit_days: 90 } } }]);
  });

  it('when an inactive key is 400 days old, then it passes (not this check\'s concern)', () => {
    expect(run([aKey({ ageDays: 400, status: 'Inactive' })])).toEqual([]);
  });

  it('when a key fails, then the finding names the key, the user, the age and the limit', () => {
    const [f] = run([aKey({ id: 'AKIAOLD', ageDays: 120 })]);
    expect(f).toMatchObject({
      checkId: 'access_key_not_rotated',
      resourceType: 'access_key',
      resourceId: 'AKIAOLD',
      userName: 'alice',
      userArn: userArn('alice'),
    });
    expect(f.message).toBe(
      'Access key AKIAOLD of user alice is 120 days old (limit 90 days). Rotate it: create a new key, switch callers, deactivate and delete the old one.',
    );
  });

  it('when a key fails, then durable evidence holds status, creation date and limit only, and last use is volatile', () => {
    const key = aKey({ ageDays: 120, lastUsedDaysAgo: 2, lastUsedService: 'iam', lastUsedRegion: 'us-east-1' });
    const [f] = run([key]);
    expect(f.evidence.durable).toEqual({ status: 'Active', created_date: key.createdAt.toISOString(), limit_days: 90 });
    expect(f.evidence.volatile).toEqual({
      last_used_date: key.lastUsedAt!.toISOString(),
      last_used_service: 'iam',
      last_used_region: 'us-east-1',
    });
  });

  it('when a failing key was never used, then volatile evidence records a null last use', () => {
    const [f] = run([aKey({ ageDays: 120, lastUsedDaysAgo: null })]);
    expect(f.evidence.volatile).toEqual({ last_used_date: null, last_used_service: null, last_used_region: null });
  });

  it('when last use was not collected, then the key is still evaluated and volatile evidence is empty', () => {
    const [f] = run([aKey({ ageDays: 120, lastUsedDaysAgo: undefined })]);
    expect(f.evidence.volatile).toEqual({});
  });

  it('when max_age_days is 120, then a 120-day-old key passes and a 121-day-old key fails', () => {
    expect(run([aKey({ ageDays: 120 })], { max_age_days: 120 })).toEqual([]);
    expect(run([aKey({ ageDays: 121 })], { max_age_days: 120 })).toHaveLength(1);
  });

  it('when high_after_days is 180, then a 181-day-old key is high', () => {
    const [f] = run([aKey({ ageDays: 181 })], { high_after_days: 180 });
    expect(f.severity).toBe('high');
  });

  it('when severity settings are overridden, then findings use them', () => {
    const findings = run([aKey({ ageDays: 100 }), aKey({ ageDays: 500 })], { severity: 'low', high_severity: 'critical' });
    expect(findings.map((f) => f.severity)).toEqual(['low', 'critical']);
  });

  it('when high_after_days is below max_age_days, then every failing key is high and keys under max_age_days pass', () => {
    const s = { max_age_days: 400, high_after_days: 365 };
    expect(run([aKey({ ageDays: 380 })], s)).toEqual([]);
    expect(run([aKey({ ageDays: 401 })], s)[0]).toMatchObject({ severity: 'high', evidence: { durable: { limit_days: 365 } } });
  });

  it('when settings are empty, then the defaults apply', () => {
    const snapshot = aSnapshot({ users: [aUser({ keys: [aKey({ ageDays: 91 })] })] });
    expect(check.evaluate(snapshot, {}, NOW)[0].severity).toBe('medium');
  });

  it('when several users have old keys, then there is one finding per key in snapshot order', () => {
    const snapshot = aSnapshot({
      users: [
        aUser({ name: 'alice', keys: [aKey({ id: 'AKIA1', ageDays: 100 }), aKey({ id: 'AKIA2', ageDays: 10 })] }),
        aUser({ name: 'bob', keys: [aKey({ id: 'AKIA3', ageDays: 200 })] }),
      ],
    });
    const findings = check.evaluate(snapshot, defaultSettings(check), NOW);
    expect(findings.map((f) => [f.resourceId, f.userName])).toEqual([
      ['AKIA1', 'alice'],
      ['AKIA3', 'bob'],
    ]);
  });

  it('when declared, then it needs only the access key listing', () => {
    expect(check.needs).toEqual(['access_keys']);
  });
});
