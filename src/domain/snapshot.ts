/**
 * The IamSnapshot is everything one scan collected from one AWS account.
 * Collection happens once per run (src/aws); checks (src/checks) are pure functions over it.
 *
 * Convention for optional data: a field that is `undefined` was NOT collected (the source cannot
 * provide it, or no enabled check needed it). `null` means "collected, and there is none"
 * (e.g. a user without a console password, a key that was never used, an account with no password policy).
 */

export const SCAN_SOURCES = ['api', 'credential_report'] as const;
export type ScanSource = (typeof SCAN_SOURCES)[number];

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeySnapshot {
  accessKeyId: string;
  userName: string;
  status: AccessKeyStatus;
  createdAt: Date;
  /** undefined = last use not collected; null = never used. */
  lastUsedAt?: Date | null;
  lastUsedService?: string | null;
  lastUsedRegion?: string | null;
}

export interface LoginProfileSnapshot {
  createdAt: Date;
  /** null = the password was never used. undefined = not known to this source. */
  passwordLastUsedAt?: Date | null;
}

export interface UserSnapshot {
  userName: string;
  userId: string;
  arn: string;
  createdAt: Date;
  accessKeys: AccessKeySnapshot[];
  /** undefined = not collected; null = the user has no console password. */
  loginProfile?: LoginProfileSnapshot | null;
  /** undefined = not collected; otherwise the number of MFA devices (virtual or hardware). */
  mfaDeviceCount?: number;
}

export interface RootAccountSnapshot {
  mfaEnabled: boolean;
  /**
   * Root access keys that exist, active or inactive. The live API only says whether any exists
   * (GetAccountSummary AccountAccessKeysPresent counts inactive keys too), so it gives 0 or 1.
   */
  accessKeyCount: number;
  /** Active root access keys: only the credential report knows; undefined from the live API. */
  activeAccessKeyCount?: number;
  /** Only the credential report knows these; undefined from the live API. null = never used. */
  passwordLastUsedAt?: Date | null;
  accessKeyLastUsedAt?: Date | null;
}

export interface PasswordPolicySnapshot {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  /** undefined/0 = passwords never expire. */
  maxPasswordAge?: number;
  /** undefined/0 = no reuse prevention. */
  passwordReusePrevention?: number;
}

export interface IamSnapshot {
  accountId: string;
  source: ScanSource;
  collectedAt: Date;
  /** For credential-report scans: when AWS generated the report (it can be up to 4 hours old). */
  reportGeneratedAt?: Date;
  users: UserSnapshot[];
  /** undefined = not collected. */
  root?: RootAccountSnapshot;
  /** undefined = not collected; null = the account has no password policy. */
  passwordPolicy?: PasswordPolicySnapshot | null;
}

/**
 * The pieces of data a check can need, in canonical order. The live collector makes only the IAM
 * calls that the enabled checks need (CloudSploit's "declare the APIs you need").
 */
export const DATA_NEEDS = [
  'access_keys', // ListUsers + ListAccessKeys
  'key_last_used', // GetAccessKeyLastUsed per key
  'login_profiles', // GetLoginProfile per user (credential report: password_enabled/password_last_used)
  'mfa_devices', // ListMFADevices per user (credential report: mfa_active)
  'root_account', // GetAccountSummary (root MFA, root keys)
  'root_last_used', // only the credential report has root password/key last use
  'password_policy', // GetAccountPasswordPolicy
] as const;
export type DataNeed = (typeof DATA_NEEDS)[number];

/** How each data need is named in messages (skip reasons). */
export const DATA_NEED_LABELS: Record<DataNeed, string> = {
  access_keys: 'access keys',
  key_last_used: 'access key last use',
  login_profiles: 'console passwords (login profiles)',
  mfa_devices: 'MFA devices',
  root_account: 'root account summary',
  root_last_used: 'root last use',
  password_policy: 'the password policy',
};

/** Which data each source can provide. */
export const SOURCE_PROVIDES: Record<ScanSource, readonly DataNeed[]> = {
  api: ['access_keys', 'key_last_used', 'login_profiles', 'mfa_devices', 'root_account', 'password_policy'],
  credential_report: [
    'access_keys',
    'key_last_used',
    'login_profiles',
    'mfa_devices',
    'root_account',
    'root_last_used',
    'password_policy',
  ],
};
