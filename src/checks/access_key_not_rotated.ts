/**
 * access_key_not_rotated — an Active access key older than the rotation limit.
 *
 * Boundaries (elapsed time, see time.ts):
 * - fails when now − createdAt > `max_age_days` × 24 h (default 90): exactly 90 × 24 h passes, a minute
 *   more fails;
 * - severity is `high_severity` (default high) when now − createdAt > `high_after_days` × 24 h (default
 *   365), otherwise `severity` (default medium);
 * - if `high_after_days` is configured at or below `max_age_days`, every failing key is high; keys
 *   between the two limits still pass (the rotation limit decides whether there is a finding at all).
 * - Inactive keys are ignored (access_key_inactive_lingering covers them).
 *
 * Durable evidence: status, created_date, limit_days (the limit crossed: max_age_days, or
 * high_after_days once escalated). Volatile: last-use fields when collected.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { days, intSetting, keyLastUsedEvidence, keysWithUsers, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso, olderThanDays } from './time';

const SETTINGS = {
  max_age_days: {
    type: 'integer',
    default: 90,
    min: 1,
    description: 'An active key older than this many days fails (elapsed time since creation > N × 24 h).',
  },
  high_after_days: {
    type: 'integer',
    default: 365,
    min: 1,
    description: 'An active key older than this many days (elapsed time > N × 24 h) is reported with high_severity.',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of a key past max_age_days.' },
  high_severity: { type: 'severity', default: 'high', description: 'Severity of a key past high_after_days.' },
} satisfies SettingSpecs;

export const accessKeyNotRotated: CheckDefinition = {
  id: 'access_key_not_rotated',
  title: 'Access keys are rotated within the limit',
  severity: 'medium',
  resourceType: 'access_key',
  risk:
    'Long-lived access keys accumulate exposure: they end up in laptops, CI variables, logs and old backups. ' +
    'The older a key, the more likely a copy exists that its owner no longer controls.',
  remediation:
    'Create a second key (aws iam create-access-key --user-name USER), move every caller to it, watch the old key\'s ' +
    'last use stop (aws iam get-access-key-last-used --access-key-id OLD), then deactivate ' +
    '(aws iam update-access-key --user-name USER --access-key-id OLD --status Inactive) and delete it ' +
    '(aws iam delete-access-key --user-name USER --access-key-id OLD). Prefer IAM roles or IAM Identity Center ' +
    'over long-lived keys where possible.',
  references: [
    'CIS AWS Foundations Benchmark v3.0.0 1.14',
    'AWS Security Hub IAM.3',
    'AWS Trusted Advisor: IAM Access Key Rotation (90 days / 2 years)',
  ],
  needs: ['access_keys'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const maxAge = intSetting(SETTINGS, settings, 'max_age_days');
    const highAfter = intSetting(SETTINGS, settings, 'high_after_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const highSeverity = severitySetting(SETTINGS, settings, 'high_severity');
    const findings: FindingDraft[] = [];
    for (const { user, key } of keysWithUsers(snapshot)) {
      if (key.status !== 'Active') continue;
      if (!olderThanDays(key.createdAt, now, maxAge)) continue;
      const high = olderThanDays(key.createdAt, now, highAfter);
      const limit = high ? highAfter : maxAge;
      findings.push({
        checkId: accessKeyNotRotated.id,
        severity: high ? highSeverity : severity,
        resourceType: 'access_key',
        resourceId: key.accessKeyId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `Access key ${key.accessKeyId} of user ${user.userName} is ${elapsedPast(key.createdAt, now, limit)} old (limit ${days(limit)}). ` +
          'Rotate it: create a new key, switch callers, deactivate and delete the old one.',
        evidence: {
          durable: { status: key.status, created_date: iso(key.createdAt), limit_days: limit },
          volatile: keyLastUsedEvidence(key),
        },
      });
    }
    return findings;
  },
};
