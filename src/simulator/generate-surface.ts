/**
 * The wider credential surface of a generated account: groups and policies (admins through a group,
 * inline `*:*`, escalation-capable users, conditions and denies that make a classification
 * conservative), SSH public keys, signing certificates, service-specific credentials, root MFA kind.
 *
 * It runs after generateAccount has built users and keys and draws from its own random stream
 * (derived from the seed), so the users, keys and passwords of a seed are exactly what they were
 * before this existed; it only adds to them, never changes a date or an id that was there.
 */
import {
  DAY_MS,
  Rng,
  SimAccount,
  SimUser,
  daysBefore,
  mulberry32,
  pick,
  randInt,
  userArn,
} from './model';
import {
  AWS_MANAGED_POLICY_ARN,
  POLICY_VERSION,
  addGroup,
  addUserToGroup,
  allowDocument,
  attachUserPolicy,
  createPolicy,
  createPolicyVersion,
  customerPolicyArn,
  putGroupPolicy,
  putUserPolicy,
} from './policies';
import {
  MAX_SSH_KEYS_PER_USER,
  addServiceSpecificCredential,
  addSigningCertificate,
  addSshPublicKey,
  addUnassignedVirtualMfaDevice,
} from './user-credentials';

/** A second stream for a seed: independent of mulberry32(seed), the same every time. */
export function surfaceRng(seed: number): Rng {
  return mulberry32((Math.imul(seed ^ 0x5f3759df, 0x9e3779b1) ^ 0x2545f491) >>> 0);
}

/** Group names every generated account has. */
export const GENERATED_GROUPS = {
  admins: 'Admins',
  iamAdmins: 'IAMAdmins',
  developers: 'Developers',
  readOnly: 'ReadOnly',
  auditors: 'Auditors',
} as const;

/** Customer managed policy names every generated account has. */
export const GENERATED_POLICIES = {
  ciDeploy: 'CIDeployPassRole',
  selfServiceKeys: 'SelfServiceAccessKeys',
  reportsRead: 'S3ReportsReadOnly',
} as const;

/** Inline policy names given to the guaranteed privileged users. */
export const GENERATED_INLINE_POLICIES = {
  breakGlass: 'BreakGlassFullAccess',
  keyAdmin: 'IamAccessKeyAdmin',
  policyAttacher: 'IamPolicyAttacher',
  denyIam: 'DenyIamWrites',
} as const;

function ageInDays(now: Date, date: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / DAY_MS);
}

function hasActiveKey(user: SimUser): boolean {
  return user.accessKeys.some((k) => k.status === 'Active');
}

/** Picks users one by one without repeats, preferring those that match. */
class UserPicker {
  private readonly taken = new Set<SimUser>();
  constructor(
    private readonly users: SimUser[],
    private readonly rng: Rng,
  ) {}

  take(matches: (u: SimUser) => boolean): SimUser | undefined {
    const candidates = this.users.filter((u) => !this.taken.has(u) && matches(u));
    if (candidates.length === 0) return undefined;
    const user = pick(this.rng, candidates);
    this.taken.add(user);
    return user;
  }
}

function setUpGroupsAndPolicies(account: SimAccount, created: Date, rng: Rng): void {
  addGroup(account, { groupName: GENERATED_GROUPS.admins, createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.AdministratorAccess], rng });
  addGroup(account, { groupName: GENERATED_GROUPS.iamAdmins, createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.IAMFullAccess], rng });
  addGroup(account, { groupName: GENERATED_GROUPS.developers, createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.PowerUserAccess], rng });
  // PassRole limited by a condition: whether it escalates depends on the condition, so a classifier must say so.
  putGroupPolicy(account, GENERATED_GROUPS.developers, 'PassRoleToLambdaOnly', {
    Version: POLICY_VERSION,
    Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }],
  });
  addGroup(account, { groupName: GENERATED_GROUPS.readOnly, createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.ReadOnlyAccess], rng });
  addGroup(account, { groupName: GENERATED_GROUPS.auditors, createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.SecurityAudit], rng });

  const ci = createPolicy(account, {
    policyName: GENERATED_POLICIES.ciDeploy,
    description: 'CI pipelines deploy CloudFormation stacks and pass their roles',
    createDate: created,
    document: allowDocument(['cloudformation:*', 'lambda:*', 's3:PutObject']),
    rng,
  });
  // Version 2 (the default) added iam:PassRole on every role: the escalation path lives in the newer version only.
  createPolicyVersion(
    account,
    customerPolicyArn(account, ci),
    allowDocument(['cloudformation:*', 'lambda:*', 's3:PutObject', 'iam:PassRole']),
    { createDate: new Date(created.getTime() + 30 * DAY_MS) },
  );
  createPolicy(account, {
    policyName: GENERATED_POLICIES.selfServiceKeys,
    description: 'Users manage their own access keys only',
    createDate: created,
    document: allowDocument(
      ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey', 'iam:ListAccessKeys'],
      `arn:aws:iam::${account.accountId}:user/\${aws:username}`,
    ),
    rng,
  });
  createPolicy(account, {
    policyName: GENERATED_POLICIES.reportsRead,
    createDate: created,
    document: allowDocument(['s3:GetObject', 's3:ListBucket'], ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*']),
    rng,
  });
}

/** Guaranteed privileged users (when the account has enough users with active keys), then random memberships. */
function assignPrivileges(account: SimAccount, rng: Rng, picker: UserPicker): void {
  const policy = (name: string) => customerPolicyArn(account, { path: '/', policyName: name });
  const admin = picker.take(hasActiveKey);
  if (admin) addUserToGroup(account, admin.userName, GENERATED_GROUPS.admins);
  const breakGlass = picker.take(hasActiveKey);
  if (breakGlass) putUserPolicy(account, breakGlass.userName, GENERATED_INLINE_POLICIES.breakGlass, allowDocument('*'));
  const keyAdmin = picker.take(hasActiveKey);
  if (keyAdmin) putUserPolicy(account, keyAdmin.userName, GENERATED_INLINE_POLICIES.keyAdmin, allowDocument(['iam:CreateAccessKey', 'iam:UpdateAccessKey']));
  const deployer = picker.take(hasActiveKey);
  if (deployer) attachUserPolicy(account, deployer.userName, policy(GENERATED_POLICIES.ciDeploy));
  const attacher = picker.take(hasActiveKey);
  if (attacher) putUserPolicy(account, attacher.userName, GENERATED_INLINE_POLICIES.policyAttacher, allowDocument(['iam:AttachUserPolicy', 'iam:PutUserPolicy']));
  // Administrator attached directly, with an explicit Deny on IAM writes beside it.
  const deniedAdmin = picker.take(() => true);
  if (deniedAdmin) {
    attachUserPolicy(account, deniedAdmin.userName, AWS_MANAGED_POLICY_ARN.AdministratorAccess);
    putUserPolicy(account, deniedAdmin.userName, GENERATED_INLINE_POLICIES.denyIam, {
      Version: POLICY_VERSION,
      Statement: [{ Effect: 'Deny', Action: ['iam:Create*', 'iam:Put*', 'iam:Attach*', 'iam:Update*'], Resource: '*' }],
    });
  }
  const iamAdmin = picker.take((u) => u.loginProfile !== null);
  if (iamAdmin) addUserToGroup(account, iamAdmin.userName, GENERATED_GROUPS.iamAdmins);

  for (const user of account.users) {
    const roll = rng();
    if (roll < 0.02) addUserToGroup(account, user.userName, GENERATED_GROUPS.admins);
    else if (roll < 0.3) addUserToGroup(account, user.userName, GENERATED_GROUPS.developers);
    else if (roll < 0.55) addUserToGroup(account, user.userName, GENERATED_GROUPS.readOnly);
    else if (roll < 0.58) addUserToGroup(account, user.userName, GENERATED_GROUPS.auditors);
    if (user.loginProfile === null && rng() < 0.1) attachUserPolicy(account, user.userName, policy(GENERATED_POLICIES.reportsRead));
    if (rng() < 0.05) attachUserPolicy(account, user.userName, policy(GENERATED_POLICIES.selfServiceKeys));
  }
}

/** At most `ageDays`, but never before the user existed. */
function clampAge(user: SimUser, now: Date, ageDays: number): number {
  return Math.min(ageDays, ageInDays(now, user.createDate));
}

function addOtherCredentials(account: SimAccount, now: Date, rng: Rng, picker: UserPicker): void {
  const olderThan = (days: number) => (u: SimUser) => ageInDays(now, u.createDate) > days;
  // Guaranteed: SSH keys (old active, fresh active, old inactive), certificates (old active, inactive, recent),
  // a service-specific credential for each service and an inactive one.
  const sshOld = picker.take(olderThan(400));
  if (sshOld) addSshPublicKey(account, sshOld.userName, { ageDays: 400, now, rng });
  const sshFresh = picker.take(olderThan(10));
  if (sshFresh) addSshPublicKey(account, sshFresh.userName, { ageDays: 10, now, rng });
  const sshInactive = picker.take(olderThan(200));
  if (sshInactive) addSshPublicKey(account, sshInactive.userName, { ageDays: 200, now, status: 'Inactive', rng });
  const certOld = picker.take(olderThan(500));
  if (certOld) addSigningCertificate(account, certOld.userName, { ageDays: 500, now, rng });
  const certInactive = picker.take(olderThan(300));
  if (certInactive) addSigningCertificate(account, certInactive.userName, { ageDays: 300, now, status: 'Inactive', rng });
  const certRecent = picker.take(olderThan(30));
  if (certRecent) addSigningCertificate(account, certRecent.userName, { ageDays: 30, now, rng });
  const codecommit = picker.take(olderThan(200));
  if (codecommit) addServiceSpecificCredential(account, codecommit.userName, { serviceName: 'codecommit.amazonaws.com', ageDays: 200, now, rng });
  const keyspaces = picker.take(olderThan(30));
  if (keyspaces) addServiceSpecificCredential(account, keyspaces.userName, { serviceName: 'cassandra.amazonaws.com', ageDays: 30, now, rng });
  const bedrock = picker.take(olderThan(100));
  if (bedrock) addServiceSpecificCredential(account, bedrock.userName, { serviceName: 'bedrock.amazonaws.com', ageDays: 100, now, rng });
  const serviceInactive = picker.take(olderThan(150));
  if (serviceInactive) {
    addServiceSpecificCredential(account, serviceInactive.userName, { serviceName: 'codecommit.amazonaws.com', ageDays: 150, now, status: 'Inactive', rng });
  }

  for (const user of account.users) {
    if ((user.sshPublicKeys?.length ?? 0) === 0 && rng() < 0.06) {
      addSshPublicKey(account, user.userName, { ageDays: clampAge(user, now, randInt(rng, 0, 700)), now, status: rng() < 0.85 ? 'Active' : 'Inactive', rng });
    }
    if ((user.signingCertificates?.length ?? 0) === 0 && rng() < 0.02) {
      addSigningCertificate(account, user.userName, { ageDays: clampAge(user, now, randInt(rng, 0, 900)), now, status: rng() < 0.7 ? 'Active' : 'Inactive', rng });
    }
    if ((user.serviceSpecificCredentials?.length ?? 0) === 0 && rng() < 0.04) {
      const serviceName = pick(rng, ['codecommit.amazonaws.com', 'codecommit.amazonaws.com', 'cassandra.amazonaws.com', 'bedrock.amazonaws.com'] as const);
      addServiceSpecificCredential(account, user.userName, { serviceName, ageDays: clampAge(user, now, randInt(rng, 0, 600)), now, status: rng() < 0.9 ? 'Active' : 'Inactive', rng });
    }
  }
}

/**
 * Adds groups, policies, privileged users, SSH keys, certificates, service-specific credentials and
 * the root MFA kind to a freshly generated account. Guaranteed items need about 15 users (fewer users
 * get as many as there are users to carry them).
 */
export function addCredentialSurface(account: SimAccount, options: { seed: number; now: Date }): void {
  const { now } = options;
  const rng = surfaceRng(options.seed);
  const rootCreated = account.root.createDate ?? daysBefore(now, 1200);
  // Groups and policies were set up a while after the account was opened.
  const setUp = new Date(rootCreated.getTime() + randInt(rng, 10, 60) * DAY_MS);
  setUpGroupsAndPolicies(account, setUp, rng);
  assignPrivileges(account, rng, new UserPicker(account.users, rng));
  addOtherCredentials(account, now, rng, new UserPicker(account.users, rng));

  account.root.mfaType = rng() < 0.5 ? 'virtual' : 'hardware';
  account.root.mfaEnableDate = new Date(rootCreated.getTime() + randInt(rng, 1, 30) * DAY_MS);
  if (rng() < 0.5) addUnassignedVirtualMfaDevice(account, 'unused-mfa');
}

/**
 * One privilege change and one credential change, the way an account drifts: a user joins the Admins
 * group (or, when everyone is already there, leaves it), and an active SSH key is rotated (or a new
 * user key uploaded). Returns a human-readable line per change.
 */
export function evolveCredentialSurface(account: SimAccount, options: { seed: number; now: Date }): string[] {
  const rng = surfaceRng(options.seed);
  const { now } = options;
  const changes: string[] = [];
  if (account.groups?.some((g) => g.groupName === GENERATED_GROUPS.admins)) {
    const outside = account.users.filter((u) => hasActiveKey(u) && !(u.groups ?? []).includes(GENERATED_GROUPS.admins));
    if (outside.length > 0) {
      const user = pick(rng, outside);
      addUserToGroup(account, user.userName, GENERATED_GROUPS.admins);
      changes.push(`added ${user.userName} (${userArn(account, user)}) to group ${GENERATED_GROUPS.admins}`);
    }
  }
  const withSsh = account.users.filter((u) => (u.sshPublicKeys ?? []).some((k) => k.status === 'Active'));
  if (withSsh.length > 0) {
    const user = pick(rng, withSsh);
    const keys = user.sshPublicKeys!;
    const old = keys.filter((k) => k.status === 'Active').sort((a, b) => a.uploadDate.getTime() - b.uploadDate.getTime())[0]!;
    keys.splice(keys.indexOf(old), 1);
    const fresh = addSshPublicKey(account, user.userName, { ageDays: 0, now, rng });
    changes.push(`rotated SSH key of ${user.userName}: deleted ${old.sshPublicKeyId} (${ageInDays(now, old.uploadDate)} days old), uploaded ${fresh.sshPublicKeyId}`);
  } else if (account.users.some((u) => (u.sshPublicKeys?.length ?? 0) < MAX_SSH_KEYS_PER_USER)) {
    const user = pick(rng, account.users.filter((u) => (u.sshPublicKeys?.length ?? 0) < MAX_SSH_KEYS_PER_USER));
    const fresh = addSshPublicKey(account, user.userName, { ageDays: 0, now, rng });
    changes.push(`uploaded SSH key ${fresh.sshPublicKeyId} for ${user.userName}`);
  }
  return changes;
}
