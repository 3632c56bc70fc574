/**
 * The simulated AWS account: everything the built-in IAM simulator (server.ts) answers from.
 * It is plain, mutable data: tests and the demo change it between scans and the server always
 * answers from the current state.
 *
 * Beyond users, access keys, console passwords, MFA, root and the password policy, an account may
 * hold (all optional, so plain literals and older factories stay valid): per-user SSH public keys,
 * signing certificates and service-specific credentials; groups, customer managed policies, inline
 * policies and AWS managed policy attachments (policies.ts); roles with a trust (roles.ts) that
 * AssumeRole honours (sts.ts); unassigned virtual MFA devices (user-credentials.ts). An AWS
 * Organization of several accounts is organization.ts.
 */

export const DAY_MS = 86_400_000;

export interface SimAccessKey {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: Date;
  /** null = never used. */
  lastUsed: { date: Date; service: string; region: string } | null;
}

export interface SimLoginProfile {
  /** When the console password was set (also reported as password_last_changed). */
  createDate: Date;
  /** null = the password was never used. */
  passwordLastUsed: Date | null;
}

export interface SimUser {
  userName: string;
  userId: string;
  /** IAM path, '/' by default; always starts and ends with '/'. */
  path: string;
  createDate: Date;
  accessKeys: SimAccessKey[];
  /** null = the user has no console password. */
  loginProfile: SimLoginProfile | null;
  /** Virtual devices have an ARN serial (arn:aws:iam::<acct>:mfa/<name>); any other serial is a hardware device. */
  mfaDevices: { serialNumber: string; enableDate: Date }[];
  /** ListSSHPublicKeys (CodeCommit SSH keys). */
  sshPublicKeys?: SimSshPublicKey[];
  /** ListSigningCertificates; also the credential report's cert_1_* / cert_2_* columns (at most 2, as AWS). */
  signingCertificates?: SimSigningCertificate[];
  /** ListServiceSpecificCredentials (CodeCommit, Keyspaces, Bedrock). */
  serviceSpecificCredentials?: SimServiceSpecificCredential[];
  /** Names of the groups the user belongs to. */
  groups?: string[];
  /** ARNs of the managed policies attached to the user (AWS managed or the account's own). */
  attachedPolicies?: string[];
  inlinePolicies?: SimInlinePolicy[];
}

export type SimStatus = 'Active' | 'Inactive';

export interface SimSshPublicKey {
  /** APKA… */
  sshPublicKeyId: string;
  status: SimStatus;
  uploadDate: Date;
}

export interface SimSigningCertificate {
  certificateId: string;
  status: SimStatus;
  uploadDate: Date;
}

export const SERVICE_SPECIFIC_SERVICES = ['codecommit.amazonaws.com', 'cassandra.amazonaws.com', 'bedrock.amazonaws.com'] as const;
export type SimServiceName = (typeof SERVICE_SPECIFIC_SERVICES)[number];

export interface SimServiceSpecificCredential {
  /** ACCA… */
  serviceSpecificCredentialId: string;
  serviceName: SimServiceName;
  status: SimStatus;
  createDate: Date;
  /** CodeCommit / Keyspaces: <user>-at-<account id>; Bedrock API keys: BedrockAPIKey-<suffix>. */
  serviceUserName: string;
  /** Bedrock API keys can expire; undefined = never. */
  expirationDate?: Date;
}

/** An IAM policy document (kept as the object the customer wrote; served URL-encoded JSON as AWS does). */
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
  Principal?: unknown;
}

export interface SimInlinePolicy {
  policyName: string;
  document: PolicyDocument;
}

export interface SimGroup {
  groupName: string;
  /** AGPA… */
  groupId: string;
  path: string;
  createDate: Date;
  attachedPolicies: string[];
  inlinePolicies: SimInlinePolicy[];
}

export interface SimPolicyVersion {
  versionId: string;
  document: PolicyDocument;
  createDate: Date;
}

/** A customer managed policy (AWS managed ones are a fixed table in policies.ts). */
export interface SimManagedPolicy {
  policyName: string;
  /** ANPA… */
  policyId: string;
  path: string;
  description?: string;
  createDate: Date;
  updateDate: Date;
  /** Oldest first; AWS keeps at most 5. */
  versions: SimPolicyVersion[];
  defaultVersionId: string;
}

/**
 * Who may assume a role (the role's trust policy, reduced to what AssumeRole decides on).
 * principals: account ids ('111122223333', or 'arn:aws:iam::111122223333:root': any principal of that
 * account), principal ARNs (a user, a role — whose sessions may then chain into this one — or an
 * assumed-role session ARN), or '*'.
 */
export interface SimRoleTrust {
  principals: string[];
  /** When set, AssumeRole must pass exactly this ExternalId (the sts:ExternalId condition). */
  externalId?: string;
}

export interface SimRole {
  roleName: string;
  /** AROA… */
  roleId: string;
  path: string;
  createDate: Date;
  trust: SimRoleTrust;
  /** The longest DurationSeconds AssumeRole grants (AWS: 3600 default, 43200 at most). */
  maxSessionDurationSeconds: number;
  attachedPolicies: string[];
  inlinePolicies: SimInlinePolicy[];
}

export interface SimRoot {
  mfaEnabled: boolean;
  accessKeys: SimAccessKey[];
  /** null = never used. */
  passwordLastUsed: Date | null;
  /** When the account (root user) was created; credential report user_creation_time. Defaults to the oldest date in the account. */
  createDate?: Date;
  /**
   * The kind of root MFA device while mfaEnabled. A virtual one is listed by ListVirtualMFADevices with serial
   * arn:aws:iam::<acct>:mfa/root-account-mfa-device; a hardware one is absent there (GetAccountSummary still says
   * AccountMFAEnabled 1). Default 'hardware', so a plain account raises no root-MFA finding.
   */
  mfaType?: 'virtual' | 'hardware';
  /** When root MFA was enabled (the virtual device's EnableDate). Default: the root's createDate. */
  mfaEnableDate?: Date;
}

export interface SimPasswordPolicy {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
}

export interface SimAccount {
  accountId: string;
  users: SimUser[];
  root: SimRoot;
  /** null = the account has no password policy. */
  passwordPolicy: SimPasswordPolicy | null;
  groups?: SimGroup[];
  /** Customer managed policies. */
  policies?: SimManagedPolicy[];
  roles?: SimRole[];
  /** Virtual MFA devices created but assigned to nobody (ListVirtualMFADevices AssignmentStatus=Unassigned). */
  unassignedVirtualMfaDevices?: { serialNumber: string }[];
}

/** A random source in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG (deterministic for a given seed). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max] (inclusive). */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: empty list');
  return items[Math.floor(rng() * items.length)]!;
}

/** `now` minus a number of days (exactly N × 86,400,000 ms). */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

// AWS ids use base32 characters after the 4-letter prefix (AKIA…, AIDA…).
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomId(rng: Rng, prefix: string, length: number): string {
  let id = prefix;
  for (let i = 0; i < length; i++) id += ID_CHARS[Math.floor(rng() * ID_CHARS.length)];
  return id;
}

export function userArn(account: SimAccount, user: SimUser): string {
  return `arn:aws:iam::${account.accountId}:user${user.path}${user.userName}`;
}

export function rootArn(account: SimAccount): string {
  return `arn:aws:iam::${account.accountId}:root`;
}

export function emptyAccount(accountId = '123456789012'): SimAccount {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
  return {
    accountId,
    users: [],
    root: { mfaEnabled: true, accessKeys: [], passwordLastUsed: null },
    passwordPolicy: null,
  };
}

/** IAM user names are unique case-insensitively. */
export function findUser(account: SimAccount, userName: string): SimUser | undefined {
  const wanted = userName.toLowerCase();
  return account.users.find((u) => u.userName.length === wanted.length && u.userName.toLowerCase() === wanted);
}

export function getUser(account: SimAccount, userName: string): SimUser {
  const user = findUser(account, userName);
  if (!user) throw new Error(`no such simulated user: ${userName}`);
  return user;
}

/** The user and key for an access key id (root keys have user = null). */
export function findAccessKey(
  account: SimAccount,
  accessKeyId: string,
): { user: SimUser | null; key: SimAccessKey } | undefined {
  for (const user of account.users) {
    const key = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (key) return { user, key };
  }
  const rootKey = account.root.accessKeys.find((k) => k.accessKeyId === accessKeyId);
  return rootKey ? { user: null, key: rootKey } : undefined;
}

/**
 * Ids handed out per account (plus the ids present when the account was first seen), so new ids never
 * collide and deleted ids are never reused. Cached to keep generating thousands of users linear.
 */
const issuedIds = new WeakMap<SimAccount, Set<string>>();

export function uniqueId(account: SimAccount, rng: Rng, prefix: string, length: number): string {
  let taken = issuedIds.get(account);
  if (!taken) {
    taken = new Set<string>();
    for (const u of account.users) {
      taken.add(u.userId);
      for (const k of u.accessKeys) taken.add(k.accessKeyId);
      for (const k of u.sshPublicKeys ?? []) taken.add(k.sshPublicKeyId);
      for (const c of u.signingCertificates ?? []) taken.add(c.certificateId);
      for (const c of u.serviceSpecificCredentials ?? []) taken.add(c.serviceSpecificCredentialId);
    }
    for (const k of account.root.accessKeys) taken.add(k.accessKeyId);
    for (const g of account.groups ?? []) taken.add(g.groupId);
    for (const p of account.policies ?? []) taken.add(p.policyId);
    for (const r of account.roles ?? []) taken.add(r.roleId);
    issuedIds.set(account, taken);
  }
  for (;;) {
    const id = randomId(rng, prefix, length);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

export interface AddUserOptions {
  userName: string;
  /** Default: now. */
  createDate?: Date;
  /** Default '/'. */
  path?: string;
  /** Default: a random AIDA… id. */
  userId?: string;
  /** Give the user a console password. */
  loginProfile?: SimLoginProfile | null;
  /** Number of virtual MFA devices to attach (enabled at the user's createDate). */
  mfaDevices?: number;
  /** Random source for ids; pass a seeded one (mulberry32) for deterministic ids. Default Math.random. */
  rng?: Rng;
}

export function addUser(account: SimAccount, options: AddUserOptions): SimUser {
  const { userName } = options;
  if (!/^[\w+=,.@-]{1,64}$/.test(userName)) throw new Error(`invalid IAM user name: ${userName}`);
  if (findUser(account, userName)) throw new Error(`user already exists: ${userName}`);
  const path = options.path ?? '/';
  if (!path.startsWith('/') || !path.endsWith('/')) throw new Error(`IAM path must start and end with '/': ${path}`);
  const rng = options.rng ?? Math.random;
  const createDate = options.createDate ?? new Date();
  const user: SimUser = {
    userName,
    userId: options.userId ?? uniqueId(account, rng, 'AIDA', 17),
    path,
    createDate,
    accessKeys: [],
    loginProfile: options.loginProfile ?? null,
    mfaDevices: [],
  };
  account.users.push(user);
  for (let i = 0; i < (options.mfaDevices ?? 0); i++) addMfaDevice(account, userName, { enableDate: createDate });
  return user;
}

export interface AddAccessKeyOptions {
  /** Whole days between the key's createDate and `now` (createDate = now − ageDays × 86,400,000 ms). */
  ageDays: number;
  now: Date;
  /** Default 'Active'. */
  status?: 'Active' | 'Inactive';
  /** Days before `now` the key was last used; null/undefined = never used. Must not exceed ageDays. */
  lastUsedDaysAgo?: number | null;
  /** Default 'iam' / 'us-east-1'. */
  lastUsedService?: string;
  lastUsedRegion?: string;
  accessKeyId?: string;
  rng?: Rng;
}

/** AWS allows at most two access keys per user. */
export const MAX_KEYS_PER_USER = 2;

function makeAccessKey(account: SimAccount, options: AddAccessKeyOptions): SimAccessKey {
  const { ageDays, now, lastUsedDaysAgo } = options;
  if (!Number.isFinite(ageDays) || ageDays < 0) throw new Error(`ageDays must be >= 0: ${ageDays}`);
  if (lastUsedDaysAgo != null && (lastUsedDaysAgo < 0 || lastUsedDaysAgo > ageDays)) {
    throw new Error(`lastUsedDaysAgo (${lastUsedDaysAgo}) must be between 0 and ageDays (${ageDays})`);
  }
  const rng = options.rng ?? Math.random;
  return {
    accessKeyId: options.accessKeyId ?? uniqueId(account, rng, 'AKIA', 16),
    status: options.status ?? 'Active',
    createDate: daysBefore(now, ageDays),
    lastUsed:
      lastUsedDaysAgo == null
        ? null
        : {
            date: daysBefore(now, lastUsedDaysAgo),
            service: options.lastUsedService ?? 'iam',
            region: options.lastUsedRegion ?? 'us-east-1',
          },
  };
}

export function addAccessKey(account: SimAccount, userName: string, options: AddAccessKeyOptions): SimAccessKey {
  const user = getUser(account, userName);
  if (user.accessKeys.length >= MAX_KEYS_PER_USER) {
    throw new Error(`user ${userName} already has ${MAX_KEYS_PER_USER} access keys (AWS limit)`);
  }
  const key = makeAccessKey(account, options);
  user.accessKeys.push(key);
  return key;
}

export function addRootAccessKey(account: SimAccount, options: AddAccessKeyOptions): SimAccessKey {
  if (account.root.accessKeys.length >= MAX_KEYS_PER_USER) throw new Error('the root user already has 2 access keys');
  const key = makeAccessKey(account, options);
  account.root.accessKeys.push(key);
  return key;
}

/** Removes a key (user or root); returns false when it does not exist. */
export function deleteAccessKey(account: SimAccount, accessKeyId: string): boolean {
  for (const owner of [...account.users, account.root]) {
    const index = owner.accessKeys.findIndex((k) => k.accessKeyId === accessKeyId);
    if (index >= 0) {
      owner.accessKeys.splice(index, 1);
      return true;
    }
  }
  return false;
}

export function setLoginProfile(
  account: SimAccount,
  userName: string,
  profile: { createDate: Date; passwordLastUsed?: Date | null } | null,
): void {
  const user = getUser(account, userName);
  user.loginProfile = profile ? { createDate: profile.createDate, passwordLastUsed: profile.passwordLastUsed ?? null } : null;
}

export function addMfaDevice(
  account: SimAccount,
  userName: string,
  options: { enableDate: Date; serialNumber?: string },
): { serialNumber: string; enableDate: Date } {
  const user = getUser(account, userName);
  const serialNumber =
    options.serialNumber ??
    `arn:aws:iam::${account.accountId}:mfa/${user.userName}${user.mfaDevices.length ? `-${user.mfaDevices.length + 1}` : ''}`;
  const device = { serialNumber, enableDate: options.enableDate };
  user.mfaDevices.push(device);
  return device;
}
