/**
 * A simulated AWS Organization: the management account first, then the member accounts, each with
 * the metadata organizations:ListAccounts answers (name, email, status, how and when it joined).
 * Each member is a full SimAccount of its own (users, keys, roles, …). Plain mutable data, like the
 * account model; the running simulator's handle changes it through addAccount / removeAccount /
 * setAccountStatus so the rules below stay true.
 */
import { SimAccount } from './model';

export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'] as const;
export type SimAccountStatus = (typeof ACCOUNT_STATUSES)[number];

export interface SimOrgAccount {
  account: SimAccount;
  name: string;
  email: string;
  status: SimAccountStatus;
  joinedMethod: 'INVITED' | 'CREATED';
  joinedTimestamp: Date;
}

export interface SimOrganization {
  /** o- followed by 10 to 32 lower-case letters or digits. */
  id: string;
  /** The management account first, then the members. Account ids are unique. */
  accounts: SimOrgAccount[];
}

export interface OrgAccountInput {
  name?: string;
  email?: string;
  status?: SimAccountStatus;
  joinedMethod?: 'INVITED' | 'CREATED';
  joinedTimestamp?: Date;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'account';
}

function orgAccount(account: SimAccount, input: OrgAccountInput, fallbackName: string): SimOrgAccount {
  const name = input.name ?? fallbackName;
  const status = input.status ?? 'ACTIVE';
  if (!ACCOUNT_STATUSES.includes(status)) throw new Error(`account status must be one of ${ACCOUNT_STATUSES.join(', ')}: ${status}`);
  return {
    account,
    name,
    email: input.email ?? `aws+${slug(name)}-${account.accountId}@example.com`,
    status,
    joinedMethod: input.joinedMethod ?? 'CREATED',
    joinedTimestamp: input.joinedTimestamp ?? new Date(),
  };
}

/** An organization whose management account is `management` (and nothing else yet). */
export function createOrganization(management: SimAccount, options: OrgAccountInput & { id?: string } = {}): SimOrganization {
  const id = options.id ?? `o-${management.accountId.slice(-10).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}`;
  if (!/^o-[a-z0-9]{10,32}$/.test(id)) throw new Error(`organization id must match o-[a-z0-9]{10,32}: ${id}`);
  // The account that creates an organization shows as INVITED in ListAccounts.
  return { id, accounts: [orgAccount(management, { joinedMethod: 'INVITED', ...options }, 'Management')] };
}

export function managementAccount(org: SimOrganization): SimOrgAccount {
  const management = org.accounts[0];
  if (!management) throw new Error('an organization needs its management account');
  return management;
}

export function findOrgAccount(org: SimOrganization, accountId: string): SimOrgAccount | undefined {
  return org.accounts.find((a) => a.account.accountId === accountId);
}

export function addOrgAccount(org: SimOrganization, account: SimAccount, input: OrgAccountInput = {}): SimOrgAccount {
  if (findOrgAccount(org, account.accountId)) throw new Error(`account ${account.accountId} is already in organization ${org.id}`);
  const member = orgAccount(account, input, `Member ${account.accountId}`);
  org.accounts.push(member);
  return member;
}

/** The member leaves the organization; the management account cannot (AWS: MasterCannotLeaveOrganization). */
export function removeOrgAccount(org: SimOrganization, accountId: string): SimOrgAccount {
  const index = org.accounts.findIndex((a) => a.account.accountId === accountId);
  if (index < 0) throw new Error(`account ${accountId} is not in organization ${org.id}`);
  if (index === 0) throw new Error(`the management account ${accountId} cannot leave its organization`);
  return org.accounts.splice(index, 1)[0]!;
}

export function organizationArn(org: SimOrganization): string {
  return `arn:aws:organizations::${managementAccount(org).account.accountId}:organization/${org.id}`;
}

export function orgAccountArn(org: SimOrganization, accountId: string): string {
  return `arn:aws:organizations::${managementAccount(org).account.accountId}:account/${org.id}/${accountId}`;
}
