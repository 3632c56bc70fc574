/**
 * password_policy_weak — the account password policy is missing or weaker than the limits.
 *
 * Boundaries:
 * - passwordPolicy null (the account has none) fails with "no password policy";
 * - passwordPolicy undefined (not collected): no finding;
 * - otherwise each of these is a weakness, and any weakness fails:
 *   - minimumPasswordLength < `min_length` (14): 13 fails, 14 passes;
 *   - passwordReusePrevention < `min_reuse_prevention` (24), undefined/0 meaning none: 23 fails, 24 passes;
 *   - each character class not required: symbols, numbers, uppercase, lowercase;
 *   - maxPasswordAge > `max_age_days` (90), or undefined/0 (passwords never expire): 90 passes, 91 fails.
 * Every weakness is listed in the message and, as codes, in durable evidence (`weaknesses`),
 * alongside the policy values and limits (all durable: they define the state).
 */
import type { PasswordPolicySnapshot } from '../domain/snapshot';
import type { CheckDefinition, FindingDraft } from './types';
import { intSetting, severitySetting, type SettingSpecs } from './common';

const SETTINGS = {
  min_length: { type: 'integer', default: 14, min: 1, description: 'Minimum password length the policy must require.' },
  min_reuse_prevention: {
    type: 'integer',
    default: 24,
    min: 1,
    description: 'Number of previous passwords the policy must prevent reusing.',
  },
  max_age_days: {
    type: 'integer',
    default: 90,
    min: 1,
    description: 'Maximum password age the policy may allow (never expiring fails).',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of a weak or missing password policy.' },
} satisfies SettingSpecs;

interface Weakness {
  code: string;
  text: string;
}

function weaknessesOf(p: PasswordPolicySnapshot, minLength: number, minReuse: number, maxAge: number): Weakness[] {
  const w: Weakness[] = [];
  if (p.minimumPasswordLength < minLength) {
    w.push({ code: 'minimum_length', text: `minimum length is ${p.minimumPasswordLength} (need at least ${minLength})` });
  }
  const reuse = p.passwordReusePrevention ?? 0;
  if (reuse < minReuse) {
    w.push({
      code: 'reuse_prevention',
      text:
        reuse === 0
          ? `password reuse is not prevented (need the last ${minReuse} remembered)`
          : `only the last ${reuse} passwords are remembered (need ${minReuse})`,
    });
  }
  if (!p.requireSymbols) w.push({ code: 'require_symbols', text: 'symbols are not required' });
  if (!p.requireNumbers) w.push({ code: 'require_numbers', text: 'numbers are not required' });
  if (!p.requireUppercaseCharacters) w.push({ code: 'require_uppercase', text: 'uppercase letters are not required' });
  if (!p.requireLowercaseCharacters) w.push({ code: 'require_lowercase', text: 'lowercase letters are not required' });
  const age = p.maxPasswordAge ?? 0;
  if (age === 0) {
    w.push({ code: 'max_age', text: `passwords never expire (need at most ${maxAge} days)` });
  } else if (age > maxAge) {
    w.push({ code: 'max_age', text: `passwords expire after ${age} days (need at most ${maxAge})` });
  }
  return w;
}

export const passwordPolicyWeak: CheckDefinition = {
  id: 'password_policy_weak',
  title: 'The account password policy is strong',
  severity: 'medium',
  resourceType: 'account',
  risk:
    'A weak or missing password policy lets IAM users choose short, reused or never-changing console passwords ' +
    'that fall to guessing and credential stuffing.',
  remediation:
    'aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 ' +
    '--require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters ' +
    '--max-password-age 90 (console: IAM → Account settings → Password policy → Edit).',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.8',
    'CIS AWS Foundations Benchmark v3.0.0 1.9',
    'AWS Security Hub IAM.7',
    'AWS Security Hub IAM.15',
    'AWS Security Hub IAM.16',
  ],
  needs: ['password_policy'],
  settings: SETTINGS,
  weighedByPrivilege: false,
  enabledByDefault: true,
  evaluate(snapshot, settings) {
    const policy = snapshot.passwordPolicy;
    if (policy === undefined) return [];
    const minLength = intSetting(SETTINGS, settings, 'min_length');
    const minReuse = intSetting(SETTINGS, settings, 'min_reuse_prevention');
    const maxAge = intSetting(SETTINGS, settings, 'max_age_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const fix =
      `aws iam update-account-password-policy --minimum-password-length ${minLength} ` +
      `--password-reuse-prevention ${minReuse} --require-symbols --require-numbers ` +
      `--require-uppercase-characters --require-lowercase-characters --max-password-age ${maxAge}`;
    const limits = { min_length: minLength, min_reuse_prevention: minReuse, max_age_days: maxAge };
    const base = {
      checkId: passwordPolicyWeak.id,
      severity,
      resourceType: 'account',
      resourceId: snapshot.accountId,
      userName: null,
      userArn: null,
    } as const;
    if (policy === null) {
      const finding: FindingDraft = {
        ...base,
        message:
          `Account ${snapshot.accountId} has no password policy, so IAM users' console passwords only follow AWS's ` +
          `built-in minimum (8 characters, no reuse prevention, no expiry). Set one: ${fix}.`,
        evidence: { durable: { has_policy: false, weaknesses: 'no_policy', ...limits }, volatile: {} },
      };
      return [finding];
    }
    const weaknesses = weaknessesOf(policy, minLength, minReuse, maxAge);
    if (weaknesses.length === 0) return [];
    const finding: FindingDraft = {
      ...base,
      message:
        `The password policy of account ${snapshot.accountId} is weak: ${weaknesses.map((w) => w.text).join('; ')}. ` +
        `Strengthen it: ${fix}.`,
      evidence: {
        durable: {
          has_policy: true,
          weaknesses: weaknesses.map((w) => w.code).join(','),
          minimum_password_length: policy.minimumPasswordLength,
          password_reuse_prevention: policy.passwordReusePrevention ?? 0,
          require_symbols: policy.requireSymbols,
          require_numbers: policy.requireNumbers,
          require_uppercase_characters: policy.requireUppercaseCharacters,
          require_lowercase_characters: policy.requireLowercaseCharacters,
          max_password_age: policy.maxPasswordAge ?? 0,
          ...limits,
        },
        volatile: {},
      },
    };
    return [finding];
  },
};
