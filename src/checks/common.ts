/**
 * Small helpers shared by the check modules: reading typed settings (with the spec's default as
 * fallback, so a check can be evaluated with partial settings), the root identity, and the
 * volatile last-used evidence of a key.
 */
import type { AccessKeySnapshot, IamSnapshot, UserSnapshot } from '../domain/snapshot';
import { type SettingSpec, type Settings } from './types';
import { SEVERITIES, type Severity } from '../domain/severity';
import { isoOrNull, olderThanDays } from './time';

export type SettingSpecs = Record<string, SettingSpec>;

function valueOf(specs: SettingSpecs, settings: Settings, key: string) {
  const spec = specs[key];
  if (!spec) throw new Error(`unknown setting ${key}`);
  const v = settings[key];
  return { spec, v };
}

export function intSetting(specs: SettingSpecs, settings: Settings, key: string): number {
  const { spec, v } = valueOf(specs, settings, key);
  return typeof v === 'number' && Number.isInteger(v) ? v : (spec.default as number);
}

export function severitySetting(specs: SettingSpecs, settings: Settings, key: string): Severity {
  const { spec, v } = valueOf(specs, settings, key);
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : (spec.default as Severity);
}

export function listSetting(specs: SettingSpecs, settings: Settings, key: string): string[] {
  const { spec, v } = valueOf(specs, settings, key);
  return Array.isArray(v) ? v : (spec.default as string[]);
}

/** The user name shown for root findings. */
export const ROOT_USER_NAME = '<root_account>';

export function rootArn(snapshot: IamSnapshot): string {
  return `arn:aws:iam::${snapshot.accountId}:root`;
}

/** Every key with the user that owns it, in snapshot order. */
export function keysWithUsers(snapshot: IamSnapshot): Array<{ user: UserSnapshot; key: AccessKeySnapshot }> {
  return snapshot.users.flatMap((user) => user.accessKeys.map((key) => ({ user, key })));
}

export function activeKeys(user: UserSnapshot): AccessKeySnapshot[] {
  return user.accessKeys.filter((k) => k.status === 'Active');
}

/**
 * Volatile evidence of a key's last use. Fields are omitted when last use was not collected
 * (lastUsedAt undefined); null means "never used".
 */
export function keyLastUsedEvidence(key: AccessKeySnapshot): Record<string, string | null> {
  const date = isoOrNull(key.lastUsedAt);
  if (date === undefined) return {};
  return {
    last_used_date: date,
    last_used_service: key.lastUsedService ?? null,
    last_used_region: key.lastUsedRegion ?? null,
  };
}

/** "1 day" / "2 days". */
export function days(n: number): string {
  return `${n} ${n === 1 ? 'day' : 'days'}`;
}

/**
 * Every Active credential of one kind (SSH keys, signing certificates, service-specific credentials)
 * created more than `limitDays` × 24 h ago, with its user, in snapshot order: what the
 * credential-age checks report.
 */
export function activeCredentialsOlderThan<C extends { status: string }>(
  snapshot: IamSnapshot,
  now: Date,
  limitDays: number,
  kind: { of(user: UserSnapshot): readonly C[] | undefined; date(credential: C): Date },
): Array<{ user: UserSnapshot; credential: C }> {
  return snapshot.users.flatMap((user) =>
    (kind.of(user) ?? [])
      .filter((credential) => credential.status === 'Active' && olderThanDays(kind.date(credential), now, limitDays))
      .map((credential) => ({ user, credential })),
  );
}
