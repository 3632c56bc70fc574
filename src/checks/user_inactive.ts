/**
 * user_inactive — a user who used neither a console password nor any access key for too long.
 *
 * Idle since = the latest of: the password's last use, every access key's last use (active or
 * inactive: any use is activity), and — for a password or key that was never used — its creation
 * (as access_key_unused counts a never-used key from its creation: a key issued last week, e.g. a
 * rotation, which erases the old key's last use, is not a sign of an abandoned user); with no
 * password and no key, the user's creation.
 * Boundaries (elapsed time, see time.ts): fails when now − idle since > `max_inactive_days` × 24 h
 * (default 90): exactly 90 × 24 h passes, a minute more fails.
 * A user whose activity cannot be known produces no finding: its login profile not collected
 * (undefined), its password's last use unknown (undefined), or a key's last use not collected.
 * SSH keys, signing certificates and service-specific credentials have no last use in IAM; the
 * remediation says to look for them before deleting.
 *
 * Durable evidence: never_used (no password or key use on record), user_created_date, limit_days.
 * Volatile: last_activity_date, last_activity (what was used last: "console password" or
 * "access key AKIA…"; null when nothing was).
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
      'A user whose console password and access keys were all unused for more than this many days (elapsed time > N × 24 h) ' +
      "fails (a password or key never used counts from its creation; a user with neither, from the user's creation).",
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an inactive user.' },
} satisfies SettingSpecs;

interface Mark {
  at: Date;
  /** "console password" / "access key AKIA…" for a use; what was created otherwise. */
  what: string;
}

const latest = (marks: Mark[]): Mark | null =>
  marks.reduce<Mark | null>((best, m) => (best === null || m.at.getTime() > best.at.getTime() ? m : best), null);

/**
 * The user's last use of a password or key (null: none on record), and since when it has been idle
 * (see the module comment); undefined when it cannot be known (data not collected).
 */
function activityOf(user: UserSnapshot): { lastUse: Mark | null; idleSince: Mark } | undefined {
  if (user.loginProfile === undefined) return undefined;
  const uses: Mark[] = [];
  const unusedSince: Mark[] = [];
  if (user.loginProfile) {
    const used = user.loginProfile.passwordLastUsedAt;
    if (used === undefined) return undefined;
    if (used) uses.push({ at: used, what: 'console password' });
    else unusedSince.push({ at: user.loginProfile.createdAt, what: 'its console password was set' });
  }
  for (const key of user.accessKeys) {
    if (key.lastUsedAt === undefined) return undefined;
    if (key.lastUsedAt) uses.push({ at: key.lastUsedAt, what: `access key ${key.accessKeyId}` });
    else unusedSince.push({ at: key.createdAt, what: `its access key ${key.accessKeyId} was created` });
  }
  const lastUse = latest(uses);
  return { lastUse, idleSince: latest([...uses, ...unusedSince]) ?? { at: user.createdAt, what: 'it was created' } };
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
      const activity = activityOf(user);
      if (activity === undefined || !olderThanDays(activity.idleSince.at, now, limit)) continue;
      const { lastUse, idleSince } = activity;
      const idle = elapsedPast(idleSince.at, now, limit);
      const what =
        idleSince === lastUse
          ? `has not used a console password or an access key for ${idle} (last: its ${lastUse.what})`
          : `has no recorded use of a console password or an access key since ${idleSince.what}, ${idle} ago`;
      findings.push({
        checkId: userInactive.id,
        severity,
        resourceType: 'user',
        resourceId: user.arn,
        userName: user.userName,
        userArn: user.arn,
        message: `User ${user.userName} ${what} (limit ${days(limit)}). If nobody needs it, remove its credentials and delete the user.`,
        evidence: {
          durable: { never_used: lastUse === null, user_created_date: iso(user.createdAt), limit_days: limit },
          volatile: { last_activity_date: lastUse ? iso(lastUse.at) : null, last_activity: lastUse?.what ?? null },
        },
      });
    }
    return findings;
  },
};
