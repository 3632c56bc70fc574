import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import { userPasswordAndKeys as check } from '../../src/checks/user_password_and_keys';
import { NOW, aKey, aLoginProfile, aSnapshot, aUser, userArn, type UserOptions } from '../factories/snapshot';

const run = (user: UserOptions, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'frank', ...user })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('user_password_and_keys', () => {
  it('when a user has a console password and an active key, then it fails with low severity', () => {
    const [f] = run({ loginProfile: aLoginProfile(), keys: [aKey({ id: 'AKIAF1' })] });
    expect(f).toMatchObject({
      checkId: 'user_password_and_keys',
      severity: 'low',
      resourceType: 'user',
      resourceId: userArn('frank'),
      userName: 'frank',
      userArn: userArn('frank'),
      evidence: { durable: { has_console_password: true, active_key_count: 1, active_key_ids: 'AKIAF1' }, volatile: {} },
    });
    expect(f.message).toContain('User frank has a console password and an active access key (AKIAF1)');
  });

  it('when a user has a console password and only inactive keys, then it passes', () => {
    expect(run({ loginProfile: aLoginProfile(), keys: [aKey({ status: 'Inactive' })] })).toEqual([]);
  });

  it('when a user has active keys but no console password, then it passes', () => {
    expect(run({ loginProfile: null, keys: [aKey()] })).toEqual([]);
  });

  it('when a user has a console password and no keys, then it passes', () => {
    expect(run({ loginProfile: aLoginProfile(), keys: [] })).toEqual([]);
  });

  it('when the login profile was not collected, then the user produces no finding', () => {
    expect(run({ loginProfile: undefined, keys: [aKey()] })).toEqual([]);
  });

  it('when a user has two active keys, then both are listed', () => {
    const [f] = run({ loginProfile: aLoginProfile(), keys: [aKey({ id: 'AKIAF1' }), aKey({ id: 'AKIAF2' })] });
    expect(f.evidence.durable).toMatchObject({ active_key_count: 2, active_key_ids: 'AKIAF1,AKIAF2' });
  });

  it('when severity is set to medium, then the finding is medium', () => {
    expect(run({ loginProfile: aLoginProfile(), keys: [aKey()] }, { severity: 'medium' })[0].severity).toBe('medium');
  });

  it('when declared, then it needs access keys and login profiles', () => {
    expect(check.needs).toEqual(['access_keys', 'login_profiles']);
  });
});
