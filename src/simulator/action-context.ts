/**
 * What every Query-protocol action handler gets (the account the request's credentials belong to,
 * that account's credential report, the caller, the simulator's accounts and sessions) and the
 * helpers they share: the AWS error type, ValidationError messages, Marker paging, user lookup.
 */
import { SimAccount, SimUser, findUser, userArn } from './model';
import { SimAccountStatus } from './organization';
import { CredentialReportState } from './report-state';
import { SessionStore, SimCaller, assumedRoleArn } from './sessions';
import { fields } from './xml';

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

/** The accounts and sessions of the running simulator, as STS needs them. */
export interface SimWorld {
  /** An account the simulator serves (the home account, or an account of its organization), with its status. */
  findAccount(accountId: string): { account: SimAccount; status: SimAccountStatus } | undefined;
  sessions: SessionStore;
  /** Clock for temporary credentials. */
  clock(): Date;
}

export interface ActionContext {
  /** The account the request's credentials belong to. */
  account: SimAccount;
  /** That account's credential report. */
  report: CredentialReportState;
  /** The IAM user the base credentials stand for (GetCallerIdentity, AccessDenied messages, default UserName). */
  callerUserName: string;
  caller: SimCaller;
  world: SimWorld;
}

export type Handler = (ctx: ActionContext, params: URLSearchParams) => string;

export interface ActionDef {
  service: 'iam' | 'sts';
  handler: Handler;
}

export const DEFAULT_MAX_ITEMS = 100;
export const MAX_MAX_ITEMS = 1000;
const MARKER_PREFIX = 'sim1:';

export function validationError(value: string, member: string, constraint: string): SimError {
  return new SimError(
    400,
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export function noSuchUser(userName: string): SimError {
  return new SimError(404, 'NoSuchEntity', `The user with name ${userName} cannot be found.`);
}

/** The user named by UserName; without it IAM answers for the calling user (an error for role sessions, as in AWS). */
export function requireUser(ctx: ActionContext, params: URLSearchParams): SimUser {
  let userName = params.get('UserName');
  if (userName === null) {
    if (ctx.caller.kind === 'assumed-role') {
      throw new SimError(400, 'ValidationError', 'Must specify userName when calling with non-User credentials');
    }
    userName = ctx.caller.userName;
  }
  const user = findUser(ctx.account, userName);
  if (!user) throw noSuchUser(userName);
  return user;
}

/** Marker/IsTruncated pagination over items in ascending `sortKey` order (robust to items added/removed between pages). */
export function paginate<T>(items: T[], sortKey: (item: T) => string, params: URLSearchParams): { page: T[]; xml: string } {
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

/** A User structure (ListUsers members, nested users of other answers). */
export function userXml(account: SimAccount, user: SimUser): string {
  return fields({
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: userArn(account, user),
    CreateDate: user.createDate,
    PasswordLastUsed: user.loginProfile?.passwordLastUsed ?? undefined,
  });
}

/** The caller's ARN: the base credentials' IAM user, or the assumed-role session. */
export function callerArn(ctx: Pick<ActionContext, 'account' | 'callerUserName'> & { caller?: SimCaller }): string {
  if (ctx.caller?.kind === 'assumed-role') return assumedRoleArn(ctx.caller.session);
  const userName = ctx.caller?.userName ?? ctx.callerUserName;
  const caller = findUser(ctx.account, userName);
  return caller ? userArn(ctx.account, caller) : `arn:aws:iam::${ctx.account.accountId}:user/${userName}`;
}
