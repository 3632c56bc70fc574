/**
 * user_admin_with_access_key — a user classified `admin` (privilege.ts) has an Active access key.
 *
 * Boundaries: fails when the user is admin and at least one key is Active; inactive keys do not count;
 * privilege_escalation and standard users pass (their key findings are raised by evaluate.ts instead).
 * Authorization details not collected, or the user not in them: no finding. Its severity already
 * says "admin", so evaluate.ts does not raise it again (weighedByPrivilege false).
 *
 * Durable evidence: active_key_count, active_key_ids, privilege, privilege_reason (a user losing or
 * gaining an admin path shows as changed).
 */
import type { CheckDefinition, FindingDraft } from './types';
import { activeKeys, severitySetting, type SettingSpecs } from './common';
import { classifyUsers } from './privilege';

const SETTINGS = {
  severity: { type: 'severity', default: 'high', description: 'Severity of an admin user with an active access key.' },
} satisfies SettingSpecs;

export const userAdminWithAccessKey: CheckDefinition = {
  id: 'user_admin_with_access_key',
  title: 'Admin users have no access keys',
  severity: 'high',
  resourceType: 'user',
  risk:
    'An access key of an admin user is a long-lived credential that can do anything in the account, including ' +
    'creating more credentials: the single most valuable secret to steal, and it is usually copied to scripts and CI.',
  remediation:
    'Give the automation an IAM role instead (instance profile, IRSA, OIDC federation for CI) and people IAM ' +
    'Identity Center; then deactivate (aws iam update-access-key --user-name USER --access-key-id KEY --status ' +
    'Inactive) and delete the keys (aws iam delete-access-key). If a key must stay, take the user out of the admin ' +
    'group or policy and grant only what the key needs.',
  references: ['AWS IAM best practices: use temporary credentials; apply least-privilege permissions', 'CIS AWS Foundations Benchmark v3.0.0 1.16 (related)'],
  needs: ['access_keys', 'authorization_details'],
  settings: SETTINGS,
  weighedByPrivilege: false,
  enabledByDefault: true,
  evaluate(snapshot, settings) {
    if (!snapshot.authorizationDetails) return [];
    const privileges = classifyUsers(snapshot.authorizationDetails);
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const user of snapshot.users) {
      const privilege = privileges.get(user.arn);
      const active = activeKeys(user);
      if (privilege?.privilege !== 'admin' || active.length === 0) continue;
      const ids = active.map((k) => k.accessKeyId);
      findings.push({
        checkId: userAdminWithAccessKey.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message:
          `User ${user.userName} is an admin (${privilege.reason}) and has ` +
          `${active.length === 1 ? 'an active access key' : `${active.length} active access keys`} (${ids.join(', ')}). ` +
          'Move the work to an IAM role or IAM Identity Center, then deactivate and delete the keys.',
        evidence: {
          durable: {
            active_key_count: active.length,
            active_key_ids: ids.join(','),
            privilege: 'admin',
            privilege_reason: privilege.reason,
          },
          volatile: {},
        },
      });
    }
    return findings;
  },
};
