/**
 * The IAM and STS actions the simulator answers, with the real AWS response shapes.
 * Each handler reads the form parameters and returns the XML inside <ActionResult>, or throws SimError.
 */
import { SimAccessKey, SimAccount, SimUser, findAccessKey, findUser, userArn } from './model';
import { CredentialReportState } from './report-state';
import { Scalar, el, entryMap, fields, memberList } from './xml';

export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

export interface ActionContext {
  account: SimAccount;
  report: CredentialReportState;
  /** The IAM user the simulator pretends the caller is (GetCallerIdentity, AccessDenied messages, default UserName). */
  callerUserName: string;
}

type Handler = (ctx: ActionContext, params: URLSearchParams) => string;

export interface ActionDef {
  service: 'iam' | 'sts';
  handler: Handler;
}

export const DEFAULT_MAX_ITEMS = 100;
export const MAX_MAX_ITEMS = 1000;
const MARKER_PREFIX = 'sim1:';

function noSuchUser(userName: string): SimError {
  return new SimError(404, 'NoSuchEntity', `The user with name ${userName} cannot be found.`);
}

function requireUser(ctx: ActionContext, params: URLSearchParams): SimUser {
  // Without UserName, IAM answers for the calling user.
  const userName = params.get('UserName') ?? ctx.callerUserName;
  const user = findUser(ctx.account, userName);
  if (!user) throw noSuchUser(userName);
  return user;
}

function validationError(value: string, member: string, constraint: string): SimError {
  return new SimError(
    400,
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Marker/IsTruncated pagination over items in ascending `sortKey` order (robust to items added/removed between pages). */
function paginate<T>(items: T[], sortKey: (item: T) => string, params: URLSearchParams): { page: T[]; xml: string } {
  const rawMax = params.get('MaxItems');
  let maxItems = DEFAULT_MAX_ITEMS;
  if (rawMax !== null) {
    maxItems = Number(rawMax);
    if (!Number.isInteger(maxItems)) throw validationError(rawMax, 'maxItems', 'Member must be an integer');
    if (maxItems < 1) throw validationError(rawMax, 'maxItems', 'Member must have value greater than or equal to 1');
    if (maxItems > MAX_MAX_ITEMS) throw validationError(rawMax, 'maxItems', `Member must have value less than or equal to ${MAX_MAX_ITEMS}`);
  }
  const sorted = items.map((item) => ({ item, key: sortKey(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let start = 0;
  const marker = params.get('Marker');
  if (marker !== null) {
    const decoded = Buffer.from(marker, 'base64').toString('utf8');
    if (!decoded.startsWith(MARKER_PREFIX)) throw new SimError(400, 'InvalidInput', 'Invalid Marker.');
    const after = decoded.slice(MARKER_PREFIX.length);
    start = sorted.findIndex((s) => s.key > after);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + maxItems);
  const isTruncated = start + maxItems < sorted.length;
  let xml = fields({ IsTruncated: isTruncated });
  if (isTruncated) {
    xml += fields({ Marker: Buffer.from(MARKER_PREFIX + page[page.length - 1]!.key, 'utf8').toString('base64') });
  }
  return { page: page.map((p) => p.item), xml };
}

function userXml(account: SimAccount, user: SimUser): string {
  return fields({
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: userArn(account, user),
    CreateDate: user.createDate,
    PasswordLastUsed: user.loginProfile?.passwordLastUsed ?? undefined,
  });
}

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

/** The SummaryMap as IAM returns it (quotas are the AWS defaults; the simulator has no groups, roles or policies). */
export function accountSummary(account: SimAccount): Record<string, number> {
  const userMfa = account.users.reduce((n, u) => n + u.mfaDevices.length, 0);
  const rootMfa = account.root.mfaEnabled ? 1 : 0;
  return {
    Users: account.users.length,
    UsersQuota: 5000,
    Groups: 0,
    GroupsQuota: 300,
    GroupsPerUserQuota: 10,
    ServerCertificates: 0,
    ServerCertificatesQuota: 20,
    UserPolicySizeQuota: 2048,
    GroupPolicySizeQuota: 5120,
    SigningCertificatesPerUserQuota: 2,
    AccessKeysPerUserQuota: 2,
    MFADevices: userMfa + rootMfa,
    MFADevicesInUse: userMfa + rootMfa,
    AccountMFAEnabled: rootMfa,
    // Like AWS: 1 when the root user has any access key, active or not.
    AccountAccessKeysPresent: account.root.accessKeys.length > 0 ? 1 : 0,
    AccountPasswordPresent: 1,
    AccountSigningCertificatesPresent: 0,
    AttachedPoliciesPerGroupQuota: 10,
    AttachedPoliciesPerRoleQuota: 10,
    AttachedPoliciesPerUserQuota: 10,
    Policies: 0,
    PoliciesQuota: 1500,
    PolicySizeQuota: 6144,
    PolicyVersionsInUse: 0,
    PolicyVersionsInUseQuota: 10000,
    VersionsPerPolicyQuota: 5,
    Roles: 0,
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

const getCallerIdentity: Handler = (ctx) => {
  const caller = findUser(ctx.account, ctx.callerUserName);
  return fields({
    UserId: caller?.userId ?? 'AIDASIMULATEDCALLER01',
    Account: ctx.account.accountId,
    Arn: callerArn(ctx),
  });
};

export function callerArn(ctx: Pick<ActionContext, 'account' | 'callerUserName'>): string {
  const caller = findUser(ctx.account, ctx.callerUserName);
  return caller ? userArn(ctx.account, caller) : `arn:aws:iam::${ctx.account.accountId}:user/${ctx.callerUserName}`;
}

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
  GetCallerIdentity: { service: 'sts', handler: getCallerIdentity },
};

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
  if (['ListAccessKeys', 'GetLoginProfile', 'ListMFADevices'].includes(action)) return `user ${ctx.callerUserName}`;
  return '*';
}
