import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { userMultipleActiveKeys as check } from '../../src/checks/user_multiple_active_keys';
import { NOW, aKey, aSnapshot, aUser, userArn } from '../factories/snapshot';

const run = (keys: ReturnType<typeof aKey>[], overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'carol', keys })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('user_multiple_active_keys', () => {
  it('when a user has no keys, then it passes', () => {
    expect(run([])).toEqual([]);
  });

  it('when a user has one active key, then it passes', () => {
    expect(run([aKey()])).toEqual([]);
  });

  it('when a user has one active and one inactive key, then it passes', () => {
    expect(run([aKey(), aKey({ status: 'Inactive' })])).toEqual([]);
  });

  it('when a user has two active keys, then it fails once for the user with medium severity', () => {
    const findings = run([aKey({ id: 'AKIAA' }), aKey({ id: 'AKIAB' })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      checkId: 'user_multiple_active_keys',
      severity: 'medium',
      resourceType: 'user',
      resourceId: userArn('carol'),
      userName: 'carol',
      userArn: userArn('carol'),
      evidence: { durable: { active_key_count: 2, active_key_ids: 'AKIAA,AKIAB' }, volatile: {} },
    });
    expect(findings[0].message).toContain('User carol has 2 active access keys (AKIAA, AKIAB)');
  });

  it('when severity is set to high, then the finding is high', () => {
    expect(run([aKey(), aKey()], { severity: 'high' })[0].severity).toBe('high');
  });

  it('when declared, then it needs only access keys', () => {
    expect(check.needs).toEqual(['access_keys']);
  });
});
