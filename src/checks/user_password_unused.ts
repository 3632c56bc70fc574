/**
 * user_password_unused — a console password that has not been used for too long.
 *
 * Boundaries (elapsed time, see time.ts):
 * - only users with a login profile (not null) are considered;
 * - reference date = passwordLastUsedAt, or the login profile's createdAt when never used (null);
 * - fails when now − reference > `max_unused_days` × 24 h (default 45): exactly 45 × 24 h passes, a
 *   minute more fails;
 * - passwordLastUsedAt undefined (not known to the source) or loginProfile undefined (not collected):
 *   the user cannot be evaluated and produces no finding.
 *
 * Durable evidence: has_console_password, password_created_date, never_used, limit_days.
 * Volatile: password_last_used.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { days, intSetting, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso, olderThanDays } from './time';

const SETTINGS = {
  max_unused_days: {
    type: 'integer',
    default: 45,
    min: 1,
    description: 'A console password not used for more than this many days (elapsed time > N × 24 h) fails (never used: counted from creation).',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an unused console password.' },
} satisfies SettingSpecs;

export const userPasswordUnused: CheckDefinition = {
  id: 'user_password_unused',
  title: 'Console passwords are in use',
  severity: 'medium',
  resourceType: 'user',
  risk:
    'An unused console password belongs to someone who left, changed role or never needed it; nobody would ' +
    'notice if it were guessed or reused from another breach.',
  remediation:
    'Confirm with the user, then remove the console password: aws iam delete-login-profile --user-name USER ' +
    '(console: IAM → Users → USER → Security credentials → Console sign-in → Disable). Remove the user entirely if ' +
    'it has no other use.',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.12', 'AWS Security Hub IAM.22'],
  needs: ['login_profiles'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_unused_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const user of snapshot.users) {
      const profile = user.loginProfile;
      if (!profile || profile.passwordLastUsedAt === undefined) continue;
      const neverUsed = profile.passwordLastUsedAt === null;
      const idleSince = profile.passwordLastUsedAt ?? profile.createdAt;
      if (!olderThanDays(idleSince, now, limit)) continue;
      const idle = elapsedPast(idleSince, now, limit);
      const what = neverUsed ? `was set ${idle} ago and has never been used` : `has not been used for ${idle}`;
      findings.push({
        checkId: userPasswordUnused.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message:
          `The console password of user ${user.userName} ${what} (limit ${days(limit)}). ` +
          'If the user no longer needs the console, delete the password (aws iam delete-login-profile).',
        evidence: {
          durable: {
            has_console_password: true,
            password_created_date: iso(profile.createdAt),
            never_used: neverUsed,
            limit_days: limit,
          },
          volatile: { password_last_used: profile.passwordLastUsedAt ? iso(profile.passwordLastUsedAt) : null },
        },
      });
    }
    return findings;
  },
};
