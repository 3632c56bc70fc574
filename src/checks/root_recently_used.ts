/**
 * root_recently_used — the root user's password or access key was used recently.
 *
 * Only the credential report knows root's last use, hence needs ['root_last_used'].
 * Boundaries (elapsed time, see time.ts): fails when passwordLastUsedAt or accessKeyLastUsedAt is a
 * date and now − date <= `window_days` × 24 h (default 7): used exactly 7 × 24 h ago fails, a minute
 * earlier passes. A date in the future (clock skew) counts as recent. null (never used) and undefined (unknown) pass; root not
 * collected: no finding.
 *
 * Durable evidence: window_days, password_used_in_window, access_key_used_in_window.
 * Volatile: password_last_used, access_key_last_used (when known).
 */
import type { CheckDefinition, FindingDraft } from './types';
import { ROOT_USER_NAME, days, intSetting, rootArn, severitySetting, type SettingSpecs } from './common';
import { iso, isoOrNull, withinDays } from './time';

const SETTINGS = {
  window_days: {
    type: 'integer',
    default: 7,
    min: 1,
    description: 'Root use within this many days (elapsed time since use <= N × 24 h) fails.',
  },
  severity: { type: 'severity', default: 'high', description: 'Severity of recent root use.' },
} satisfies SettingSpecs;

export const rootRecentlyUsed: CheckDefinition = {
  id: 'root_recently_used',
  title: 'The root user is not used for daily work',
  severity: 'high',
  resourceType: 'root',
  risk:
    'The root user cannot be restricted; using it for routine work exposes its credentials often and leaves no ' +
    'per-person accountability. Unexpected root use can also be the sign of a compromise.',
  remediation:
    'Confirm who used root and why (CloudTrail: aws cloudtrail lookup-events --lookup-attributes ' +
    'AttributeKey=Username,AttributeValue=root). Do the work with IAM Identity Center or IAM roles instead, ' +
    'keep root for the few tasks that require it, and alarm on root use (CloudWatch metric filter on ' +
    'userIdentity.type = "Root").',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.7', 'AWS Security Hub CloudWatch.1 (related: alarm on root use)'],
  needs: ['root_last_used'],
  settings: SETTINGS,
  weighedByPrivilege: false,
  enabledByDefault: true,
  evaluate(snapshot, settings, now): FindingDraft[] {
    const root = snapshot.root;
    if (!root) return [];
    const windowDays = intSetting(SETTINGS, settings, 'window_days');
    const recent = (d: Date | null | undefined): d is Date => d instanceof Date && withinDays(d, now, windowDays);
    const password = recent(root.passwordLastUsedAt) ? root.passwordLastUsedAt : null;
    const key = recent(root.accessKeyLastUsedAt) ? root.accessKeyLastUsedAt : null;
    if (!password && !key) return [];
    const uses: string[] = [];
    if (password) uses.push(`its password on ${iso(password)}`);
    if (key) uses.push(`an access key on ${iso(key)}`);
    const volatile: Record<string, string | null> = {};
    const pwd = isoOrNull(root.passwordLastUsedAt);
    const ak = isoOrNull(root.accessKeyLastUsedAt);
    if (pwd !== undefined) volatile.password_last_used = pwd;
    if (ak !== undefined) volatile.access_key_last_used = ak;
    return [
      {
        checkId: rootRecentlyUsed.id,
        severity: severitySetting(SETTINGS, settings, 'severity'),
        resourceType: 'root',
        resourceId: 'root',
        userName: ROOT_USER_NAME,
        userArn: rootArn(snapshot),
        message:
          `The root user of account ${snapshot.accountId} used ${uses.join(' and ')}, within the last ${days(windowDays)}. ` +
          'Confirm who did it in CloudTrail, and use IAM Identity Center or roles instead of root for daily work.',
        evidence: {
          durable: {
            window_days: windowDays,
            password_used_in_window: password !== null,
            access_key_used_in_window: key !== null,
          },
          volatile,
        },
      },
    ];
  },
};
