/**
 * user_multiple_active_keys — a user with more than one Active access key.
 *
 * Boundaries: fails when the number of Active keys > 1 (two active keys fail; one active plus one
 * inactive passes). Rotation briefly needs two active keys; a finding during a rotation is expected
 * and closes when the old key is deactivated.
 *
 * Durable evidence: active_key_count, active_key_ids (comma-separated, snapshot order).
 */
import type { CheckDefinition, FindingDraft } from './types';
import { activeKeys, severitySetting, type SettingSpecs } from './common';

const SETTINGS = {
  severity: { type: 'severity', default: 'medium', description: 'Severity of a user with several active keys.' },
} satisfies SettingSpecs;

export const userMultipleActiveKeys: CheckDefinition = {
  id: 'user_multiple_active_keys',
  title: 'Users have at most one active access key',
  severity: 'medium',
  resourceType: 'user',
  risk:
    'Two active keys usually mean a rotation that was never finished: the old key is still valid and still ' +
    'spread across callers, doubling what can leak.',
  remediation:
    'Find which key is still used (aws iam get-access-key-last-used --access-key-id KEY for each), move callers ' +
    'to one key, then deactivate the other (aws iam update-access-key --user-name USER --access-key-id KEY ' +
    '--status Inactive) and delete it (aws iam delete-access-key --user-name USER --access-key-id KEY).',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.13'],
  needs: ['access_keys'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings) {
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const user of snapshot.users) {
      const active = activeKeys(user);
      if (active.length <= 1) continue;
      const ids = active.map((k) => k.accessKeyId).join(', ');
      findings.push({
        checkId: userMultipleActiveKeys.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message:
          `User ${user.userName} has ${active.length} active access keys (${ids}). ` +
          'Keep one: move callers to it, then deactivate and delete the others.',
        evidence: {
          durable: { active_key_count: active.length, active_key_ids: active.map((k) => k.accessKeyId).join(',') },
          volatile: {},
        },
      });
    }
    return findings;
  },
};
