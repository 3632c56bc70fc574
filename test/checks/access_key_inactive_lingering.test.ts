import { accessKeyInactiveLingering as check } from '../../src/checks/access_key_inactive_lingering';
import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { NOW, aKey, aSnapshot, aUser, userArn } from '../factories/snapshot';

const run = (keys: ReturnType<typeof aKey>[], overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'bob', keys })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('access_key_inactive_lingering', () => {
  it.each([29, 30])('when an inactive key is %i days old, then it passes', (ageDays) => {
    expect(run([aKey({ status: 'Inactive', ageDays })])).toEqual([]);
  });

  it('when an inactive key is 31 days old, then it fails with low severity', () => {
    const key = aKey({ id: 'AKIAOFF', status: 'Inactive', ageDays: 31 });
    const [f] = run([key]);
    expect(f).toMatchObject({
      checkId: 'access_key_inactive_lingering',
      severity: 'low',
      resourceType: 'access_key',
      resourceId: 'AKIAOFF',
      userName: 'bob',
      userArn: userArn('bob'),
    });
    expect(f.message).toContain('Inactive access key AKIAOFF of user bob');
    expect(f.message).toContain('(limit 30 days)');
    expect(f.evidence.durable).toEqual({ status: 'Inactive', created_date: key.createdAt.toISOString(), limit_days: 30 });
  });

  it('when an active key is 400 days old, then it passes (rotation is another check)', () => {
    expect(run([aKey({ status: 'Active', ageDays: 400 })])).toEqual([]);
  });

  it('when max_inactive_days is 7 and severity medium, then an 8-day-old inactive key fails as medium', () => {
    const findings = run([aKey({ status: 'Inactive', ageDays: 8 })], { max_inactive_days: 7, severity: 'medium' });
    expect(findings.map((f) => f.severity)).toEqual(['medium']);
    expect(run([aKey({ status: 'Inactive', ageDays: 7 })], { max_inactive_days: 7 })).toEqual([]);
  });

  it('when last use was not collected, then volatile evidence is empty', () => {
    const [f] = run([aKey({ status: 'Inactive', ageDays: 60, lastUsedDaysAgo: undefined })]);
    expect(f.evidence.volatile).toEqual({});
  });

  it('when declared, then it needs only access keys', () => {
    expect(check.needs).toEqual(['access_keys']);
  });
});
