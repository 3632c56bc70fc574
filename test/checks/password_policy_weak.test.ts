import { passwordPolicyWeak as check } from '../../src/checks/password_policy_weak';
import { defaultSettings } from '../../src/checks/settings';
import type { Settings } from '../../src/checks/types';
import type { PasswordPolicySnapshot } from '../../src/domain/snapshot';
import { ACCOUNT_ID, NOW, aPasswordPolicy, aSnapshot } from '../factories/snapshot';

const run = (passwordPolicy: PasswordPolicySnapshot | null | undefined, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ passwordPolicy }), { ...defaultSettings(check), ...overrides }, NOW);

const weaknesses = (policy: Partial<PasswordPolicySnapshot>, overrides: Settings = {}) =>
  run(aPasswordPolicy(policy), overrides)[0]?.evidence.durable.weaknesses;

describe('password_policy_weak', () => {
  it('when the policy meets every limit, then it passes', () => {
    expect(run(aPasswordPolicy())).toEqual([]);
  });

  it('when the account has no password policy, then it fails with "no password policy" on the account', () => {
    const [f] = run(null);
    expect(f).toMatchObject({
      checkId: 'password_policy_weak',
      severity: 'medium',
      resourceType: 'account',
      resourceId: ACCOUNT_ID,
      userName: null,
      userArn: null,
      evidence: { durable: { has_policy: false, weaknesses: 'no_policy' }, volatile: {} },
    });
    expect(f.message).toContain('no password policy');
    expect(f.message).toContain('aws iam update-account-password-policy --minimum-password-length 14');
  });

  it('when the policy was not collected, then it produces no finding', () => {
    expect(run(undefined)).toEqual([]);
  });

  it('when the minimum length is 13, then it fails; 14 passes', () => {
    expect(weaknesses({ minimumPasswordLength: 13 })).toBe('minimum_length');
    expect(weaknesses({ minimumPasswordLength: 14 })).toBeUndefined();
  });

  it('when reuse prevention is 23, then it fails; 24 passes', () => {
    expect(weaknesses({ passwordReusePrevention: 23 })).toBe('reuse_prevention');
    expect(weaknesses({ passwordReusePrevention: 24 })).toBeUndefined();
  });

  it.each([undefined, 0])('when reuse prevention is %p, then it counts as none and fails', (value) => {
    expect(weaknesses({ passwordReusePrevention: value })).toBe('reuse_prevention');
  });

  it.each([
    ['requireSymbols', 'require_symbols'],
    ['requireNumbers', 'require_numbers'],
    ['requireUppercaseCharacters', 'require_uppercase'],
    ['requireLowercaseCharacters', 'require_lowercase'],
  ] as const)('when %s is false, then it fails with %s', (field, code) => {
    expect(weaknesses({ [field]: false })).toBe(code);
  });

  it('when the maximum age is 91 days, then it fails; 90 passes', () => {
    expect(weaknesses({ maxPasswordAge: 91 })).toBe('max_age');
    expect(weaknesses({ maxPasswordAge: 90 })).toBeUndefined();
  });

  it.each([undefined, 0])('when the maximum age is %p (never expires), then it fails', (value) => {
    const [f] = run(aPasswordPolicy({ maxPasswordAge: value }));
    expect(f.evidence.durable.weaknesses).toBe('max_age');
    expect(f.message).toContain('passwords never expire');
  });

  it('when several things are weak, then every weakness is in the message and the durable evidence', () => {
    const policy = aPasswordPolicy({
      minimumPasswordLength: 8,
      passwordReusePrevention: 5,
      requireSymbols: false,
      requireNumbers: false,
      requireUppercaseCharacters: false,
      requireLowercaseCharacters: false,
      maxPasswordAge: 365,
    });
    const [f] = run(policy);
    expect(f.evidence.durable).toEqual({
      has_policy: true,
      weaknesses: 'minimum_length,reuse_prevention,require_symbols,require_numbers,require_uppercase,require_lowercase,max_age',
      minimum_password_length: 8,
      password_reuse_prevention: 5,
      require_symbols: false,
      require_numbers: false,
      require_uppercase_characters: false,
      require_lowercase_characters: false,
      max_password_age: 365,
      min_length: 14,
      min_reuse_prevention: 24,
      max_age_days: 90,
    });
    for (const text of [
      'minimum length is 8 (need at least 14)',
      'only the last 5 passwords are remembered (need 24)',
      'symbols are not required',
      'numbers are not required',
      'uppercase letters are not required',
      'lowercase letters are not required',
      'passwords expire after 365 days (need at most 90)',
    ]) {
      expect(f.message).toContain(text);
    }
  });

  it('when limits are overridden, then they decide and appear in the fix command', () => {
    const s = { min_length: 16, min_reuse_prevention: 5, max_age_days: 365 };
    expect(weaknesses({ minimumPasswordLength: 14, passwordReusePrevention: 5, maxPasswordAge: 365 }, s)).toBe('minimum_length');
    const [f] = run(aPasswordPolicy({ minimumPasswordLength: 15 }), s);
    expect(f.message).toContain('--minimum-password-length 16 --password-reuse-prevention 5');
    expect(f.message).toContain('--max-password-age 365');
  });

  it('when severity is set to high, then the finding is high', () => {
    expect(run(null, { severity: 'high' })[0].severity).toBe('high');
  });

  it('when declared, then it needs the password policy', () => {
    expect(check.needs).toEqual(['password_policy']);
  });
});
