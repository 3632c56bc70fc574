/**
 * The IamSnapshot is everything one scan collected from one AWS account.
 * Collection happens once per run (src/aws); checks (src/checks) are pure functions over it.
 *
 * Convention for optional data: a field that is `undefined` was NOT collected (the source cannot
 * provide it, or no enabled check needed it). `null` means "collected, and there is none"
 * (e.g. a user without a console password, a key that was never used, an account with no password policy).
 * For lists the same holds with `[]` for "collected, and there is none" (a user without SSH keys).
 *
 * Each field says which IAM API (or credential-report column) it comes from. DATA_NEED_IAM_ACTIONS
 * at the end of this file is the one table of which IAM actions each source spends on each piece
 * of data; the collectors (src/aws) and docs/iam-policy.md follow it.
 */
import type { LearnedCredentials } from './known-credentials';

export const SCAN_SOURCES = ['api', 'credential_report'] as const;
export type ScanSource = (typeof SCAN_SOURCES)[number];

/** Status of an access key, SSH public key or signing certificate (IAM's StatusType). */
export type AccessKeyStatus = 'Active' | 'Inactive';
export type CredentialStatus = AccessKeyStatus;

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

/** One SSH public key of a user (ListSSHPublicKeys: SSHPublicKeyId, Status, UploadDate). Used for CodeCommit. */
export interface SshPublicKeySnapshot {
  /** APKA…: the finding's resource id. */
  sshPublicKeyId: string;
  status: CredentialStatus;
  uploadedAt: Date;
}

/**
 * One X.509 signing certificate of a user (ListSigningCertificates: CertificateId, Status, UploadDate).
 * The credential report has cert_N_active / cert_N_last_rotated for two slots but no certificate id:
 * for the users whose row shows an active certificate, the report source lists the certificates with
 * ListSigningCertificates and keeps that listing (ids, status, upload dates — also where the report
 * says N/A, as LocalStack and moto do); a slot whose certificate is no longer listed is left out. It
 * never invents an id or guesses an age. Users whose row shows no active certificate get [] without
 * a call (their inactive certificates, which no check reports, are left out: the report has no ids).
 */
export interface SigningCertificateSnapshot {
  /** The certificate id (40 hex characters at AWS): the finding's resource id, never a report slot. */
  certificateId: string;
  status: CredentialStatus;
  uploadedAt: Date;
}

/** IAM's StatusType for service-specific credentials also has Expired (Bedrock API keys can expire). */
export type ServiceCredentialStatus = 'Active' | 'Inactive' | 'Expired';

/**
 * One service-specific credential of a user (ListServiceSpecificCredentials:
 * ServiceSpecificCredentialId, ServiceName, ServiceUserName, Status, CreateDate): a password for
 * CodeCommit (HTTPS Git), Amazon Keyspaces, or an Amazon Bedrock API key.
 */
export interface ServiceCredentialSnapshot {
  /** ACCA…: the finding's resource id. */
  serviceSpecificCredentialId: string;
  /** e.g. codecommit.amazonaws.com, cassandra.amazonaws.com, bedrock.amazonaws.com */
  serviceName: string;
  /** The user name to sign in to the service with (ServiceUserName); null when IAM gives none. */
  serviceUserName: string | null;
  status: ServiceCredentialStatus;
  createdAt: Date;
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
  /** ListSSHPublicKeys (api source only: the report has no SSH columns). undefined = not collected; [] = none. */
  sshPublicKeys?: SshPublicKeySnapshot[];
  /** ListSigningCertificates, or the report's cert_N columns (see SigningCertificateSnapshot). undefined = not collected; [] = none. */
  signingCertificates?: SigningCertificateSnapshot[];
  /** ListServiceSpecificCredentials (api source only). undefined = not collected; [] = none. */
  serviceCredentials?: ServiceCredentialSnapshot[];
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
  /**
   * The serial number of root's virtual MFA device: ListVirtualMFADevices (AssignmentStatus
   * Assigned, all pages) lists a device whose User.Arn is the account's root ARN
   * (arn:aws:iam::ACCOUNT:root; its serial is usually arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device).
   * null = no virtual device is assigned to root (with mfaEnabled: a hardware device).
   * undefined = not collected. Both sources can provide it (one call, or a few pages).
   */
  virtualMfaSerial?: string | null;
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

/** An inline policy (PolicyName, PolicyDocument of a UserPolicyList / GroupPolicyList entry). */
export interface InlinePolicySnapshot {
  policyName: string;
  /**
   * The policy document as JSON text. IAM returns documents URL-encoded (RFC 3986); the collector
   * decodes them (decodeURIComponent) and does not parse them: src/checks/privilege.ts parses, and
   * says so when a document cannot be read.
   */
  document: string;
}

/** A user as GetAccountAuthorizationDetails (Filter User) describes it: UserDetailList. */
export interface AuthorizedUserSnapshot {
  userName: string;
  /** Matches UserSnapshot.arn: classifications are looked up by ARN. */
  arn: string;
  /** UserPolicyList. */
  inlinePolicies: InlinePolicySnapshot[];
  /** AttachedManagedPolicies[].PolicyArn: AWS managed (arn:aws:iam::aws:policy/…) and customer managed. */
  attachedPolicyArns: string[];
  /** GroupList: the names of the groups the user belongs to. */
  groupNames: string[];
  /** PermissionsBoundary.PermissionsBoundaryArn; null = no permissions boundary. */
  permissionsBoundaryArn: string | null;
}

/** A group as GetAccountAuthorizationDetails (Filter Group) describes it: GroupDetailList. */
export interface AuthorizedGroupSnapshot {
  groupName: string;
  arn: string;
  /** GroupPolicyList. */
  inlinePolicies: InlinePolicySnapshot[];
  /** AttachedManagedPolicies[].PolicyArn. */
  attachedPolicyArns: string[];
}

/** A customer-managed policy (GetAccountAuthorizationDetails Filter LocalManagedPolicy: Policies). */
export interface ManagedPolicySnapshot {
  policyName: string;
  arn: string;
  /** The Document of the PolicyVersionList entry with IsDefaultVersion true, URL-decoded JSON text. */
  defaultVersionDocument: string;
}

/**
 * What each user can do, from GetAccountAuthorizationDetails with the filters User, Group and
 * LocalManagedPolicy, every page (Marker / IsTruncated): a handful of calls for a whole account.
 * AWS managed policies are not in it (that filter would add hundreds of documents): they are
 * recognised by ARN in src/checks/privilege.ts.
 */
export interface AuthorizationDetailsSnapshot {
  users: AuthorizedUserSnapshot[];
  groups: AuthorizedGroupSnapshot[];
  /** Customer-managed policies only. */
  policies: ManagedPolicySnapshot[];
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
  /** GetAccountAuthorizationDetails (both sources). undefined = not collected. */
  authorizationDetails?: AuthorizationDetailsSnapshot;
  /**
   * Why data the checks asked for is absent although the source normally provides it, one sentence
   * per data need: a credential report without a `<root_account>` row (LocalStack, moto, some
   * partitions) leaves root_account, root_last_used and root_virtual_mfa out. evaluateChecks gives
   * this sentence as the reason the checks needing that data are skipped.
   */
  notCollectedReasons?: Partial<Record<DataNeed, string>>;
  /**
   * The credential ids this collection can vouch for, by kind (src/domain/known-credentials.ts): stored
   * with the run (in the transaction that records it), so that the next credential-report scan of the
   * target needs no listing for users whose report rows show only known credentials. undefined:
   * nothing learned (the store keeps what it knew).
   */
  learnedCredentials?: LearnedCredentials;
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
  'ssh_keys', // ListSSHPublicKeys per user (api only)
  'signing_certificates', // ListSigningCertificates per user (credential report: cert_N_active / cert_N_last_rotated)
  'service_credentials', // ListServiceSpecificCredentials per user (api only)
  'root_virtual_mfa', // ListVirtualMFADevices (is root's MFA device virtual?)
  'authorization_details', // GetAccountAuthorizationDetails (what each user can do)
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
  ssh_keys: 'SSH public keys',
  signing_certificates: 'signing certificates',
  service_credentials: 'service-specific credentials',
  root_virtual_mfa: "root's MFA device type (virtual MFA devices)",
  authorization_details: 'authorization details (groups and policies)',
};

/** An IAM action as a policy names it. */
export type IamAction = `iam:${string}`;

/** Every credential_report scan downloads the report. */
const REPORT: readonly IamAction[] = ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'];

/**
 * The IAM actions a scan of each source makes whatever the checks need: the users and their keys
 * (the api source lists them; the report source lists the keys of users whose row shows one, to
 * learn their ids).
 */
export const SOURCE_BASELINE_IAM_ACTIONS: Record<ScanSource, readonly IamAction[]> = {
  api: ['iam:ListUsers', 'iam:ListAccessKeys'],
  credential_report: [...REPORT, 'iam:ListAccessKeys'],
};

/**
 * The one table of which IAM actions each source spends on each data need, on top of its
 * baseline. A need absent for a source is one that source cannot provide (SOURCE_PROVIDES is
 * derived from this). The collectors in src/aws make exactly these calls for the needs they are
 * given, and docs/iam-policy.md allows exactly the baseline plus the actions of the needs some
 * check declares (test/ops/docs.test.ts holds the three together).
 */
export const DATA_NEED_IAM_ACTIONS: Record<ScanSource, Partial<Record<DataNeed, readonly IamAction[]>>> = {
  api: {
    access_keys: ['iam:ListUsers', 'iam:ListAccessKeys'],
    key_last_used: ['iam:GetAccessKeyLastUsed'],
    // PasswordLastUsed comes from ListUsers (baseline).
    login_profiles: ['iam:GetLoginProfile'],
    mfa_devices: ['iam:ListMFADevices'],
    root_account: ['iam:GetAccountSummary'],
    password_policy: ['iam:GetAccountPasswordPolicy'],
    ssh_keys: ['iam:ListSSHPublicKeys'],
    signing_certificates: ['iam:ListSigningCertificates'],
    service_credentials: ['iam:ListServiceSpecificCredentials'],
    root_virtual_mfa: ['iam:ListVirtualMFADevices'],
    authorization_details: ['iam:GetAccountAuthorizationDetails'],
  },
  credential_report: {
    access_keys: [...REPORT, 'iam:ListAccessKeys'],
    // Only for keys ListAccessKeys lists but the report does not describe (newer than the report).
    key_last_used: [...REPORT, 'iam:GetAccessKeyLastUsed'],
    login_profiles: REPORT,
    mfa_devices: REPORT,
    root_account: REPORT,
    root_last_used: REPORT,
    password_policy: ['iam:GetAccountPasswordPolicy'],
    // cert_N_active / cert_N_last_rotated, and ListSigningCertificates for the users whose row
    // shows an active certificate (certificate ids; upload dates the report leaves N/A).
    signing_certificates: [...REPORT, 'iam:ListSigningCertificates'],
    root_virtual_mfa: ['iam:ListVirtualMFADevices'],
    authorization_details: ['iam:GetAccountAuthorizationDetails'],
  },
};

/** Which data each source can provide (the needs DATA_NEED_IAM_ACTIONS lists for it), in canonical order. */
export const SOURCE_PROVIDES: Record<ScanSource, readonly DataNeed[]> = {
  api: providedBy('api'),
  credential_report: providedBy('credential_report'),
};

function providedBy(source: ScanSource): readonly DataNeed[] {
  return DATA_NEEDS.filter((need) => DATA_NEED_IAM_ACTIONS[source][need] !== undefined);
}

/** The IAM actions a scan of `source` may make for these needs: the baseline plus each provided need's actions, without repeats. */
export function iamActionsFor(source: ScanSource, needs: readonly DataNeed[]): IamAction[] {
  const actions = new Set<IamAction>(SOURCE_BASELINE_IAM_ACTIONS[source]);
  for (const need of needs) for (const action of DATA_NEED_IAM_ACTIONS[source][need] ?? []) actions.add(action);
  return [...actions];
}
