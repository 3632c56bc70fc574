/**
 * access_key_unused — an Active access key that has not been used for too long.
 *
 * Boundaries (elapsed time, see time.ts):
 * - reference date = lastUsedAt, or createdAt when the key was never used (lastUsedAt null);
 * - fails when now − reference > `max_unused_days` × 24 h (default 45): exactly 45 × 24 h passes, a
 *   minute more fails;
 * - lastUsedAt undefined means last use was not collected: the key cannot be evaluated and produces
 *   no finding (the scanner does not run this check without 'key_last_used'; this is only a guard);
 * - Inactive keys are ignored (access_key_inactive_lingering covers them).
 *
 * Durable evidence: status, created_date, never_used, limit_days. Volatile: last-use fields.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { days, intSetting, keyLastUsedEvidence, keysWithUsers, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso, olderThanDays } from './time';

const SETTINGS = {
  max_unused_days: {
    type: 'integer',
    default: 45,
    min: 1,
    description: 'An active key not used for more than this many days (elapsed time > N × 24 h) fails (never used: counted from creation).',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an unused key.' },
} satisfies SettingSpecs;

export const accessKeyUnused: CheckDefinition = {
  id: 'access_key_unused',
  title: 'Active access keys are in use',
  severity: 'medium',
  resourceType: 'access_key',
  risk:
    'An active key nobody uses is pure exposure: it grants access without serving anyone, and its leak would go ' +
    'unnoticed because no owner watches its activity.',
  remediation:
    'Confirm no caller needs it (aws iam get-access-key-last-used --access-key-id KEY), deactivate it ' +
    '(aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive), wait for complaints, ' +
    'then delete it (aws iam delete-access-key --user-name USER --access-key-id KEY).',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.12', 'AWS Security Hub IAM.22'],
  needs: ['access_keys', 'key_last_used'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_unused_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const { user, key } of keysWithUsers(snapshot)) {
      if (key.status !== 'Active' || key.lastUsedAt === undefined) continue;
      const neverUsed = key.lastUsedAt === null;
      const idleSince = key.lastUsedAt ?? key.createdAt;
      if (!olderThanDays(idleSince, now, limit)) continue;
      const idle = elapsedPast(idleSince, now, limit);
      const what = neverUsed ? `was created ${idle} ago and has never been used` : `has not been used for ${idle}`;
      findings.push({
        checkId: accessKeyUnused.id,
        severity,
        resourceType: 'access_key',
        resourceId: key.accessKeyId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `Access key ${key.accessKeyId} of user ${user.userName} ${what} (limit ${days(limit)}). ` +
          'If nothing needs it, deactivate it and then delete it.',
        evidence: {
          durable: { status: key.status, created_date: iso(key.createdAt), never_used: neverUsed, limit_days: limit },
          volatile: keyLastUsedEvidence(key),
        },
      });
    }
    return findings;
  },
};
