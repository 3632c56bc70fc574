/**
 * Groups, managed policies (AWS managed by ARN from a small fixed table, and the account's customer
 * managed ones with versions) and inline policies: what GetAccountAuthorizationDetails serves.
 *
 * The AWS managed table holds the policies that matter for privilege classification. Administrator,
 * IAMFull, PowerUser and IAMReadOnly carry their real documents; ReadOnlyAccess and SecurityAudit are
 * abridged (the real ones list hundreds of services) but keep their shape: Allow on read actions only.
 * Policy and version ids in the table are stable simulator values, not copies of AWS's.
 */
import {
  PolicyDocument,
  Rng,
  SimAccount,
  SimGroup,
  SimInlinePolicy,
  SimManagedPolicy,
  getUser,
  uniqueId,
} from './model';

export const POLICY_VERSION = '2012-10-17';

/** A one-statement Allow document. */
export function allowDocument(action: string | string[], resource: string | string[] = '*'): PolicyDocument {
  return { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] };
}

export interface AwsManagedPolicy {
  policyName: string;
  policyId: string;
  path: string;
  arn: string;
  description: string;
  defaultVersionId: string;
  document: PolicyDocument;
  createDate: Date;
  updateDate: Date;
}

function awsManaged(policyName: string, policyId: string, path: string, versionId: string, description: string, document: PolicyDocument, updated: string): AwsManagedPolicy {
  return {
    policyName,
    policyId,
    path,
    arn: `arn:aws:iam::aws:policy${path}${policyName}`,
    description,
    defaultVersionId: versionId,
    document,
    createDate: new Date('2015-02-06T18:39:46Z'),
    updateDate: new Date(updated),
  };
}

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  awsManaged('AdministratorAccess', 'ANPASIMADMINISTRATOR1', '/', 'v1', 'Provides full access to AWS services and resources.', allowDocument('*'), '2015-02-06T18:39:46Z'),
  awsManaged(
    'IAMFullAccess',
    'ANPASIMIAMFULLACCESS1',
    '/',
    'v2',
    'Provides full access to IAM via the AWS Management Console.',
    allowDocument([
      'iam:*',
      'organizations:DescribeAccount',
      'organizations:DescribeOrganization',
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribePolicy',
      'organizations:ListChildren',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      'organizations:ListPolicies',
      'organizations:ListTargetsForPolicy',
    ]),
    '2019-06-21T19:40:00Z',
  ),
  awsManaged(
    'PowerUserAccess',
    'ANPASIMPOWERUSERACC01',
    '/',
    'v5',
    'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
    {
      Version: POLICY_VERSION,
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: [
            'account:GetAccountInformation',
            'account:GetPrimaryEmail',
            'account:ListRegions',
            'iam:CreateServiceLinkedRole',
            'iam:DeleteServiceLinkedRole',
            'iam:ListRoles',
            'organizations:DescribeOrganization',
          ],
          Resource: '*',
        },
      ],
    },
    '2023-07-06T22:04:00Z',
  ),
  awsManaged(
    'ReadOnlyAccess',
    'ANPASIMREADONLYACC001',
    '/',
    'v1',
    'Provides read-only access to AWS services and resources (abridged in the simulator).',
    allowDocument(['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*', 'ec2:Describe*', 'iam:Generate*', 'iam:Get*', 'iam:List*', 'lambda:Get*', 'lambda:List*', 's3:Get*', 's3:List*', 'sts:GetCallerIdentity']),
    '2024-01-01T00:00:00Z',
  ),
  awsManaged(
    'IAMReadOnlyAccess',
    'ANPASIMIAMREADONLY001',
    '/',
    'v4',
    'Provides read only access to IAM via the AWS Management Console.',
    allowDocument(['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*', 'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy']),
    '2018-01-25T19:11:27Z',
  ),
  awsManaged(
    'SecurityAudit',
    'ANPASIMSECURITYAUDIT1',
    '/',
    'v1',
    'The security audit template grants access to read security configuration metadata (abridged in the simulator).',
    allowDocument(['iam:GenerateCredentialReport', 'iam:Get*', 'iam:List*', 'organizations:Describe*', 'organizations:List*', 's3:GetBucketPolicy', 'ec2:Describe*']),
    '2024-01-01T00:00:00Z',
  ),
];

export const AWS_MANAGED_POLICY_ARN = {
  AdministratorAccess: 'arn:aws:iam::aws:policy/AdministratorAccess',
  IAMFullAccess: 'arn:aws:iam::aws:policy/IAMFullAccess',
  PowerUserAccess: 'arn:aws:iam::aws:policy/PowerUserAccess',
  ReadOnlyAccess: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  IAMReadOnlyAccess: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
  SecurityAudit: 'arn:aws:iam::aws:policy/SecurityAudit',
} as const;

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.find((p) => p.arn === arn);
}

export function groupArn(account: SimAccount, group: SimGroup): string {
  return `arn:aws:iam::${account.accountId}:group${group.path}${group.groupName}`;
}

export function customerPolicyArn(account: SimAccount, policy: Pick<SimManagedPolicy, 'path' | 'policyName'>): string {
  return `arn:aws:iam::${account.accountId}:policy${policy.path}${policy.policyName}`;
}

export function findCustomerPolicy(account: SimAccount, arn: string): SimManagedPolicy | undefined {
  return (account.policies ?? []).find((p) => customerPolicyArn(account, p) === arn);
}

/** The policy's friendly name for an attachable ARN of this account or AWS; throws for an unknown ARN (AWS: NoSuchEntity). */
export function managedPolicyName(account: SimAccount, arn: string): string {
  const policy = awsManagedPolicy(arn) ?? findCustomerPolicy(account, arn);
  if (!policy) throw new Error(`no such managed policy: ${arn}`);
  return policy.policyName;
}

/** IAM group names are unique case-insensitively, like user names. */
export function findGroup(account: SimAccount, groupName: string): SimGroup | undefined {
  const wanted = groupName.toLowerCase();
  return (account.groups ?? []).find((g) => g.groupName.toLowerCase() === wanted);
}

function checkName(kind: string, name: string, max = 128): void {
  if (!new RegExp(`^[\\w+=,.@-]{1,${max}}$`).test(name)) throw new Error(`invalid IAM ${kind} name: ${name}`);
}

function checkPath(path: string): void {
  if (!path.startsWith('/') || !path.endsWith('/')) throw new Error(`IAM path must start and end with '/': ${path}`);
}

export function addGroup(
  account: SimAccount,
  options: { groupName: string; path?: string; createDate?: Date; attachedPolicies?: string[]; inlinePolicies?: SimInlinePolicy[]; rng?: Rng },
): SimGroup {
  checkName('group', options.groupName);
  if (findGroup(account, options.groupName)) throw new Error(`group already exists: ${options.groupName}`);
  const path = options.path ?? '/';
  checkPath(path);
  const group: SimGroup = {
    groupName: options.groupName,
    groupId: uniqueId(account, options.rng ?? Math.random, 'AGPA', 17),
    path,
    createDate: options.createDate ?? new Date(),
    attachedPolicies: [],
    inlinePolicies: [],
  };
  (account.groups ??= []).push(group);
  for (const arn of options.attachedPolicies ?? []) attachGroupPolicy(account, group.groupName, arn);
  for (const policy of options.inlinePolicies ?? []) putGroupPolicy(account, group.groupName, policy.policyName, policy.document);
  return group;
}

export function getGroup(account: SimAccount, groupName: string): SimGroup {
  const group = findGroup(account, groupName);
  if (!group) throw new Error(`no such simulated group: ${groupName}`);
  return group;
}

export function addUserToGroup(account: SimAccount, userName: string, groupName: string): void {
  const user = getUser(account, userName);
  const group = getGroup(account, groupName);
  const groups = (user.groups ??= []);
  if (!groups.includes(group.groupName)) groups.push(group.groupName);
}

export function removeUserFromGroup(account: SimAccount, userName: string, groupName: string): boolean {
  const user = getUser(account, userName);
  const index = (user.groups ?? []).findIndex((g) => g.toLowerCase() === groupName.toLowerCase());
  if (index < 0) return false;
  user.groups!.splice(index, 1);
  return true;
}

/** AWS allows 10 managed policies per user, group or role (the default quota). */
export const MAX_ATTACHED_POLICIES = 10;

function attach(list: string[], account: SimAccount, arn: string, owner: string): void {
  managedPolicyName(account, arn);
  if (list.includes(arn)) return;
  if (list.length >= MAX_ATTACHED_POLICIES) throw new Error(`${owner} already has ${MAX_ATTACHED_POLICIES} attached policies (AWS quota)`);
  list.push(arn);
}

export function attachUserPolicy(account: SimAccount, userName: string, policyArn: string): void {
  const user = getUser(account, userName);
  attach((user.attachedPolicies ??= []), account, policyArn, `user ${userName}`);
}

export function detachUserPolicy(account: SimAccount, userName: string, policyArn: string): boolean {
  const user = getUser(account, userName);
  const index = (user.attachedPolicies ?? []).indexOf(policyArn);
  if (index < 0) return false;
  user.attachedPolicies!.splice(index, 1);
  return true;
}

export function attachGroupPolicy(account: SimAccount, groupName: string, policyArn: string): void {
  const group = getGroup(account, groupName);
  attach(group.attachedPolicies, account, policyArn, `group ${groupName}`);
}

function put(list: SimInlinePolicy[], policyName: string, document: PolicyDocument): void {
  checkName('policy', policyName);
  const existing = list.find((p) => p.policyName === policyName);
  if (existing) existing.document = document;
  else list.push({ policyName, document });
}

/** Adds or replaces an inline policy of a user (PutUserPolicy). */
export function putUserPolicy(account: SimAccount, userName: string, policyName: string, document: PolicyDocument): void {
  put((getUser(account, userName).inlinePolicies ??= []), policyName, document);
}

export function putGroupPolicy(account: SimAccount, groupName: string, policyName: string, document: PolicyDocument): void {
  put(getGroup(account, groupName).inlinePolicies, policyName, document);
}

/** A customer managed policy with version v1 as its default (CreatePolicy). */
export function createPolicy(
  account: SimAccount,
  options: { policyName: string; document: PolicyDocument; path?: string; description?: string; createDate?: Date; rng?: Rng },
): SimManagedPolicy {
  checkName('policy', options.policyName);
  const path = options.path ?? '/';
  checkPath(path);
  if ((account.policies ?? []).some((p) => p.policyName === options.policyName)) throw new Error(`policy already exists: ${options.policyName}`);
  const createDate = options.createDate ?? new Date();
  const policy: SimManagedPolicy = {
    policyName: options.policyName,
    policyId: uniqueId(account, options.rng ?? Math.random, 'ANPA', 17),
    path,
    description: options.description,
    createDate,
    updateDate: createDate,
    versions: [{ versionId: 'v1', document: options.document, createDate }],
    defaultVersionId: 'v1',
  };
  (account.policies ??= []).push(policy);
  return policy;
}

/** AWS keeps at most 5 versions of a customer managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** A new version (v2, v3, …), by default made the default one (CreatePolicyVersion SetAsDefault). */
export function createPolicyVersion(
  account: SimAccount,
  policyArn: string,
  document: PolicyDocument,
  options: { setAsDefault?: boolean; createDate?: Date } = {},
): string {
  const policy = findCustomerPolicy(account, policyArn);
  if (!policy) throw new Error(`no such customer managed policy: ${policyArn}`);
  if (policy.versions.length >= MAX_POLICY_VERSIONS) throw new Error(`policy ${policy.policyName} already has ${MAX_POLICY_VERSIONS} versions (AWS limit)`);
  const last = Math.max(...policy.versions.map((v) => Number(v.versionId.slice(1))));
  const createDate = options.createDate ?? new Date();
  const versionId = `v${last + 1}`;
  policy.versions.push({ versionId, document, createDate });
  if (options.setAsDefault ?? true) {
    policy.defaultVersionId = versionId;
    policy.updateDate = createDate;
  }
  return versionId;
}

/** How many users, groups and roles of the account have this managed policy attached. */
export function attachmentCount(account: SimAccount, arn: string): number {
  let count = 0;
  for (const u of account.users) if (u.attachedPolicies?.includes(arn)) count++;
  for (const g of account.groups ?? []) if (g.attachedPolicies.includes(arn)) count++;
  for (const r of account.roles ?? []) if (r.attachedPolicies.includes(arn)) count++;
  return count;
}

/** AWS returns policy documents URL-encoded (RFC 3986) in IAM Query answers. */
export function encodePolicyDocument(document: PolicyDocument | Record<string, unknown>): string {
  return encodeURIComponent(JSON.stringify(document));
}
