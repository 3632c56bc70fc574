/**
 * GetAccountAuthorizationDetails: every user (inline policies, groups, attached managed policies),
 * group, role (trust policy) and managed policy (all versions, the default flagged) of the account in
 * one paged listing, as AWS answers it: Filter.member.N narrows the entity types (User, Role, Group,
 * LocalManagedPolicy, AWSManagedPolicy); MaxItems/Marker page across all of them; policy documents are
 * URL-encoded JSON. AWS managed policies are listed when something in the account attaches them.
 */
import { ActionContext, Handler, paginate, validationError } from './action-context';
import { PolicyDocument, SimAccount, SimGroup, SimInlinePolicy, SimManagedPolicy, SimRole, SimUser, userArn } from './model';
import {
  AWS_MANAGED_POLICIES,
  AwsManagedPolicy,
  attachmentCount,
  customerPolicyArn,
  encodePolicyDocument,
  groupArn,
  managedPolicyName,
} from './policies';
import { roleArn, trustPolicyDocument } from './roles';
import { escapeXml, fields, memberList } from './xml';

export const AUTHORIZATION_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type Filter = (typeof AUTHORIZATION_FILTERS)[number];

type Entry =
  | { kind: 'user'; key: string; user: SimUser }
  | { kind: 'group'; key: string; group: SimGroup }
  | { kind: 'role'; key: string; role: SimRole }
  | { kind: 'policy'; key: string; policy: SimManagedPolicy | AwsManagedPolicy; aws: boolean };

function filtersOf(params: URLSearchParams): Set<Filter> {
  const given: string[] = [];
  for (let i = 1; params.has(`Filter.member.${i}`); i++) given.push(params.get(`Filter.member.${i}`)!);
  for (const value of given) {
    if (!(AUTHORIZATION_FILTERS as readonly string[]).includes(value)) {
      throw validationError(
        `[${given.join(', ')}]`,
        'filter',
        `Member must satisfy constraint: [Member must satisfy enum value set: [${AUTHORIZATION_FILTERS.join(', ')}]]`,
      );
    }
  }
  return new Set((given.length ? given : AUTHORIZATION_FILTERS) as Filter[]);
}

function inlineList(name: string, policies: SimInlinePolicy[]): string {
  return memberList(
    name,
    policies.map((p) => fields({ PolicyName: p.policyName, PolicyDocument: encodePolicyDocument(p.document) })),
  );
}

function attachedList(account: SimAccount, arns: string[]): string {
  return memberList(
    'AttachedManagedPolicies',
    arns.map((arn) => fields({ PolicyName: managedPolicyName(account, arn), PolicyArn: arn })),
  );
}

function userDetail(account: SimAccount, user: SimUser): string {
  return (
    fields({ Path: user.path, UserName: user.userName, UserId: user.userId, Arn: userArn(account, user), CreateDate: user.createDate }) +
    inlineList('UserPolicyList', user.inlinePolicies ?? []) +
    memberList('GroupList', (user.groups ?? []).map(escapeXml)) +
    attachedList(account, user.attachedPolicies ?? [])
  );
}

function groupDetail(account: SimAccount, group: SimGroup): string {
  return (
    fields({ Path: group.path, GroupName: group.groupName, GroupId: group.groupId, Arn: groupArn(account, group), CreateDate: group.createDate }) +
    inlineList('GroupPolicyList', group.inlinePolicies) +
    attachedList(account, group.attachedPolicies)
  );
}

function roleDetail(account: SimAccount, role: SimRole): string {
  return (
    fields({
      Path: role.path,
      RoleName: role.roleName,
      RoleId: role.roleId,
      Arn: roleArn(account, role),
      CreateDate: role.createDate,
      AssumeRolePolicyDocument: encodePolicyDocument(trustPolicyDocument(role)),
    }) +
    memberList('InstanceProfileList', []) +
    inlineList('RolePolicyList', role.inlinePolicies) +
    attachedList(account, role.attachedPolicies)
  );
}

function versionXml(versionId: string, document: PolicyDocument, isDefault: boolean, createDate: Date): string {
  return fields({ Document: encodePolicyDocument(document), VersionId: versionId, IsDefaultVersion: isDefault, CreateDate: createDate });
}

function policyDetail(account: SimAccount, policy: SimManagedPolicy | AwsManagedPolicy, aws: boolean): string {
  const arn = aws ? (policy as AwsManagedPolicy).arn : customerPolicyArn(account, policy);
  const versions = aws
    ? [versionXml(policy.defaultVersionId, (policy as AwsManagedPolicy).document, true, policy.updateDate)]
    : (policy as SimManagedPolicy).versions.map((v) => versionXml(v.versionId, v.document, v.versionId === policy.defaultVersionId, v.createDate));
  return (
    fields({
      PolicyName: policy.policyName,
      PolicyId: policy.policyId,
      Arn: arn,
      Path: policy.path,
      DefaultVersionId: policy.defaultVersionId,
      AttachmentCount: attachmentCount(account, arn),
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: policy.description,
      CreateDate: policy.createDate,
      UpdateDate: policy.updateDate,
    }) + memberList('PolicyVersionList', versions)
  );
}

function entries(ctx: ActionContext, filters: Set<Filter>): Entry[] {
  const { account } = ctx;
  const out: Entry[] = [];
  // The sort key keeps AWS's grouping (users, groups, roles, policies) and makes the Marker stable.
  if (filters.has('User')) for (const user of account.users) out.push({ kind: 'user', key: `1|${user.userName}`, user });
  if (filters.has('Group')) for (const group of account.groups ?? []) out.push({ kind: 'group', key: `2|${group.groupName}`, group });
  if (filters.has('Role')) for (const role of account.roles ?? []) out.push({ kind: 'role', key: `3|${role.roleName}`, role });
  if (filters.has('LocalManagedPolicy')) {
    for (const policy of account.policies ?? []) out.push({ kind: 'policy', key: `4|${customerPolicyArn(account, policy)}`, policy, aws: false });
  }
  if (filters.has('AWSManagedPolicy')) {
    for (const policy of AWS_MANAGED_POLICIES) {
      if (attachmentCount(account, policy.arn) > 0) out.push({ kind: 'policy', key: `4|${policy.arn}`, policy, aws: true });
    }
  }
  return out;
}

const getAccountAuthorizationDetails: Handler = (ctx, params) => {
  const { account } = ctx;
  const { page, xml } = paginate(entries(ctx, filtersOf(params)), (e) => e.key, params);
  const users: string[] = [];
  const groups: string[] = [];
  const roles: string[] = [];
  const policies: string[] = [];
  for (const entry of page) {
    if (entry.kind === 'user') users.push(userDetail(account, entry.user));
    else if (entry.kind === 'group') groups.push(groupDetail(account, entry.group));
    else if (entry.kind === 'role') roles.push(roleDetail(account, entry.role));
    else policies.push(policyDetail(account, entry.policy, entry.aws));
  }
  return (
    memberList('UserDetailList', users) +
    memberList('GroupDetailList', groups) +
    memberList('RoleDetailList', roles) +
    memberList('Policies', policies) +
    xml
  );
};

export const AUTHORIZATION_ACTIONS = {
  GetAccountAuthorizationDetails: { service: 'iam', handler: getAccountAuthorizationDetails },
} as const;
