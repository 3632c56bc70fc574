/**
 * What each user can do, from GetAccountAuthorizationDetails with the filters User, Group and
 * LocalManagedPolicy, every page (the SDK's paginator, MaxItems 1,000): a handful of calls for a
 * whole account, however many users it has. Roles and AWS managed policies are left out (see
 * AuthorizationDetailsSnapshot); src/checks/privilege.ts classifies the users.
 *
 * Policy documents come URL-encoded (RFC 3986) as IAM returns them; they are decoded here and not
 * parsed (privilege.ts parses, and says so when a document cannot be read). A document that is not
 * URL-encoded (LocalStack and moto have answered plain JSON) is kept as it is.
 */
import { paginateGetAccountAuthorizationDetails, type AttachedPolicy, type PolicyDetail } from '@aws-sdk/client-iam';
import type {
  AuthorizationDetailsSnapshot,
  AuthorizedGroupSnapshot,
  AuthorizedUserSnapshot,
  InlinePolicySnapshot,
  ManagedPolicySnapshot,
} from '../domain/snapshot';
import type { IamGateway } from './iam-gateway';

export const AUTHORIZATION_DETAILS_PAGE_SIZE = 1000;

/** The entity types keywatch reads: users, their groups and the customer managed policies they attach. */
export const AUTHORIZATION_DETAILS_FILTER = ['User', 'Group', 'LocalManagedPolicy'] as const;

/** decodeURIComponent, or the text itself when it is not URL-encoded. */
export function decodePolicyDocument(document: string | undefined): string {
  if (document === undefined) return '';
  try {
    return decodeURIComponent(document);
  } catch {
    return document;
  }
}

const inline = (policies: PolicyDetail[] | undefined): InlinePolicySnapshot[] =>
  (policies ?? []).map((p) => ({ policyName: p.PolicyName ?? '', document: decodePolicyDocument(p.PolicyDocument) }));

const attached = (policies: AttachedPolicy[] | undefined): string[] =>
  (policies ?? []).map((p) => p.PolicyArn).filter((arn): arn is string => typeof arn === 'string');

export async function collectAuthorizationDetails(gateway: IamGateway): Promise<AuthorizationDetailsSnapshot> {
  const users: AuthorizedUserSnapshot[] = [];
  const groups: AuthorizedGroupSnapshot[] = [];
  const policies: ManagedPolicySnapshot[] = [];
  const pages = paginateGetAccountAuthorizationDetails(
    { client: gateway.iamClient(), pageSize: AUTHORIZATION_DETAILS_PAGE_SIZE },
    { Filter: [...AUTHORIZATION_DETAILS_FILTER] },
  );
  for await (const page of pages) {
    for (const u of page.UserDetailList ?? []) {
      users.push({
        userName: u.UserName!,
        arn: u.Arn!,
        inlinePolicies: inline(u.UserPolicyList),
        attachedPolicyArns: attached(u.AttachedManagedPolicies),
        groupNames: u.GroupList ?? [],
        permissionsBoundaryArn: u.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
      });
    }
    for (const g of page.GroupDetailList ?? []) {
      groups.push({ groupName: g.GroupName!, arn: g.Arn!, inlinePolicies: inline(g.GroupPolicyList), attachedPolicyArns: attached(g.AttachedManagedPolicies) });
    }
    for (const p of page.Policies ?? []) {
      const version = (p.PolicyVersionList ?? []).find((v) => v.IsDefaultVersion) ?? (p.PolicyVersionList ?? []).find((v) => v.VersionId === p.DefaultVersionId);
      // No default version in the answer: an empty document, which privilege.ts reports as unreadable (never guessed).
      policies.push({ policyName: p.PolicyName!, arn: p.Arn!, defaultVersionDocument: decodePolicyDocument(version?.Document) });
    }
  }
  return { users, groups, policies };
}
