/**
 * user_inactive — a user who used neither a console password nor any access key for too long.
 *
 * Last activity = the latest of the password's last use and every access key's last use (active or
 * inactive: any use is activity); when nothing was ever used, the user's creation date.
 * Boundaries (elapsed time, see time.ts): fails when now − last activity > `max_inactive_days` × 24 h
 * (default 90): exactly 90 × 24 h passes, a minute more fails.
 * A user whose activity cannot be known produces no finding: its login profile not collected
 * (undefined), its password's last use unknown (undefined), or a key's last use not collected.
 * SSH keys, signing certificates and service-specific credentials have no last use in IAM; the
 * remediation says to look for them before deleting.
 *
 * Durable evidence: never_used, user_created_date, limit_days. Volatile: last_activity_date,
 * last_activity (what was used last: "console password" or "access key AKIA…").
 */
import type { UserSnapshot } from '../domain/snapshot';
import type { CheckDefinition, FindingDraft } from './types';
import { days, intSetting, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso, olderThanDays } from './time';

const SETTINGS = {
  max_inactive_days: {
    type: 'integer',
    default: 90,
    min: 1,
    description:
      'A user whose console password and access keys were all unused for more than this many days (elapsed time > N × 24 h) fails (never used: counted from the user\'s creation).',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an inactive user.' },
} satisfies SettingSpecs;

/** The user's last use of a password or key: undefined when it cannot be known, null when never. */
function lastActivity(user: UserSnapshot): { at: Date; what: string } | null | undefined {
  if (user.loginProfile === undefined) return undefined;
  const uses: Array<{ at: Date; what: string }> = [];
  if (user.loginProfile) {
    const used = user.loginProfile.passwordLastUsedAt;
    if (used === undefined) return undefined;
    if (used) uses.push({ at: used, what: 'console password' });
  }
  for (const key of user.accessKeys) {
    if (key.lastUsedAt === undefined) return undefined;
    if (key.lastUsedAt) uses.push({ at: key.lastUsedAt, what: `access key ${key.accessKeyId}` });
  }
  if (uses.length === 0) return null;
  return uses.reduce((latest, u) => (u.at.getTime() > latest.at.getTime() ? u : latest));
}

export const userInactive: CheckDefinition = {
  id: 'user_inactive',
  title: 'Users are in use',
  severity: 'medium',
  resourceType: 'user',
  risk:
    'A user nobody signs in as and whose keys nobody calls with is an identity without an owner: it keeps its ' +
    'permissions and any credentials it still has, and their misuse would surprise nobody who watches.',
  remediation:
    'Confirm nobody needs the user (ask its owner; check CloudTrail for its name, and its SSH keys, signing ' +
    'certificates and service-specific credentials, which IAM records no last use for). Then remove its credentials ' +
    'and delete it: aws iam delete-login-profile, aws iam delete-access-key, detach its policies and groups, ' +
    'aws iam delete-user --user-name USER (the console does all of this in one step: IAM → Users → Delete).',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.12 (spirit: remove unused credentials)', 'CloudSploit IAM iamUserNotInUse'],
  needs: ['access_keys', 'key_last_used', 'login_profiles'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_inactive_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    const findings: FindingDraft[] = [];
    for (const user of snapshot.users) {
      const last = lastActivity(user);
      if (last === undefined) continue;
      const idleSince = last?.at ?? user.createdAt;
      if (!olderThanDays(idleSince, now, limit)) continue;
      const idle = elapsedPast(idleSince, now, limit);
      const what = last
        ? `has not used a console password or an access key for ${idle} (last: its ${last.what})`
        : `was created ${idle} ago and has never used a console password or an access key`;
      findings.push({
        checkId: userInactive.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message: `User ${user.userName} ${what} (limit ${days(limit)}). If nobody needs it, remove its credentials and delete the user.`,
        evidence: {
          durable: { never_used: last === null, user_created_date: iso(user.createdAt), limit_days: limit },
          volatile: { last_activity_date: last ? iso(last.at) : null, last_activity: last?.what ?? null },
        },
      });
    }
    return findings;
  },
};
