/**
 * Targets: the AWS accounts keywatch scans. A target is configured (KEYWATCH_TARGET, or an entry of
 * the targets file) or discovered in an AWS Organization (named by its 12-digit account id, which
 * survives renames, with the account's name as its label). Each target has its own history, its
 * own scan lease and its own rate limiter (IAM throttles per account).
 */
import type { ScanSource } from './snapshot';

export const TARGET_ORIGINS = ['configured', 'organization'] as const;
export type TargetOrigin = (typeof TARGET_ORIGINS)[number];

/** Names of targets in a targets file; discovered targets are 12-digit account ids, which match too. */
export const TARGET_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** KEYWATCH_TARGET (one account, the original setting) also accepts capitals and underscores. */
export const LEGACY_TARGET_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** How keywatch reaches a target's account: the base credentials, or a role assumed from them. */
export interface TargetAccess {
  /** null: the base credentials' own account. */
  roleArn: string | null;
  /** The ExternalId the role's trust policy requires (a secret shared with the account owner; never shown). */
  externalId: string | null;
}

export interface Target extends TargetAccess {
  name: string;
  /** The account's name in the organization (discovered targets); null otherwise. */
  label: string | null;
  /** Known from discovery or from the target's scans; null before its first scan. */
  accountId: string | null;
  origin: TargetOrigin;
  /** The source a scheduled or unspecified scan of this target uses. */
  source: ScanSource;
  /** false: the account left the organization (or the targets file); its history stays readable. */
  active: boolean;
}
