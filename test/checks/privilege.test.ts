/**
 * Privilege classification over a table of policy documents: each row is one account's authorization
 * details (GetAccountAuthorizationDetails) and what keywatch must say about user `u`.
 */
import { classifyUsers } from '../../src/checks/privilege';
import type { AuthorizationDetailsSnapshot } from '../../src/domain/snapshot';
import {
  ACCOUNT_ID,
  aGroup,
  aManagedPolicy,
  adminsGroup,
  allow,
  anAuthorizationDetails,
  anAuthorizedUser,
  awsPolicyArn,
  customerPolicyArn,
  deny,
  policyDocument,
  userArn,
  type AuthorizedUserOptions,
} from '../factories/snapshot';

const inline = (...statements: Parameters<typeof policyDocument>[0]) => ({ inline: { p: policyDocument(statements) } });
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const VERIFY_DENY = ' (a Deny statement may restrict this; verify)';
const VERIFY_CONDITION = ' (a condition may restrict this; verify)';

interface Row {
  when: string;
  user: AuthorizedUserOptions;
  account?: Partial<Pick<AuthorizationDetailsSnapshot, 'groups' | 'policies'>> & { otherUsers?: string[] };
  privilege: 'admin' | 'privilege_escalation' | 'standard';
  reason: string;
}

const rows: Row[] = [
  // ---- admin
  {
    when: 'AdministratorAccess is attached to a group the user is in',
    user: { groups: ['Admins'] },
    account: { groups: [adminsGroup()] },
    privilege: 'admin',
    reason: 'admin through group Admins → AdministratorAccess',
  },
  {
    when: 'AdministratorAccess is attached to the user',
    user: { attached: [awsPolicyArn('AdministratorAccess')] },
    privilege: 'admin',
    reason: 'admin through AdministratorAccess',
  },
  {
    when: "an inline policy allows * on * (Statement as an array)",
    user: { inline: { ops: policyDocument([allow('*', '*')]) } },
    privilege: 'admin',
    reason: "admin through inline policy 'ops' (allows * on *)",
  },
  {
    when: 'an inline policy allows *:* on * (Statement as one object)',
    user: { inline: { ops: policyDocument([allow('*:*', '*')], { single: true }) } },
    privilege: 'admin',
    reason: "admin through inline policy 'ops' (allows * on *)",
  },
  {
    when: "a customer-managed policy attached to a group allows * on *",
    user: { groups: ['Ops'] },
    account: {
      groups: [aGroup({ name: 'Ops', attached: [customerPolicyArn('Everything')] })],
      policies: [aManagedPolicy('Everything', policyDocument([allow(['s3:*', '*'], ['*'])]))],
    },
    privilege: 'admin',
    reason: "admin through group Ops → policy 'Everything' (allows * on *)",
  },
  {
    when: "a group's inline policy allows * on *",
    user: { groups: ['Ops'] },
    account: { groups: [aGroup({ name: 'Ops', inline: { all: policyDocument([allow('*')]) } })] },
    privilege: 'admin',
    reason: "admin through group Ops → inline policy 'all' (allows * on *)",
  },
  {
    when: 'an admin also has an explicit Deny (on iam:*)',
    user: { groups: ['Admins'], ...inline(deny('iam:*')) },
    account: { groups: [adminsGroup()] },
    privilege: 'admin',
    reason: `admin through group Admins → AdministratorAccess${VERIFY_DENY}`,
  },
  {
    when: 'the only * on * statement has a condition (MFA)',
    user: inline(allow('*', '*', { Condition: MFA })),
    privilege: 'admin',
    reason: `admin through inline policy 'p' (allows * on *)${VERIFY_CONDITION}`,
  },
  {
    when: 'an admin has a permissions boundary',
    user: { attached: [awsPolicyArn('AdministratorAccess')], permissionsBoundaryArn: customerPolicyArn('Boundary') },
    privilege: 'admin',
    reason: 'admin through AdministratorAccess (a permissions boundary may restrict this; verify)',
  },
  {
    when: '* is allowed only on one bucket (not every resource)',
    user: inline(allow('*', 'arn:aws:s3:::logs/*')),
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },

  // ---- privilege escalation
  {
    when: 'an inline policy allows iam:CreateAccessKey on *',
    user: inline(allow('iam:CreateAccessKey')),
    privilege: 'privilege_escalation',
    reason: "can iam:CreateAccessKey on * through inline policy 'p'",
  },
  {
    when: 'a wildcard action iam:Create* is allowed on every user',
    user: inline(allow('iam:Create*', `arn:aws:iam::${ACCOUNT_ID}:user/*`)),
    privilege: 'privilege_escalation',
    reason: `can iam:CreateAccessKey on arn:aws:iam::${ACCOUNT_ID}:user/* through inline policy 'p' (and 1 more escalation action)`,
  },
  {
    when: 'IAMFullAccess (AWS managed, by ARN) is attached',
    user: { attached: [awsPolicyArn('IAMFullAccess')] },
    privilege: 'privilege_escalation',
    reason: 'can iam:CreateAccessKey on * through IAMFullAccess (and 12 more escalation actions)',
  },
  {
    when: 'PowerUserAccess (AWS managed, by ARN) is attached: everything but IAM, yet sts:AssumeRole on every role',
    user: { attached: [awsPolicyArn('PowerUserAccess')] },
    privilege: 'privilege_escalation',
    reason: 'can sts:AssumeRole on * through PowerUserAccess',
  },
  {
    when: 'NotAction excludes iam:* but not sts:* (like PowerUserAccess)',
    user: { inline: { power: policyDocument([{ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' }]) } },
    privilege: 'privilege_escalation',
    reason: "can sts:AssumeRole on * through inline policy 'power'",
  },
  {
    when: 'NotAction excludes iam:* and sts:* (nothing to escalate with)',
    user: { inline: { power: policyDocument([{ Effect: 'Allow', NotAction: ['iam:*', 'sts:*'], Resource: '*' }]) } },
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'actions are written in another case (IAM actions are case-insensitive)',
    user: inline(allow('IAM:createaccesskey')),
    privilege: 'privilege_escalation',
    reason: "can iam:CreateAccessKey on * through inline policy 'p'",
  },
  {
    when: 'an explicit unconditional Deny takes the only escalation action away',
    user: inline(allow(['iam:CreateAccessKey', 's3:GetObject']), deny('iam:CreateAccessKey')),
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'the Deny is conditional (it may not apply)',
    user: inline(allow('iam:CreateAccessKey'), deny('iam:*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })),
    privilege: 'privilege_escalation',
    reason: `can iam:CreateAccessKey on * through inline policy 'p'${VERIFY_DENY}`,
  },
  {
    when: 'the Deny protects one named user only (the grant on every other user stands)',
    user: inline(allow('iam:CreateAccessKey'), deny('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT_ID}:user/breakglass`)),
    privilege: 'privilege_escalation',
    reason: "can iam:CreateAccessKey on * through inline policy 'p'",
  },
  {
    when: 'the escalation grant has a condition',
    user: inline(allow('iam:AttachUserPolicy', '*', { Condition: MFA })),
    privilege: 'privilege_escalation',
    reason: `can iam:AttachUserPolicy on * through inline policy 'p'${VERIFY_CONDITION}`,
  },
  {
    when: "CreateAccessKey is limited to the user's own ARN (${aws:username}): a user managing their own keys",
    user: inline(allow(['iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys'], 'arn:aws:iam::*:user/${aws:username}')),
    account: { otherUsers: ['bob', 'carol'] },
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'CreateAccessKey is allowed on one named other user',
    user: inline(allow('iam:CreateAccessKey', userArn('bob'))),
    account: { otherUsers: ['bob'] },
    privilege: 'privilege_escalation',
    reason: "can iam:CreateAccessKey on user bob through inline policy 'p'",
  },
  {
    when: 'AttachUserPolicy is limited to the user itself (it can make itself admin)',
    user: inline(allow('iam:AttachUserPolicy', 'arn:aws:iam::*:user/${aws:username}')),
    account: { otherUsers: ['bob'] },
    privilege: 'privilege_escalation',
    reason: "can iam:AttachUserPolicy on itself through inline policy 'p'",
  },
  {
    when: 'NotResource leaves every user but itself',
    user: { inline: { p: policyDocument([{ Effect: 'Allow', Action: 'iam:CreateLoginProfile', NotResource: 'arn:aws:iam::*:user/${aws:username}' }]) } },
    privilege: 'privilege_escalation',
    reason: "can iam:CreateLoginProfile on every resource except arn:aws:iam::*:user/${aws:username} through inline policy 'p'",
  },
  {
    when: 'AddUserToGroup is allowed on the Admins group through a group policy',
    user: { groups: ['Helpdesk'] },
    account: {
      groups: [adminsGroup(), aGroup({ name: 'Helpdesk', inline: { join: policyDocument([allow('iam:AddUserToGroup', `arn:aws:iam::${ACCOUNT_ID}:group/Admins`)]) } })],
    },
    privilege: 'privilege_escalation',
    reason: "can iam:AddUserToGroup on group Admins through group Helpdesk → inline policy 'join'",
  },
  {
    when: 'CreatePolicyVersion is allowed on a customer-managed policy',
    user: inline(allow('iam:CreatePolicyVersion', customerPolicyArn('Deploy'))),
    account: { policies: [aManagedPolicy('Deploy', policyDocument([allow('s3:PutObject', 'arn:aws:s3:::site/*')]))] },
    privilege: 'privilege_escalation',
    reason: "can iam:CreatePolicyVersion on policy 'Deploy' through inline policy 'p'",
  },
  {
    when: 'iam:PassRole on every role with ec2:RunInstances',
    user: inline(allow(['iam:PassRole', 'ec2:RunInstances'])),
    privilege: 'privilege_escalation',
    reason: "can iam:PassRole on * with ec2:RunInstances through inline policy 'p'",
  },
  {
    when: 'iam:PassRole on every role without any compute action',
    user: inline(allow('iam:PassRole')),
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'iam:PassRole only on one named role (roles are not collected)',
    user: inline(allow('iam:PassRole', `arn:aws:iam::${ACCOUNT_ID}:role/lambda-exec`), allow('lambda:CreateFunction')),
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'sts:AssumeRole on every role',
    user: inline(allow('sts:AssumeRole', 'arn:aws:iam::*:role/*')),
    privilege: 'privilege_escalation',
    reason: "can sts:AssumeRole on arn:aws:iam::*:role/* through inline policy 'p'",
  },
  {
    when: 'sts:AssumeRole on one named role',
    user: inline(allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT_ID}:role/ReadOnly`)),
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'a tag policy variable decides the resource (it may restrict the grant)',
    user: inline(allow('iam:CreateAccessKey', 'arn:aws:iam::*:user/${aws:PrincipalTag/team}-*')),
    privilege: 'privilege_escalation',
    reason: "can iam:CreateAccessKey on arn:aws:iam::*:user/${aws:PrincipalTag/team}-* through inline policy 'p' (a policy variable may restrict this; verify)",
  },

  // ---- standard
  {
    when: 'the user has no policy and no group',
    user: {},
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'ReadOnlyAccess (a known read-only AWS managed policy) is attached',
    user: { attached: [awsPolicyArn('ReadOnlyAccess'), awsPolicyArn('job-function/ViewOnlyAccess')] },
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found',
  },
  {
    when: 'an AWS managed policy keywatch does not know is attached',
    user: { attached: [awsPolicyArn('AmazonS3FullAccess')] },
    privilege: 'standard',
    reason: 'no admin or privilege-escalation permission found; not evaluated: AmazonS3FullAccess (an AWS managed policy keywatch does not know)',
  },
  {
    when: 'an inline policy is not a readable document, and a group is missing from the details',
    user: { inline: { broken: '{"Statement": "nope"' }, groups: ['Gone'] },
    privilege: 'standard',
    reason:
      "no admin or privilege-escalation permission found; not evaluated: inline policy 'broken' (not a readable policy document), group Gone (not in the authorization details)",
  },
];

describe('privilege classification', () => {
  it.each(rows)('when $when, then the user is $privilege', ({ user, account, privilege, reason }) => {
    const details = anAuthorizationDetails({
      users: [anAuthorizedUser({ name: 'u', ...user }), ...(account?.otherUsers ?? []).map((name) => anAuthorizedUser({ name }))],
      groups: account?.groups ?? [],
      policies: account?.policies ?? [],
    });
    expect(classifyUsers(details).get(userArn('u'))).toEqual({ privilege, reason });
  });

  it('when several users share groups and policies, then each is classified on its own, by ARN', () => {
    const details = anAuthorizationDetails({
      users: [
        anAuthorizedUser({ name: 'admin', groups: ['Admins'] }),
        anAuthorizedUser({ name: 'keys', ...inline(allow('iam:CreateAccessKey')) }),
        anAuthorizedUser({ name: 'plain', groups: ['Readers'] }),
      ],
      groups: [adminsGroup(), aGroup({ name: 'Readers', attached: [awsPolicyArn('ReadOnlyAccess')] })],
    });
    const classes = classifyUsers(details);
    expect([...classes.entries()].map(([arn, p]) => [arn, p.privilege])).toEqual([
      [userArn('admin'), 'admin'],
      [userArn('keys'), 'privilege_escalation'],
      [userArn('plain'), 'standard'],
    ]);
  });

  it('when a thousand users each manage their own keys, then classifying them stays fast', () => {
    const own = policyDocument([allow('iam:CreateAccessKey', 'arn:aws:iam::*:user/${aws:username}', { Condition: MFA })]);
    const details = anAuthorizationDetails({
      users: Array.from({ length: 1000 }, (_, i) => anAuthorizedUser({ name: `user-${i}`, groups: ['Staff'] })),
      groups: [aGroup({ name: 'Staff', inline: { own } })],
    });
    const started = Date.now();
    const classes = classifyUsers(details);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(new Set([...classes.values()].map((p) => p.privilege))).toEqual(new Set(['standard']));
  });
});
