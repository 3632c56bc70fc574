/**
 * access_key_inactive_lingering — an Inactive access key that was never cleaned up.
 *
 * IAM does not record when a key was deactivated, so the key's age (from createdAt) is the measure.
 * Boundaries (elapsed time, see time.ts): fails when an Inactive key was created more than
 * `max_inactive_days` × 24 h ago (default 30): exactly 30 × 24 h passes, a minute more fails. Active keys
 * are ignored.
 *
 * Durable evidence: status, created_date, limit_days. Volatile: last-use fields when collected.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { days, intSetting, keyLastUsedEvidence, keysWithUsers, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso, olderThanDays } from './time';

const SETTINGS = {
  max_inactive_days: {
    type: 'integer',
    default: 30,
    min: 1,
    description: 'An inactive key older than this many days (elapsed time since its creation > N × 24 h) fails.',
  },
  severity: { type: 'severity', default: 'low', description: 'Severity of a lingering inactive key.' },
} satisfies SettingSpecs;

export const accessKeyInactiveLingering: CheckDefinition = {
  id: 'access_key_inactive_lingering',
  title: 'Inactive access keys are deleted',
  severity: 'low',
  resourceType: 'access_key',
  risk:
    'An inactive key can be re-activated with a single API call by anyone allowed to update access keys; ' +
    'it also occupies one of the user\'s two key slots and clutters rotation.',
  remediation:
    'Delete the key once you are sure it is not needed: aws iam delete-access-key --user-name USER ' +
    '--access-key-id KEY (console: IAM → Users → USER → Security credentials → Access keys → Delete).',
  references: ['Credential hygiene: remove deactivated keys after rotation', 'AWS Security Hub IAM.8 (related)'],
  needs: ['access_keys'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_inactive_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const { user, key } of keysWithUsers(snapshot)) {
      if (key.status !== 'Inactive') continue;
      if (!olderThanDays(key.createdAt, now, limit)) continue;
      findings.push({
        checkId: accessKeyInactiveLingering.id,
        severity,
        resourceType: 'access_key',
        resourceId: key.accessKeyId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `Inactive access key ${key.accessKeyId} of user ${user.userName} still exists ${elapsedPast(key.createdAt, now, limit)} after its creation ` +
          `(limit ${days(limit)}). Delete it if it is no longer needed.`,
        evidence: {
          durable: { status: key.status, created_date: iso(key.createdAt), limit_days: limit },
          volatile: keyLastUsedEvidence(key),
        },
      });
    }
    return findings;
  },
};
