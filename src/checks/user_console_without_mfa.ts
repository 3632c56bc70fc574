/**
 * user_console_without_mfa — a user who can sign in to the console with a password but has no MFA device.
 *
 * Boundaries: fails when loginProfile is present (not null) and mfaDeviceCount === 0. A user without a
 * console password (loginProfile null) passes. A user whose login profile or MFA devices were not
 * collected (undefined) cannot be evaluated and produces no finding.
 *
 * Durable evidence: has_console_password, has_mfa, mfa_device_count, password_created_date.
 * Volatile: password_last_used when known.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { severitySetting, type SettingSpecs } from './common';
import { iso, isoOrNull } from './time';

const SETTINGS = {
  severity: { type: 'severity', default: 'high', description: 'Severity of a console user without MFA.' },
} satisfies SettingSpecs;

export const userConsoleWithoutMfa: CheckDefinition = {
  id: 'user_console_without_mfa',
  title: 'Console users have MFA',
  severity: 'high',
  resourceType: 'user',
  risk:
    'A console password alone falls to phishing, reuse from other breaches or guessing; MFA is what stops a ' +
    'stolen password from becoming a console session.',
  remediation:
    'Have the user register an MFA device (console: IAM → Users → USER → Security credentials → Assign MFA device; ' +
    'CLI: aws iam create-virtual-mfa-device and aws iam enable-mfa-device). If the user does not need the console, ' +
    'remove the password instead: aws iam delete-login-profile --user-name USER. Consider a policy that denies ' +
    'actions without aws:MultiFactorAuthPresent.',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.10', 'AWS Security Hub IAM.5'],
  needs: ['login_profiles', 'mfa_devices'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings) {
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const user of snapshot.users) {
      const profile = user.loginProfile;
      if (!profile || user.mfaDeviceCount === undefined || user.mfaDeviceCount > 0) continue;
      const lastUsed = isoOrNull(profile.passwordLastUsedAt);
      findings.push({
        checkId: userConsoleWithoutMfa.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message:
          `User ${user.userName} has a console password but no MFA device. ` +
          'Assign an MFA device to the user, or delete the console password if the user does not need the console.',
        evidence: {
          durable: {
            has_console_password: true,
            has_mfa: false,
            mfa_device_count: user.mfaDeviceCount,
            password_created_date: iso(profile.createdAt),
          },
          volatile: lastUsed === undefined ? {} : { password_last_used: lastUsed },
        },
      });
    }
    return findings;
  },
};
