/**
 * Builds an IAM credential report (CSV) from the simulated account, with the column set and the
 * value conventions AWS uses:
 *  - dates are ISO 8601 without milliseconds and with a "+00:00" offset (2024-01-02T03:04:05+00:00);
 *  - "N/A" where the thing does not exist (no password, no key, key never used);
 *  - "no_information" for a password that exists but was never used;
 *  - "not_supported" for the root user's password columns that IAM does not report.
 * The report agrees with the live API answers: key slots 1/2 are the user's keys ordered by creation,
 * last_rotated = the key's CreateDate; cert slots 1/2 are the user's signing certificates ordered by
 * upload, last_rotated = the certificate's UploadDate (or N/A with `omitCertificateDates`, as
 * LocalStack and moto answer).
 */
import { DAY_MS, SimAccessKey, SimAccount, SimSigningCertificate, SimUser, rootArn, userArn } from './model';

export interface CredentialReportOptions {
  /** Answer N/A for cert_N_last_rotated while cert_N_active still says whether the certificate is active. */
  omitCertificateDates?: boolean;
  /** Leave out the `<root_account>` row, as LocalStack, moto and some partitions do. */
  omitRootRow?: boolean;
}

export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

export const ROOT_ACCOUNT_USER = '<root_account>';

/** 2024-01-02T03:04:05+00:00 (the credential report's date format). */
export function reportDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function bool(value: boolean): string {
  return value ? 'true' : 'false';
}

function byCreation(keys: SimAccessKey[]): SimAccessKey[] {
  return [...keys].sort((a, b) => a.createDate.getTime() - b.createDate.getTime() || cmp(a.accessKeyId, b.accessKeyId));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keyColumns(keys: SimAccessKey[]): string[] {
  const sorted = byCreation(keys);
  const columns: string[] = [];
  for (const slot of [0, 1]) {
    const key = sorted[slot];
    if (!key) {
      columns.push('false', 'N/A', 'N/A', 'N/A', 'N/A');
      continue;
    }
    columns.push(
      bool(key.status === 'Active'),
      reportDate(key.createDate),
      key.lastUsed ? reportDate(key.lastUsed.date) : 'N/A',
      key.lastUsed ? key.lastUsed.region : 'N/A',
      key.lastUsed ? key.lastUsed.service : 'N/A',
    );
  }
  return columns;
}

const NO_CERTS = ['false', 'N/A', 'false', 'N/A'];

function certColumns(certificates: SimSigningCertificate[], options: CredentialReportOptions): string[] {
  const sorted = [...certificates].sort(
    (a, b) => a.uploadDate.getTime() - b.uploadDate.getTime() || cmp(a.certificateId, b.certificateId),
  );
  const columns: string[] = [];
  for (const slot of [0, 1]) {
    const certificate = sorted[slot];
    if (!certificate) columns.push('false', 'N/A');
    else columns.push(bool(certificate.status === 'Active'), options.omitCertificateDates ? 'N/A' : reportDate(certificate.uploadDate));
  }
  return columns;
}

/** When the root user was created: SimRoot.createDate, else the oldest date found in the account. */
export function rootCreateDate(account: SimAccount, fallback: Date): Date {
  if (account.root.createDate) return account.root.createDate;
  let oldest = fallback.getTime();
  for (const user of account.users) oldest = Math.min(oldest, user.createDate.getTime());
  for (const key of account.root.accessKeys) oldest = Math.min(oldest, key.createDate.getTime());
  return new Date(oldest);
}

function rootRow(account: SimAccount, generatedAt: Date): string[] {
  const { root } = account;
  return [
    ROOT_ACCOUNT_USER,
    rootArn(account),
    reportDate(rootCreateDate(account, generatedAt)),
    'not_supported',
    root.passwordLastUsed ? reportDate(root.passwordLastUsed) : 'no_information',
    'not_supported',
    'not_supported',
    bool(root.mfaEnabled),
    ...keyColumns(root.accessKeys),
    ...NO_CERTS,
  ];
}

function userRow(account: SimAccount, user: SimUser, options: CredentialReportOptions): string[] {
  const profile = user.loginProfile;
  const maxAge = account.passwordPolicy?.MaxPasswordAge;
  let nextRotation = 'N/A';
  if (profile && maxAge) nextRotation = reportDate(new Date(profile.createDate.getTime() + maxAge * DAY_MS));
  return [
    user.userName,
    userArn(account, user),
    reportDate(user.createDate),
    bool(profile !== null),
    !profile ? 'N/A' : profile.passwordLastUsed ? reportDate(profile.passwordLastUsed) : 'no_information',
    profile ? reportDate(profile.createDate) : 'N/A',
    nextRotation,
    bool(user.mfaDevices.length > 0),
    ...keyColumns(user.accessKeys),
    ...certColumns(user.signingCertificates ?? [], options),
  ];
}

/** Users in the order ListUsers returns them (by user name). */
export function usersInListOrder(account: SimAccount): SimUser[] {
  return [...account.users].sort((a, b) => cmp(a.userName, b.userName));
}

/** The CSV text (header, root row unless `omitRootRow`, one row per user; lines end with "\n", no trailing newline, as AWS writes it). */
export function buildCredentialReport(account: SimAccount, generatedAt: Date, options: CredentialReportOptions = {}): string {
  const rows: string[][] = [[...CREDENTIAL_REPORT_COLUMNS]];
  if (!options.omitRootRow) rows.push(rootRow(account, generatedAt));
  for (const user of usersInListOrder(account)) rows.push(userRow(account, user, options));
  return rows.map((row) => row.map(csvField).join(',')).join('\n');
}

/** IAM values never contain commas/quotes (user names allow only [\w+=,.@-] — the comma needs quoting). */
function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
