/**
 * Small deterministic builders for IamSnapshot data in tests.
 *
 * Times are relative to a fixed NOW (override with `now`), in whole days, so boundaries are exact:
 * `aKey({ ageDays: 90 })` is created exactly 90 × 86,400,000 ms before NOW.
 *
 * Optional data follows the snapshot convention: pass `null` for "collected, none/never" and pass
 * `undefined` EXPLICITLY for "not collected" (e.g. `aKey({ lastUsedDaysAgo: undefined })`,
 * `aSnapshot({ root: undefined })`). Leaving a field out gives the healthy default.
 */
import type {
  AccessKeySnapshot,
  AccessKeyStatus,
  IamSnapshot,
  LoginProfileSnapshot,
  PasswordPolicySnapshot,
  RootAccountSnapshot,
  ScanSource,
  UserSnapshot,
} from '../../src/domain/snapshot';

export const DAY_MS = 86_400_000;
export const NOW = new Date('2025-06-15T12:00:00.000Z');
export const ACCOUNT_ID = '123456789012';

/** The instant `days` whole days before `now` (negative = in the future). */
export function daysAgo(days: number, now: Date = NOW): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

function pick<T, K extends keyof T>(opts: T, key: K, fallback: T[K]): T[K] {
  return key in (opts as object) ? opts[key] : fallback;
}

/** `days ago` → Date, null → null, undefined → undefined. */
function when(days: number | null | undefined, now: Date): Date | null | undefined {
  if (days === undefined || days === null) return days;
  return daysAgo(days, now);
}

let keySeq = 0;
/** A deterministic key id (AKIATEST0000000000001, ...) when none is given. */
function nextKeyId(): string {
  keySeq += 1;
  return `AKIATEST${String(keySeq).padStart(12, '0')}`;
}

export interface KeyOptions {
  id?: string;
  userName?: string;
  status?: AccessKeyStatus;
  /** Whole days since creation (default 10). */
  ageDays?: number;
  /** Whole days since last use (default 1); null = never used; explicit undefined = not collected. */
  lastUsedDaysAgo?: number | null;
  lastUsedService?: string | null;
  lastUsedRegion?: string | null;
  now?: Date;
}

export function aKey(opts: KeyOptions = {}): AccessKeySnapshot {
  const now = opts.now ?? NOW;
  const lastUsedDaysAgo = pick(opts, 'lastUsedDaysAgo', 1);
  const lastUsedAt = when(lastUsedDaysAgo, now);
  const key: AccessKeySnapshot = {
    accessKeyId: opts.id ?? nextKeyId(),
    userName: opts.userName ?? 'alice',
    status: opts.status ?? 'Active',
    createdAt: daysAgo(opts.ageDays ?? 10, now),
    lastUsedAt,
  };
  if (lastUsedAt !== undefined) {
    key.lastUsedService = pick(opts, 'lastUsedService', lastUsedAt ? 's3' : null);
    key.lastUsedRegion = pick(opts, 'lastUsedRegion', lastUsedAt ? 'eu-west-1' : null);
  }
  return key;
}

export interface LoginProfileOptions {
  /** Whole days since the password was set (default 100). */
  ageDays?: number;
  /** Whole days since last sign-in (default 1); null = never; explicit undefined = unknown. */
  lastUsedDaysAgo?: number | null;
  now?: Date;
}

export function aLoginProfile(opts: LoginProfileOptions = {}): LoginProfileSnapshot {
  const now = opts.now ?? NOW;
  return {
    createdAt: daysAgo(opts.ageDays ?? 100, now),
    passwordLastUsedAt: when(pick(opts, 'lastUsedDaysAgo', 1), now),
  };
}

export interface UserOptions {
  name?: string;
  keys?: AccessKeySnapshot[];
  /** Default null (no console password); explicit undefined = not collected. */
  loginProfile?: LoginProfileSnapshot | null;
  /** Default 0; explicit undefined = not collected. */
  mfaDeviceCount?: number;
  ageDays?: number;
  now?: Date;
}

/** A user; its keys are re-labelled with the user's name. */
export function aUser(opts: UserOptions = {}): UserSnapshot {
  const name = opts.name ?? 'alice';
  return {
    userName: name,
    userId: `AIDA${name.toUpperCase().padEnd(17, 'X')}`,
    arn: userArn(name),
    createdAt: daysAgo(opts.ageDays ?? 400, opts.now ?? NOW),
    accessKeys: (opts.keys ?? []).map((k) => ({ ...k, userName: name })),
    loginProfile: pick(opts, 'loginProfile', null),
    mfaDeviceCount: pick(opts, 'mfaDeviceCount', 0),
  };
}

export function userArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT_ID}:user/${name}`;
}

export interface RootOptions {
  mfaEnabled?: boolean;
  activeAccessKeyCount?: number;
  /** Keys present, active or not (defaults to activeAccessKeyCount). */
  accessKeyCount?: number;
  /** Default null (never used); explicit undefined = unknown (api source). */
  passwordLastUsedDaysAgo?: number | null;
  accessKeyLastUsedDaysAgo?: number | null;
  now?: Date;
}

/** A healthy root by default: MFA on, no keys, never used. */
export function aRoot(opts: RootOptions = {}): RootAccountSnapshot {
  const now = opts.now ?? NOW;
  return {
    mfaEnabled: opts.mfaEnabled ?? true,
    accessKeyCount: opts.accessKeyCount ?? opts.activeAccessKeyCount ?? 0,
    activeAccessKeyCount: opts.activeAccessKeyCount,
    passwordLastUsedAt: when(pick(opts, 'passwordLastUsedDaysAgo', null), now),
    accessKeyLastUsedAt: when(pick(opts, 'accessKeyLastUsedDaysAgo', null), now),
  };
}

/** A policy that meets every default limit (14 chars, 24 remembered, all classes, 90 days). */
export function aPasswordPolicy(overrides: Partial<PasswordPolicySnapshot> = {}): PasswordPolicySnapshot {
  return {
    minimumPasswordLength: 14,
    requireSymbols: true,
    requireNumbers: true,
    requireUppercaseCharacters: true,
    requireLowercaseCharacters: true,
    maxPasswordAge: 90,
    passwordReusePrevention: 24,
    ...overrides,
  };
}

export interface SnapshotOptions {
  accountId?: string;
  source?: ScanSource;
  users?: UserSnapshot[];
  /** Default: a healthy root; explicit undefined = not collected. */
  root?: RootAccountSnapshot;
  /** Default: a strong policy; null = no policy; explicit undefined = not collected. */
  passwordPolicy?: PasswordPolicySnapshot | null;
  now?: Date;
}

/** A credential-report snapshot of account 123456789012 collected at NOW, healthy unless told otherwise. */
export function aSnapshot(opts: SnapshotOptions = {}): IamSnapshot {
  return {
    accountId: opts.accountId ?? ACCOUNT_ID,
    source: opts.source ?? 'credential_report',
    collectedAt: opts.now ?? NOW,
    users: opts.users ?? [],
    root: pick(opts, 'root', aRoot()),
    passwordPolicy: pick(opts, 'passwordPolicy', aPasswordPolicy()),
  };
}
