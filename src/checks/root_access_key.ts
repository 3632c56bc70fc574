/**
 * root_access_key — the root user has an access key (CIS 1.4: no root access key should exist).
 *
 * Boundaries: fails when root.accessKeyCount > 0, active or inactive: the live API cannot tell the
 * two apart (AccountAccessKeysPresent), the credential report can and says how many are active.
 * Root not collected (undefined): no finding.
 *
 * Durable evidence: access_keys_present (the same from both sources). Volatile: the active count
 * and access_key_last_used when the source knows them.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { ROOT_USER_NAME, rootArn, severitySetting, type SettingSpecs } from './common';
import { isoOrNull } from './time';

const SETTINGS = {
  severity: { type: 'severity', default: 'critical', description: 'Severity of a root access key.' },
} satisfies SettingSpecs;

export const rootAccessKey: CheckDefinition = {
  id: 'root_access_key',
  title: 'The root user has no access keys',
  severity: 'critical',
  resourceType: 'root',
  risk:
    'A root access key has unrestricted access to the whole account and cannot be limited by IAM policies or ' +
    'SCPs of the account itself; leaking it is a full account compromise.',
  remediation:
    'Sign in as the root user, open Security credentials → Access keys, deactivate the key, confirm nothing ' +
    'breaks, then delete it. Give whatever used it an IAM role or an IAM user with least privilege.',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.4', 'AWS Security Hub IAM.4'],
  needs: ['root_account'],
  settings: SETTINGS,
  weighedByPrivilege: false,
  enabledByDefault: true,
  evaluate(snapshot, settings): FindingDraft[] {
    const root = snapshot.root;
    if (!root || root.accessKeyCount <= 0) return [];
    const active = root.activeAccessKeyCount;
    const lastUsed = isoOrNull(root.accessKeyLastUsedAt);
    const volatile: Record<string, string | number | null> = {};
    if (active !== undefined) volatile.active_access_key_count = active;
    if (lastUsed !== undefined) volatile.access_key_last_used = lastUsed;
    const what =
      active === undefined
        ? 'an access key'
        : active === 0
          ? `${root.accessKeyCount === 1 ? 'an inactive access key' : `${root.accessKeyCount} inactive access keys`}`
          : active === 1
            ? 'an active access key'
            : `${active} active access keys`;
    return [
      {
        checkId: rootAccessKey.id,
        severity: severitySetting(SETTINGS, settings, 'severity'),
        resourceType: 'root',
        resourceId: 'root',
        userName: ROOT_USER_NAME,
        userArn: rootArn(snapshot),
        message:
          `The root user of account ${snapshot.accountId} has ${what}. ` +
          'Sign in as root, deactivate and delete it (Security credentials → Access keys); use IAM roles instead.',
        evidence: {
          durable: { access_keys_present: true },
          volatile,
        },
      },
    ];
  },
};
