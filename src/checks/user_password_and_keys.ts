/**
 * user_password_and_keys — a user with both a console password and an Active access key.
 *
 * Boundaries: fails when loginProfile is present (not null) and at least one key is Active.
 * Inactive keys do not count. A user whose login profile was not collected (undefined) produces
 * no finding.
 *
 * Durable evidence: has_console_password, active_key_count, active_key_ids.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { activeKeys, severitySetting, type SettingSpecs } from './common';

const SETTINGS = {
  severity: { type: 'severity', default: 'low', description: 'Severity of a user mixing a password and keys.' },
} satisfies SettingSpecs;

export const userPasswordAndKeys: CheckDefinition = {
  id: 'user_password_and_keys',
  title: 'Users are either humans (console) or machines (keys), not both',
  severity: 'low',
  resourceType: 'user',
  risk:
    'A user with both a console password and access keys mixes human and machine use: keys get copied to ' +
    'scripts and servers under a person\'s identity, and offboarding the person breaks automation (or is skipped).',
  remediation:
    'Split the identities: give the automation its own role (preferred) or its own user, then deactivate and ' +
    'delete this user\'s keys (aws iam update-access-key --status Inactive, aws iam delete-access-key), or remove ' +
    'the console password if the user is really a machine (aws iam delete-login-profile --user-name USER).',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.11 (related)', 'Mixed human/machine use of one identity'],
  needs: ['access_keys', 'login_profiles'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings) {
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const user of snapshot.users) {
      const active = activeKeys(user);
      if (!user.loginProfile || active.length === 0) continue;
      const ids = active.map((k) => k.accessKeyId);
      findings.push({
        checkId: userPasswordAndKeys.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message:
          `User ${user.userName} has a console password and ${active.length === 1 ? 'an active access key' : `${active.length} active access keys`} ` +
          `(${ids.join(', ')}). Separate human and machine use: move the automation to a role or its own user, ` +
          'or remove the console password.',
        evidence: {
          durable: { has_console_password: true, active_key_count: active.length, active_key_ids: ids.join(',') },
          volatile: {},
        },
      });
    }
    return findings;
  },
};
