import { canaryKeyUsed as check } from '../../src/checks/canary_key_used';
import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { NOW, aKey, aSnapshot, aUser, userArn } from '../factories/snapshot';

const run = (keys: ReturnType<typeof aKey>[], overrides: Settings) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'canary', keys })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('canary_key_used', () => {
  it('when declared, then it is off by default with no canaries and critical severity', () => {
    expect(check.enabledByDefault).toBe(false);
    expect(defaultSettings(check)).toEqual({ canary_key_ids: [], severity: 'critical' });
  });

  it('when no canary ids are configured, then even used keys pass', () => {
    expect(run([aKey({ lastUsedDaysAgo: 1 })], {})).toEqual([]);
  });

  it('when a listed active key was used, then it fails as critical with last use in volatile evidence', () => {
    const key = aKey({ id: 'AKIACANARY', ageDays: 200, lastUsedDaysAgo: 400, lastUsedService: 'sts', lastUsedRegion: 'us-east-1' });
    const [f] = run([key], { canary_key_ids: ['AKIACANARY'] });
    expect(f).toMatchObject({
      checkId: 'canary_key_used',
      severity: 'critical',
      resourceType: 'access_key',
      resourceId: 'AKIACANARY',
      userName: 'canary',
      userArn: userArn('canary'),
    });
    expect(f.message).toContain(`Canary access key AKIACANARY of user canary was used on ${key.lastUsedAt!.toISOString()} (sts in us-east-1)`);
    expect(f.evidence.durable).toEqual({
      status: 'Active',
      created_date: key.createdAt.toISOString(),
      canary: true,
      ever_used: true,
    });
    expect(f.evidence.volatile).toEqual({
      last_used_date: key.lastUsedAt!.toISOString(),
      last_used_service: 'sts',
      last_used_region: 'us-east-1',
    });
  });

  it('when a listed inactive key was used, then it fails too', () => {
    const findings = run([aKey({ id: 'AKIACANARY', status: 'Inactive', lastUsedDaysAgo: 5 })], { canary_key_ids: ['AKIACANARY'] });
    expect(findings).toHaveLength(1);
    expect(findings[0].evidence.durable.status).toBe('Inactive');
  });

  it('when a listed key was never used, then it passes', () => {
    expect(run([aKey({ id: 'AKIACANARY', lastUsedDaysAgo: null })], { canary_key_ids: ['AKIACANARY'] })).toEqual([]);
  });

  it('when a listed key\'s last use was not collected, then it produces no finding', () => {
    expect(run([aKey({ id: 'AKIACANARY', lastUsedDaysAgo: undefined })], { canary_key_ids: ['AKIACANARY'] })).toEqual([]);
  });

  it('when a used key is not listed, then it passes', () => {
    expect(run([aKey({ id: 'AKIAREAL', lastUsedDaysAgo: 0 })], { canary_key_ids: ['AKIACANARY'] })).toEqual([]);
  });

  it('when the listed id differs in case or whitespace, then it still matches', () => {
    expect(run([aKey({ id: 'AKIACANARY', lastUsedDaysAgo: 0 })], { canary_key_ids: [' akiacanary '] })).toHaveLength(1);
  });

  it('when severity is set to high, then the finding is high', () => {
    const [f] = run([aKey({ id: 'AKIACANARY', lastUsedDaysAgo: 0 })], { canary_key_ids: ['AKIACANARY'], severity: 'high' });
    expect(f.severity).toBe('high');
  });

  it('when declared, then it needs access keys and key last use', () => {
    expect(check.needs).toEqual(['access_keys', 'key_last_used']);
  });
});
