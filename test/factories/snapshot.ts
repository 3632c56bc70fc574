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
  AuthorizationDetailsSnapshot,
  AuthorizedGroupSnapshot,
  AuthorizedUserSnapshot,
  CredentialStatus,
  IamSnapshot,
  LoginProfileSnapshot,
  ManagedPolicySnapshot,
  PasswordPolicySnapshot,
  RootAccountSnapshot,
  ScanSource,
  ServiceCredentialSnapshot,
  ServiceCredentialStatus,
  SigningCertificateSnapshot,
  SshPublicKeySnapshot,
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

let credentialSeq = 0;
const nextSeq = () => String((credentialSeq += 1)).padStart(12, '0');

export interface SshKeyOptions {
  id?: string;
  status?: CredentialStatus;
  /** Whole days since upload (default 10); fractions allowed. */
  ageDays?: number;
  now?: Date;
}

export function anSshKey(opts: SshKeyOptions = {}): SshPublicKeySnapshot {
  return {
    sshPublicKeyId: opts.id ?? `APKATEST${nextSeq()}`,
    status: opts.status ?? 'Active',
    uploadedAt: daysAgo(opts.ageDays ?? 10, opts.now ?? NOW),
  };
}

export function aSigningCertificate(opts: SshKeyOptions = {}): SigningCertificateSnapshot {
  return {
    certificateId: opts.id ?? `CERTTEST${nextSeq()}`,
    status: opts.status ?? 'Active',
    uploadedAt: daysAgo(opts.ageDays ?? 10, opts.now ?? NOW),
  };
}

export interface ServiceCredentialOptions {
  id?: string;
  serviceName?: string;
  serviceUserName?: string | null;
  status?: ServiceCredentialStatus;
  /** Whole days since creation (default 10); fractions allowed. */
  ageDays?: number;
  now?: Date;
}

export function aServiceCredential(opts: ServiceCredentialOptions = {}): ServiceCredentialSnapshot {
  return {
    serviceSpecificCredentialId: opts.id ?? `ACCATEST${nextSeq()}`,
    serviceName: opts.serviceName ?? 'codecommit.amazonaws.com',
    serviceUserName: opts.serviceUserName === undefined ? 'alice-at-123456789012' : opts.serviceUserName,
    status: opts.status ?? 'Active',
    createdAt: daysAgo(opts.ageDays ?? 10, opts.now ?? NOW),
  };
}

export interface UserOptions {
  name?: string;
  keys?: AccessKeySnapshot[];
  /** Default null (no console password); explicit undefined = not collected. */
  loginProfile?: LoginProfileSnapshot | null;
  /** Default 0; explicit undefined = not collected. */
  mfaDeviceCount?: number;
  /** Default [] (none); explicit undefined = not collected. */
  sshPublicKeys?: SshPublicKeySnapshot[];
  signingCertificates?: SigningCertificateSnapshot[];
  serviceCredentials?: ServiceCredentialSnapshot[];
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
    sshPublicKeys: pick(opts, 'sshPublicKeys', []),
    signingCertificates: pick(opts, 'signingCertificates', []),
    serviceCredentials: pick(opts, 'serviceCredentials', []),
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
  /** Root's virtual MFA device serial; default null (hardware MFA); explicit undefined = not collected. */
  virtualMfaSerial?: string | null;
  now?: Date;
}

/** A healthy root by default: hardware MFA on, no keys, never used. */
export function aRoot(opts: RootOptions = {}): RootAccountSnapshot {
  const now = opts.now ?? NOW;
  return {
    mfaEnabled: opts.mfaEnabled ?? true,
    accessKeyCount: opts.accessKeyCount ?? opts.activeAccessKeyCount ?? 0,
    activeAccessKeyCount: opts.activeAccessKeyCount,
    passwordLastUsedAt: when(pick(opts, 'passwordLastUsedDaysAgo', null), now),
    accessKeyLastUsedAt: when(pick(opts, 'accessKeyLastUsedDaysAgo', null), now),
    virtualMfaSerial: pick(opts, 'virtualMfaSerial', null),
  };
}

export const ROOT_VIRTUAL_MFA_SERIAL = `arn:aws:iam::${ACCOUNT_ID}:mfa/root-account-mfa-device`;

// ---- Authorization details (GetAccountAuthorizationDetails) and policy documents ----------------

type OneOrMany = string | string[];

/** One policy statement as IAM writes it. */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action?: OneOrMany;
  NotAction?: OneOrMany;
  Resource?: OneOrMany;
  NotResource?: OneOrMany;
  Condition?: Record<string, Record<string, OneOrMany>>;
}

export const allow = (action: OneOrMany, resource: OneOrMany = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});

export const deny = (action: OneOrMany, resource: OneOrMany = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});

/** A policy document's JSON text with these statements (an array, or one object with `single`). */
export function policyDocument(statements: PolicyStatement[], opts: { single?: boolean } = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: opts.single ? statements[0] : statements });
}

export const awsPolicyArn = (name: string) => `arn:aws:iam::aws:policy/${name}`;
export const customerPolicyArn = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:policy/${name}`;
export const groupArn = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:group/${name}`;

export interface AuthorizedUserOptions {
  name?: string;
  /** Inline policies: name → document JSON text. */
  inline?: Record<string, string>;
  /** Attached managed policy ARNs. */
  attached?: string[];
  groups?: string[];
  permissionsBoundaryArn?: string | null;
}

/** A user as GetAccountAuthorizationDetails describes it; by default with no policy and no group. */
export function anAuthorizedUser(opts: AuthorizedUserOptions = {}): AuthorizedUserSnapshot {
  const name = opts.name ?? 'alice';
  return {
    userName: name,
    arn: userArn(name),
    inlinePolicies: Object.entries(opts.inline ?? {}).map(([policyName, document]) => ({ policyName, document })),
    attachedPolicyArns: opts.attached ?? [],
    groupNames: opts.groups ?? [],
    permissionsBoundaryArn: opts.permissionsBoundaryArn ?? null,
  };
}

export function aGroup(opts: { name: string; inline?: Record<string, string>; attached?: string[] }): AuthorizedGroupSnapshot {
  return {
    groupName: opts.name,
    arn: groupArn(opts.name),
    inlinePolicies: Object.entries(opts.inline ?? {}).map(([policyName, document]) => ({ policyName, document })),
    attachedPolicyArns: opts.attached ?? [],
  };
}

export function aManagedPolicy(name: string, document: string): ManagedPolicySnapshot {
  return { policyName: name, arn: customerPolicyArn(name), defaultVersionDocument: document };
}

export function anAuthorizationDetails(
  opts: { users?: AuthorizedUserSnapshot[]; groups?: AuthorizedGroupSnapshot[]; policies?: ManagedPolicySnapshot[] } = {},
): AuthorizationDetailsSnapshot {
  return { users: opts.users ?? [], groups: opts.groups ?? [], policies: opts.policies ?? [] };
}

/** The `Admins` group with AdministratorAccess attached. */
export const adminsGroup = () => aGroup({ name: 'Admins', attached: [awsPolicyArn('AdministratorAccess')] });

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
  /**
   * Default: every user in the details with no policy and no group (standard); explicit undefined =
   * not collected.
   */
  authorizationDetails?: AuthorizationDetailsSnapshot;
  now?: Date;
}

/** A credential-report snapshot of account 123456789012 collected at NOW, healthy unless told otherwise. */
export function aSnapshot(opts: SnapshotOptions = {}): IamSnapshot {
  const users = opts.users ?? [];
  return {
    accountId: opts.accountId ?? ACCOUNT_ID,
    source: opts.source ?? 'credential_report',
    collectedAt: opts.now ?? NOW,
    users,
    root: pick(opts, 'root', aRoot()),
    passwordPolicy: pick(opts, 'passwordPolicy', aPasswordPolicy()),
    authorizationDetails: pick(opts, 'authorizationDetails', anAuthorizationDetails({ users: users.map((u) => anAuthorizedUser({ name: u.userName })) })),
  };
}
