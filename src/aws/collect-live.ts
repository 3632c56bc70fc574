/**
 * The `api` source: collects an IamSnapshot from the live IAM API, making only the calls that the
 * enabled checks need. Every call goes through the target's limiter (via the gateway).
 *
 *   ListUsers (MaxItems 1000, follow Marker) → per user: ListAccessKeys (+ GetAccessKeyLastUsed per
 *   key, GetLoginProfile, ListMFADevices as needed) → GetAccountSummary, GetAccountPasswordPolicy.
 *
 * Any call that fails for good fails the whole collection: a partial snapshot is never returned
 * as if whole.
 */
import {
  GetAccessKeyLastUsedCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  ListMFADevicesCommand,
  paginateListAccessKeys,
  paginateListUsers,
  type AccessKeyMetadata,
  type GetAccessKeyLastUsedCommandOutput,
  type GetAccountPasswordPolicyCommandOutput,
  type GetAccountSummaryCommandOutput,
  type GetLoginProfileCommandOutput,
  type ListMFADevicesCommandOutput,
  type User,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type {
  AccessKeySnapshot,
  DataNeed,
  IamSnapshot,
  PasswordPolicySnapshot,
  RootAccountSnapshot,
  UserSnapshot,
} from '../domain/snapshot';
import type { CollectContext } from './collect-context';
import { MissingEntity, type IamGateway } from './iam-gateway';

export const LIST_USERS_PAGE_SIZE = 1000;

/** ListUsers, every page (the SDK's paginator, each page through the gateway). */
export async function listAllUsers(gateway: IamGateway): Promise<User[]> {
  const users: User[] = [];
  for await (const page of paginateListUsers({ client: gateway.iamClient(), pageSize: LIST_USERS_PAGE_SIZE }, {})) {
    users.push(...(page.Users ?? []));
  }
  return users;
}

/**
 * ListAccessKeys (all pages) for one user; null when the user no longer exists (deleted between
 * ListUsers — or the credential report — and this call: the user is simply not in the snapshot).
 */
export async function listUserAccessKeys(gateway: IamGateway, userName: string): Promise<AccessKeyMetadata[] | null> {
  const keys: AccessKeyMetadata[] = [];
  try {
    for await (const page of paginateListAccessKeys({ client: gateway.iamClient({ notFoundAs: 'missing' }) }, { UserName: userName })) {
      keys.push(...(page.AccessKeyMetadata ?? []));
    }
  } catch (error) {
    if (error instanceof MissingEntity) return null;
    throw error;
  }
  return keys;
}

/** The account id is the 5th field of any IAM ARN: arn:aws:iam::123456789012:user/alice. */
export const accountIdFromArn = (arn: string | undefined): string | undefined => arn?.split(':')[4] || undefined;

export async function resolveAccountId(gateway: IamGateway, users: { Arn?: string; arn?: string }[]): Promise<string> {
  for (const u of users) {
    const id = accountIdFromArn(u.Arn ?? u.arn);
    if (id) return id;
  }
  const identity = await gateway.sts<GetCallerIdentityCommandOutput>('GetCallerIdentity', new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account id');
  return identity.Account;
}

/**
 * GetAccessKeyLastUsed as snapshot fields (a never-used key: lastUsedAt null, and AWS's "N/A"
 * service and region become null). null when the key no longer exists.
 */
export async function fetchKeyLastUse(
  gateway: IamGateway,
  accessKeyId: string,
): Promise<Pick<AccessKeySnapshot, 'lastUsedAt' | 'lastUsedService' | 'lastUsedRegion'> | null> {
  const out = await gateway.iamOrNull<GetAccessKeyLastUsedCommandOutput>(
    'GetAccessKeyLastUsed',
    new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }),
  );
  if (!out) return null;
  const used = out.AccessKeyLastUsed;
  return {
    lastUsedAt: used?.LastUsedDate ?? null,
    lastUsedService: used?.LastUsedDate && used.ServiceName !== 'N/A' ? (used.ServiceName ?? null) : null,
    lastUsedRegion: used?.LastUsedDate && used.Region !== 'N/A' ? (used.Region ?? null) : null,
  };
}

/** null when the key was deleted while we were scanning. */
async function collectKey(gateway: IamGateway, meta: AccessKeyMetadata, needs: Set<DataNeed>): Promise<AccessKeySnapshot | null> {
  const key: AccessKeySnapshot = {
    accessKeyId: meta.AccessKeyId!,
    userName: meta.UserName!,
    status: meta.Status === 'Active' ? 'Active' : 'Inactive',
    createdAt: meta.CreateDate!,
  };
  if (needs.has('key_last_used')) {
    const lastUse = await fetchKeyLastUse(gateway, key.accessKeyId);
    if (!lastUse) return null;
    Object.assign(key, lastUse);
  }
  return key;
}

async function collectUser(gateway: IamGateway, user: User, needs: Set<DataNeed>): Promise<UserSnapshot | null> {
  const userName = user.UserName!;
  const [keyMetas, loginProfile, mfa] = await Promise.all([
    listUserAccessKeys(gateway, userName),
    needs.has('login_profiles')
      ? gateway.iamOrNull<GetLoginProfileCommandOutput>('GetLoginProfile', new GetLoginProfileCommand({ UserName: userName }))
      : Promise.resolve(undefined),
    needs.has('mfa_devices')
      ? gateway.iamOrNull<ListMFADevicesCommandOutput>('ListMFADevices', new ListMFADevicesCommand({ UserName: userName }))
      : Promise.resolve(undefined),
  ]);
  if (keyMetas === null) return null; // deleted while we were scanning
  const accessKeys = (await Promise.all(keyMetas.map((m) => collectKey(gateway, m, needs)))).filter((k): k is AccessKeySnapshot => k !== null);
  const snapshot: UserSnapshot = {
    userName,
    userId: user.UserId!,
    arn: user.Arn!,
    createdAt: user.CreateDate!,
    accessKeys,
  };
  if (loginProfile !== undefined) {
    snapshot.loginProfile = loginProfile?.LoginProfile
      ? {
          createdAt: loginProfile.LoginProfile.CreateDate!,
          // ListUsers' PasswordLastUsed is absent when the password was never used (or predates tracking).
          passwordLastUsedAt: user.PasswordLastUsed ?? null,
        }
      : null;
  }
  if (mfa !== undefined) snapshot.mfaDeviceCount = mfa?.MFADevices?.length ?? 0;
  return snapshot;
}

async function collectRoot(gateway: IamGateway): Promise<RootAccountSnapshot> {
  const out = await gateway.iam<GetAccountSummaryCommandOutput>('GetAccountSummary', new GetAccountSummaryCommand({}));
  const map = out.SummaryMap ?? {};
  // AccountAccessKeysPresent is 1 when root has any access key, active or inactive.
  return { mfaEnabled: (map.AccountMFAEnabled ?? 0) === 1, accessKeyCount: map.AccountAccessKeysPresent ?? 0 };
}

export async function collectPasswordPolicy(gateway: IamGateway): Promise<PasswordPolicySnapshot | null> {
  const out = await gateway.iamOrNull<GetAccountPasswordPolicyCommandOutput>(
    'GetAccountPasswordPolicy',
    new GetAccountPasswordPolicyCommand({}),
  );
  const p = out?.PasswordPolicy;
  if (!p) return null;
  return {
    minimumPasswordLength: p.MinimumPasswordLength ?? 0,
    requireSymbols: p.RequireSymbols ?? false,
    requireNumbers: p.RequireNumbers ?? false,
    requireUppercaseCharacters: p.RequireUppercaseCharacters ?? false,
    requireLowercaseCharacters: p.RequireLowercaseCharacters ?? false,
    maxPasswordAge: p.MaxPasswordAge,
    passwordReusePrevention: p.PasswordReusePrevention,
  };
}

export async function collectLiveSnapshot({ gateway, needs, now }: CollectContext): Promise<IamSnapshot> {
  const needSet = new Set(needs);
  const users = await listAllUsers(gateway);
  const [userSnapshots, accountId, root, passwordPolicy] = await Promise.all([
    Promise.all(users.map((u) => collectUser(gateway, u, needSet))),
    resolveAccountId(gateway, users),
    needSet.has('root_account') ? collectRoot(gateway) : Promise.resolve(undefined),
    needSet.has('password_policy') ? collectPasswordPolicy(gateway) : Promise.resolve(undefined),
  ]);
  const snapshot: IamSnapshot = {
    accountId,
    source: 'api',
    collectedAt: now(),
    users: userSnapshots.filter((u): u is UserSnapshot => u !== null),
  };
  if (root) snapshot.root = root;
  if (passwordPolicy !== undefined) snapshot.passwordPolicy = passwordPolicy;
  return snapshot;
}
