/**
 * The IAM and STS actions the simulator answers, with the real AWS response shapes: the core IAM
 * actions here, the other credentials in credential-actions.ts, GetAccountAuthorizationDetails in
 * authorization-details.ts, STS in sts.ts. Each handler reads the form parameters and returns the XML
 * inside <ActionResult>, or throws SimError.
 */
import {
  ActionContext,
  ActionDef,
  Handler,
  SimError,
  paginate,
  requireUser,
  userXml,
  validationError,
} from './action-context';
import { AUTHORIZATION_ACTIONS } from './authorization-details';
import { CREDENTIAL_ACTIONS } from './credential-actions';
import { SimAccessKey, SimAccount, findAccessKey } from './model';
import { STS_ACTIONS } from './sts';
import { Scalar, el, entryMap, fields, memberList } from './xml';

export { SimError, callerArn } from './action-context';
export type { ActionContext, ActionDef } from './action-context';

function keySortKey(key: SimAccessKey): string {
  return `${key.createDate.toISOString()}|${key.accessKeyId}`;
}

const listUsers: Handler = (ctx, params) => {
  const prefix = params.get('PathPrefix') ?? '/';
  const users = ctx.account.users.filter((u) => u.path.startsWith(prefix));
  const { page, xml } = paginate(users, (u) => u.userName, params);
  return memberList('Users', page.map((u) => userXml(ctx.account, u))) + xml;
};

const listAccessKeys: Handler = (ctx, params) => {
  const user = requireUser(ctx, params);
  const { page, xml } = paginate(user.accessKeys, keySortKey, params);
  const members = page.map((k) =>
    fields({ UserName: user.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createDate }),
  );
  return memberList('AccessKeyMetadata', members) + xml;
};

const getAccessKeyLastUsed: Handler = (ctx, params) => {
  const accessKeyId = params.get('AccessKeyId');
  if (!accessKeyId) throw validationError('null', 'accessKeyId', 'Member must not be null');
  const found = findAccessKey(ctx.account, accessKeyId);
  if (!found) throw new SimError(404, 'NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
  const used = found.key.lastUsed;
  const lastUsed = used
    ? fields({ LastUsedDate: used.date, ServiceName: used.service, Region: used.region })
    : fields({ ServiceName: 'N/A', Region: 'N/A' });
  // Root keys: AWS omits UserName.
  return fields({ UserName: found.user?.userName }) + el('AccessKeyLastUsed', lastUsed);
};

const getLoginProfile: Handler = (ctx, params) => {
  const user = requireUser(ctx, params);
  if (!user.loginProfile) throw new SimError(404, 'NoSuchEntity', `Login Profile for User ${user.userName} cannot be found.`);
  return el(
    'LoginProfile',
    fields({ UserName: user.userName, CreateDate: user.loginProfile.createDate, PasswordResetRequired: false }),
  );
};

const listMfaDevices: Handler = (ctx, params) => {
  const user = requireUser(ctx, params);
  const { page, xml } = paginate(user.mfaDevices, (d) => d.serialNumber, params);
  const members = page.map((d) => fields({ UserName: user.userName, SerialNumber: d.serialNumber, EnableDate: d.enableDate }));
  return memberList('MFADevices', members) + xml;
};

const getAccountPasswordPolicy: Handler = (ctx) => {
  const policy = ctx.account.passwordPolicy;
  if (!policy) {
    throw new SimError(404, 'NoSuchEntity', `The Password Policy with domain name ${ctx.account.accountId} cannot be found.`);
  }
  return el(
    'PasswordPolicy',
    fields({
      MinimumPasswordLength: policy.MinimumPasswordLength,
      RequireSymbols: policy.RequireSymbols,
      RequireNumbers: policy.RequireNumbers,
      RequireUppercaseCharacters: policy.RequireUppercaseCharacters,
      RequireLowercaseCharacters: policy.RequireLowercaseCharacters,
      AllowUsersToChangePassword: true,
      ExpirePasswords: !!policy.MaxPasswordAge,
      MaxPasswordAge: policy.MaxPasswordAge || undefined,
      PasswordReusePrevention: policy.PasswordReusePrevention || undefined,
    }),
  );
};

/** The SummaryMap as IAM returns it (quotas are the AWS defaults). */
export function accountSummary(account: SimAccount): Record<string, number> {
  const userMfa = account.users.reduce((n, u) => n + u.mfaDevices.length, 0);
  const rootMfa = account.root.mfaEnabled ? 1 : 0;
  const unassigned = account.unassignedVirtualMfaDevices?.length ?? 0;
  const policies = account.policies ?? [];
  return {
    Users: account.users.length,
    UsersQuota: 5000,
    Groups: account.groups?.length ?? 0,
    GroupsQuota: 300,
    GroupsPerUserQuota: 10,
    ServerCertificates: 0,
    ServerCertificatesQuota: 20,
    UserPolicySizeQuota: 2048,
    GroupPolicySizeQuota: 5120,
    SigningCertificatesPerUserQuota: 2,
    AccessKeysPerUserQuota: 2,
    // MFADevices counts every device, assigned or not; MFADevicesInUse only assigned ones.
    MFADevices: userMfa + rootMfa + unassigned,
    MFADevicesInUse: userMfa + rootMfa,
    AccountMFAEnabled: rootMfa,
    // Like AWS: 1 when the root user has any access key, active or not.
    AccountAccessKeysPresent: account.root.accessKeys.length > 0 ? 1 : 0,
    AccountPasswordPresent: 1,
    // The simulated root user never has signing certificates.
    AccountSigningCertificatesPresent: 0,
    AttachedPoliciesPerGroupQuota: 10,
    AttachedPoliciesPerRoleQuota: 10,
    AttachedPoliciesPerUserQuota: 10,
    Policies: policies.length,
    PoliciesQuota: 1500,
    PolicySizeQuota: 6144,
    PolicyVersionsInUse: policies.reduce((n, p) => n + p.versions.length, 0),
    PolicyVersionsInUseQuota: 10000,
    VersionsPerPolicyQuota: 5,
    Roles: account.roles?.length ?? 0,
    RolesQuota: 1000,
    RolePolicySizeQuota: 10240,
    AssumeRolePolicySizeQuota: 2048,
    InstanceProfiles: 0,
    InstanceProfilesQuota: 1000,
    Providers: 0,
    GlobalEndpointTokenVersion: 1,
  };
}

const getAccountSummary: Handler = (ctx) => entryMap('SummaryMap', accountSummary(ctx.account) as Record<string, Scalar>);

const generateCredentialReport: Handler = (ctx) => {
  const state = ctx.report.generate(ctx.account);
  const description = state === 'STARTED' ? 'No report exists. Starting a new report generation task' : undefined;
  return fields({ State: state, Description: description });
};

const getCredentialReport: Handler = (ctx) => {
  const report = ctx.report.get(ctx.account);
  if (report === 'none') {
    throw new SimError(410, 'ReportNotPresent', 'Credential report not present. Call GenerateCredentialReport first.');
  }
  if (report === 'in_progress') throw new SimError(404, 'ReportInProgress', 'Credential report generation is in progress.');
  return fields({
    Content: Buffer.from(report.csv, 'utf8').toString('base64'),
    ReportFormat: 'text/csv',
    GeneratedTime: report.generatedAt,
  });
};

export const ACTIONS: Record<string, ActionDef> = {
  ListUsers: { service: 'iam', handler: listUsers },
  ListAccessKeys: { service: 'iam', handler: listAccessKeys },
  GetAccessKeyLastUsed: { service: 'iam', handler: getAccessKeyLastUsed },
  GetLoginProfile: { service: 'iam', handler: getLoginProfile },
  ListMFADevices: { service: 'iam', handler: listMfaDevices },
  GetAccountPasswordPolicy: { service: 'iam', handler: getAccountPasswordPolicy },
  GetAccountSummary: { service: 'iam', handler: getAccountSummary },
  GenerateCredentialReport: { service: 'iam', handler: generateCredentialReport },
  GetCredentialReport: { service: 'iam', handler: getCredentialReport },
  ...CREDENTIAL_ACTIONS,
  ...AUTHORIZATION_ACTIONS,
  ...STS_ACTIONS,
};

/** Actions that act on one user (the caller when UserName is absent). */
const PER_USER_ACTIONS = ['ListAccessKeys', 'GetLoginProfile', 'ListMFADevices', 'ListSSHPublicKeys', 'ListSigningCertificates', 'ListServiceSpecificCredentials'];

/** The resource named in an AccessDenied message for this call. */
export function deniedResource(ctx: ActionContext, action: string, params: URLSearchParams): string {
  const accountId = ctx.account.accountId;
  if (action === 'ListUsers') return `arn:aws:iam::${accountId}:user/`;
  const userName = params.get('UserName');
  if (userName) return `user ${userName}`;
  const accessKeyId = params.get('AccessKeyId');
  if (accessKeyId) {
    const owner = findAccessKey(ctx.account, accessKeyId)?.user;
    if (owner) return `user ${owner.userName}`;
  }
  const roleArn = params.get('RoleArn');
  if (action === 'AssumeRole' && roleArn) return roleArn;
  if (PER_USER_ACTIONS.includes(action) && ctx.caller.kind === 'user') return `user ${ctx.caller.userName}`;
  return '*';
}
