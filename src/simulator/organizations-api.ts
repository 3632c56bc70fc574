/**
 * AWS Organizations over the JSON 1.1 protocol (POST, `X-Amz-Target: AWSOrganizationsV20161128.<Op>`,
 * content-type application/x-amz-json-1.1, JSON answers, errors as `{"__type", "Message"}`).
 *
 * ListAccounts (NextToken/MaxResults paging, MaxResults 1–20) and DescribeOrganization. ListAccounts
 * answers only the management account's credentials (base credentials or a role session in it); a
 * member gets AccessDeniedException, a simulator without an organization AWSOrganizationsNotInUseException.
 */
import { SimError } from './action-context';
import { SimAccount } from './model';
import { SimOrganization, managementAccount, organizationArn, orgAccountArn } from './organization';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';
export const ORGANIZATIONS_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const LIST_ACCOUNTS_MAX_RESULTS = 20;
const TOKEN_PREFIX = 'simorg1:';

export interface OrganizationsContext {
  /** The account the request's credentials belong to. */
  account: SimAccount;
  organization: SimOrganization | null;
}

function invalidInput(reason: string, message: string): SimError & { reason: string } {
  return Object.assign(new SimError(400, 'InvalidInputException', message), { reason });
}

function requireOrganization(ctx: OrganizationsContext): SimOrganization {
  if (!ctx.organization) throw new SimError(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  return ctx.organization;
}

export const ORGANIZATIONS_ACCESS_DENIED = "You don't have permissions to access this resource.";

function requireManagement(ctx: OrganizationsContext): SimOrganization {
  const org = requireOrganization(ctx);
  if (managementAccount(org).account.accountId !== ctx.account.accountId) {
    throw new SimError(400, 'AccessDeniedException', ORGANIZATIONS_ACCESS_DENIED);
  }
  return org;
}

/** JSON 1.1 timestamps are epoch seconds. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function listAccounts(ctx: OrganizationsContext, input: Record<string, unknown>): unknown {
  const org = requireManagement(ctx);
  let maxResults = LIST_ACCOUNTS_MAX_RESULTS;
  if (input.MaxResults !== undefined) {
    maxResults = input.MaxResults as number;
    if (!Number.isInteger(maxResults)) throw invalidInput('INVALID_INPUT', 'MaxResults must be a whole number.');
    if (maxResults < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a numeric parameter that has a smaller value than allowed: MaxResults must be at least 1.');
    if (maxResults > LIST_ACCOUNTS_MAX_RESULTS) {
      throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a numeric parameter that has a larger value than allowed: MaxResults must be at most ${LIST_ACCOUNTS_MAX_RESULTS}.`);
    }
  }
  // Ordered by when the account joined, then id; the token names the last account returned, so
  // accounts joining or leaving between pages never repeat or skip the others.
  const keyed = org.accounts
    .map((a) => ({ a, key: `${String(a.joinedTimestamp.getTime()).padStart(15, '0')}|${a.account.accountId}` }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  let start = 0;
  if (input.NextToken !== undefined) {
    const decoded = typeof input.NextToken === 'string' ? Buffer.from(input.NextToken, 'base64').toString('utf8') : '';
    if (!decoded.startsWith(TOKEN_PREFIX)) throw invalidInput('INVALID_PAGINATION_TOKEN', 'The NextToken value is not valid. Get it from the previous response of the same operation.');
    const after = decoded.slice(TOKEN_PREFIX.length);
    start = keyed.findIndex((k) => k.key > after);
    if (start < 0) start = keyed.length;
  }
  const page = keyed.slice(start, start + maxResults);
  const accounts = page.map(({ a }) => ({
    Id: a.account.accountId,
    Arn: orgAccountArn(org, a.account.accountId),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    // The newer State field says the same for these three statuses.
    State: a.status,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: epochSeconds(a.joinedTimestamp),
  }));
  const more = start + maxResults < keyed.length;
  return {
    Accounts: accounts,
    ...(more ? { NextToken: Buffer.from(TOKEN_PREFIX + page[page.length - 1]!.key, 'utf8').toString('base64') } : {}),
  };
}

function describeOrganization(ctx: OrganizationsContext): unknown {
  const org = requireOrganization(ctx);
  const management = managementAccount(org);
  return {
    Organization: {
      Id: org.id,
      Arn: organizationArn(org),
      FeatureSet: 'ALL',
      MasterAccountArn: orgAccountArn(org, management.account.accountId),
      MasterAccountId: management.account.accountId,
      MasterAccountEmail: management.email,
      AvailablePolicyTypes: [],
    },
  };
}

export const ORGANIZATIONS_OPERATIONS: Record<string, (ctx: OrganizationsContext, input: Record<string, unknown>) => unknown> = {
  ListAccounts: listAccounts,
  DescribeOrganization: describeOrganization,
};

/** The JSON error body AWS writes (`Reason` where Organizations gives one). */
export function organizationsErrorBody(error: SimError): string {
  const reason = (error as SimError & { reason?: string }).reason;
  return JSON.stringify({ __type: error.code, Message: error.message, ...(reason ? { Reason: reason } : {}) });
}

/** Query-protocol error codes (auth, throttling, faults) as the JSON protocol names them. */
export function toOrganizationsError(error: SimError): SimError {
  switch (error.code) {
    case 'InvalidClientTokenId':
      return new SimError(403, 'UnrecognizedClientException', error.message);
    case 'ExpiredToken':
      return new SimError(400, 'ExpiredTokenException', error.message);
    case 'Throttling':
      return new SimError(400, 'TooManyRequestsException', error.message);
    case 'AccessDenied':
      return new SimError(400, 'AccessDeniedException', ORGANIZATIONS_ACCESS_DENIED);
    case 'InternalError':
    case 'ServiceUnavailable':
    case 'LimitExceeded':
    case 'ReportInProgress':
    case 'ReportExpired':
    case 'ReportNotPresent':
      return new SimError(error.status >= 500 ? error.status : 500, 'ServiceException', 'AWS Organizations can\'t complete your request because of an internal service error. Try again later.');
    default:
      return error;
  }
}
