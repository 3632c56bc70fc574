/**
 * AWS Organizations discovery: the ACTIVE member accounts of the organization the base credentials
 * belong to, and the base credentials' own account (the management account, or a delegated
 * administrator). Every call goes through the management account's gateway (its limiter).
 *
 *   STS GetCallerIdentity (whose account, which partition) → Organizations ListAccounts (all pages)
 */
import { paginateListAccounts, type Account } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { IamGateway } from './iam-gateway';

/** ListAccounts' largest page. */
export const LIST_ACCOUNTS_PAGE_SIZE = 20;

export interface OrganizationAccount {
  id: string;
  name: string | null;
}

export interface DiscoveredOrganization {
  /** The base credentials' own account: scanned without a role. */
  callerAccountId: string;
  /** The partition of the caller's ARN (aws, aws-us-gov, aws-cn): role ARNs are built in it. */
  partition: string;
  /** ACTIVE accounts only (SUSPENDED and PENDING_CLOSURE ones cannot be scanned), in ListAccounts order. */
  accounts: OrganizationAccount[];
}

/** ACTIVE by the newer `State` field when AWS sends it, else by the older `Status`. */
const isActive = (a: Account): boolean => ((a as { State?: string }).State ?? a.Status) === 'ACTIVE';

export async function discoverOrganization(gateway: IamGateway): Promise<DiscoveredOrganization> {
  const identity = await gateway.sts<GetCallerIdentityCommandOutput>('GetCallerIdentity', new GetCallerIdentityCommand({}));
  if (!identity.Account || !identity.Arn) throw new Error('STS GetCallerIdentity returned no account');
  const accounts: OrganizationAccount[] = [];
  for await (const page of paginateListAccounts({ client: gateway.organizationsClient(), pageSize: LIST_ACCOUNTS_PAGE_SIZE }, {})) {
    for (const a of page.Accounts ?? []) {
      if (a.Id && isActive(a)) accounts.push({ id: a.Id, name: a.Name ?? null });
    }
  }
  return { callerAccountId: identity.Account, partition: identity.Arn.split(':')[1] ?? 'aws', accounts };
}

/** arn:<partition>:iam::<account>:role/<name> */
export const memberRoleArn = (partition: string, accountId: string, roleName: string): string => `arn:${partition}:iam::${accountId}:role/${roleName}`;
