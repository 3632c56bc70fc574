/**
 * ssh_key_not_rotated — an Active SSH public key (ListSSHPublicKeys; CodeCommit) older than the limit.
 *
 * Boundaries (elapsed time, see time.ts): fails when now − uploadedAt > `max_age_days` × 24 h
 * (default 90): exactly 90 × 24 h passes, a minute more fails. Inactive keys are ignored. A user
 * whose SSH keys were not collected (undefined) produces no finding. Only the api source has SSH
 * keys (the credential report has no such columns): the credential_report source skips the check.
 *
 * Durable evidence: status, upload_date, limit_days.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { activeCredentialsOlderThan, days, intSetting, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso } from './time';

const SETTINGS = {
  max_age_days: {
    type: 'integer',
    default: 90,
    min: 1,
    description: 'An active SSH public key uploaded more than this many days ago (elapsed time > N × 24 h) fails.',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an old SSH public key.' },
} satisfies SettingSpecs;

export const sshKeyNotRotated: CheckDefinition = {
  id: 'ssh_key_not_rotated',
  title: 'SSH public keys are rotated within the limit',
  severity: 'medium',
  resourceType: 'ssh_key',
  risk:
    'An IAM SSH public key lets whoever holds the matching private key push and pull the user\'s CodeCommit ' +
    'repositories. Old private keys sit on old laptops and build hosts; the longer a key lives, the more copies exist.',
  remediation:
    'Upload a new key (aws iam upload-ssh-public-key --user-name USER --ssh-public-key-body file://new.pub), point ' +
    'Git clients at it (the User in ~/.ssh/config is the new SSHPublicKeyId), then deactivate ' +
    '(aws iam update-ssh-public-key --user-name USER --ssh-public-key-id OLD --status Inactive) and delete the old one ' +
    '(aws iam delete-ssh-public-key --user-name USER --ssh-public-key-id OLD).',
  references: ['CloudSploit IAM sshKeysRotated', 'AWS CodeCommit User Guide: Setup for SSH connections'],
  needs: ['ssh_keys'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_age_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    return activeCredentialsOlderThan(snapshot, now, limit, { of: (user) => user.sshPublicKeys, date: (c) => c.uploadedAt }).map(
      ({ user, credential: key }): FindingDraft => ({
        checkId: sshKeyNotRotated.id,
        severity,
        resourceType: 'ssh_key',
        resourceId: key.sshPublicKeyId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `SSH public key ${key.sshPublicKeyId} of user ${user.userName} was uploaded ${elapsedPast(key.uploadedAt, now, limit)} ago ` +
          `(limit ${days(limit)}). Upload a new key, switch Git clients to it, then deactivate and delete the old one.`,
        evidence: { durable: { status: key.status, upload_date: iso(key.uploadedAt), limit_days: limit }, volatile: {} },
      }),
    );
  },
};
