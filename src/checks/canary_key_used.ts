/**
 * canary_key_used — a tripwire ("canary") access key was used.
 *
 * Canary keys are planted where an attacker would look (repos, laptops, CI variables) and never used
 * legitimately, so any use means someone found and tried them.
 *
 * Boundaries:
 * - off by default; configured (and so on) when `canary_key_ids` is non-empty, unless explicitly disabled;
 * - a listed key (ids compared after trimming, case-insensitively) fails when lastUsedAt is a date, i.e.
 *   it was ever used — whatever its status (an attacker may try a deactivated canary too);
 * - lastUsedAt null (never used) passes; undefined (not collected) cannot be evaluated: no finding;
 * - listed ids that are not in the snapshot produce nothing.
 *
 * Durable evidence: status, created_date, canary, ever_used. Volatile: last-use fields.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { keyLastUsedEvidence, keysWithUsers, listSetting, severitySetting, type SettingSpecs } from './common';
import { iso } from './time';

const SETTINGS = {
  canary_key_ids: {
    type: 'string_list',
    default: [],
    description: 'Access key ids of canary (tripwire) keys; any use of one fails.',
  },
  severity: { type: 'severity', default: 'critical', description: 'Severity of a used canary key.' },
} satisfies SettingSpecs;

export const canaryKeyUsed: CheckDefinition = {
  id: 'canary_key_used',
  title: 'Canary access keys are never used',
  severity: 'critical',
  resourceType: 'access_key',
  risk:
    'A canary key has no legitimate caller. Its use means the place where it was planted (a repository, a laptop, ' +
    'a CI secret) has been read by someone who is now trying AWS credentials.',
  remediation:
    'Treat it as an incident: find where this canary was planted, review CloudTrail for the key ' +
    '(aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=KEY) to see the ' +
    'source IP and calls, rotate every real secret stored alongside it, and plant a fresh canary.',
  references: ['Tripwire / canary credentials (honeytokens)'],
  needs: ['access_keys', 'key_last_used'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: false,
  configuredBy: (settings) => listSetting(SETTINGS, settings, 'canary_key_ids').length > 0,
  evaluate(snapshot, settings) {
    const canaries = new Set(listSetting(SETTINGS, settings, 'canary_key_ids').map((id) => id.trim().toUpperCase()));
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    if (canaries.size === 0) return findings;
    for (const { user, key } of keysWithUsers(snapshot)) {
      if (!canaries.has(key.accessKeyId.toUpperCase()) || !key.lastUsedAt) continue;
      const where = [key.lastUsedService, key.lastUsedRegion].filter(Boolean).join(' in ');
      findings.push({
        checkId: canaryKeyUsed.id,
        severity,
        resourceType: 'access_key',
        resourceId: key.accessKeyId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `Canary access key ${key.accessKeyId} of user ${user.userName} was used on ${iso(key.lastUsedAt)}` +
          `${where ? ` (${where})` : ''}. Someone found it: investigate in CloudTrail and rotate the secrets stored where it was planted.`,
        evidence: {
          durable: { status: key.status, created_date: iso(key.createdAt), canary: true, ever_used: true },
          volatile: keyLastUsedEvidence(key),
        },
      });
    }
    return findings;
  },
};
