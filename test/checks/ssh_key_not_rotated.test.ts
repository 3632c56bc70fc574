import { defaultSettings } from '../../src/checks/settings';
import { sshKeyNotRotated as check } from '../../src/checks/ssh_key_not_rotated';
import type { Settings } from '../../src/checks/types';
import type { SshPublicKeySnapshot } from '../../src/domain/snapshot';
import { NOW, aSnapshot, aUser, anSshKey, daysAgo, userArn } from '../factories/snapshot';

const MINUTE_IN_DAYS = 1 / 1440;

const run = (keys: SshPublicKeySnapshot[] | undefined, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ source: 'api', users: [aUser({ name: 'erin', sshPublicKeys: keys })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('ssh_key_not_rotated', () => {
  it.each([
    ['90 days minus a minute', 90 - MINUTE_IN_DAYS, 0],
    ['exactly 90 days', 90, 0],
    ['90 days plus a minute', 90 + MINUTE_IN_DAYS, 1],
  ])('when an active SSH key was uploaded %s ago, then it yields %i finding(s)', (_label, days, count) => {
    expect(run([anSshKey({ ageDays: days })])).toHaveLength(count);
  });

  it('when an active SSH key is 120 days old, then it fails on the key with medium severity', () => {
    expect(run([anSshKey({ id: 'APKAOLD', ageDays: 120 })])).toEqual([
      {
        checkId: 'ssh_key_not_rotated',
        severity: 'medium',
        resourceType: 'ssh_key',
        resourceId: 'APKAOLD',
        userName: 'erin',
        userArn: userArn('erin'),
        message:
          'SSH public key APKAOLD of user erin was uploaded 120 days ago (limit 90 days). ' +
          'Upload a new key, switch Git clients to it, then deactivate and delete the old one.',
        evidence: { durable: { status: 'Active', upload_date: daysAgo(120).toISOString(), limit_days: 90 }, volatile: {} },
      },
    ]);
  });

  it('when an inactive SSH key is 400 days old, then it passes', () => {
    expect(run([anSshKey({ status: 'Inactive', ageDays: 400 })])).toEqual([]);
  });

  it('when a user has two old active keys, then each key is its own finding', () => {
    expect(run([anSshKey({ id: 'APKA1', ageDays: 100 }), anSshKey({ id: 'APKA2', ageDays: 200 })]).map((f) => f.resourceId)).toEqual(['APKA1', 'APKA2']);
  });

  it('when SSH keys were not collected, then it produces no finding', () => {
    expect(run(undefined)).toEqual([]);
  });

  it('when max_age_days is 180 and severity high, then a 181-day key fails as high and a 180-day key passes', () => {
    expect(run([anSshKey({ ageDays: 180 })], { max_age_days: 180 })).toEqual([]);
    expect(run([anSshKey({ ageDays: 181 })], { max_age_days: 180, severity: 'high' })).toMatchObject([{ severity: 'high' }]);
  });

  it('when declared, then it needs SSH keys (api source only) and is weighed by privilege', () => {
    expect(check.needs).toEqual(['ssh_keys']);
    expect(check.weighedByPrivilege).toBe(true);
    expect(defaultSettings(check)).toEqual({ max_age_days: 90, severity: 'medium' });
  });
});
