/**
 * The `api` source: collects an IamSnapshot from the live IAM API, making only the calls that the
 * enabled checks need (DATA_NEED_IAM_ACTIONS in src/domain/snapshot.ts). Every call goes through
 * the target's limiter (via the gateway).
 *
 *   ListUsers (MaxItems 1000, follow Marker) → per user: ListAccessKeys (+ GetAccessKeyLastUsed per
 *   key, GetLoginProfile, ListMFADevices, ListSSHPublicKeys, ListSigningCertificates,
 *   ListServiceSpecificCredentials as needed) → per account: GetAccountSummary (+ ListVirtualMFADevices
 *   for root's MFA type), GetAccountPasswordPolicy, GetAccountAuthorizationDetails, as needed.
 *
 * A user deleted while we scan (NoSuchEntity on one of its calls) is left out of the snapshot. Any
 * other call that fails for good fails the whole collection: a partial snapshot is never returned
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
import {
  learnable,
  slotsByCreation,
  wholeSecond,
  type KnownCredentialKind,
  type LearnedCredential,
  type LearnedCredentials,
} from '../domain/known-credentials';
import { collectAuthorizationDetails } from './authorization-details';
import type { CollectContext } from './collect-context';
import { MissingEntity, type IamGateway } from './iam-gateway';
import { findRootVirtualMfaSerial } from './root-mfa';
import { listUserServiceCredentials, listUserSigningCertificates, listUserSshPublicKeys } from './user-credentials';

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

/** Runs `list` when `wanted`; undefined (not collected) otherwise. */
const when = <T>(wanted: boolean, list: () => Promise<T>): Promise<T | undefined> => (wanted ? list() : Promise.resolve(undefined));

async function collectUser(gateway: IamGateway, user: User, needs: Set<DataNeed>): Promise<UserSnapshot | null> {
  const userName = user.UserName!;
  const [keyMetas, loginProfile, mfa, sshPublicKeys, signingCertificates, serviceCredentials] = await Promise.all([
    listUserAccessKeys(gateway, userName),
    when(needs.has('login_profiles'), () =>
      gateway.iamOrNull<GetLoginProfileCommandOutput>('GetLoginProfile', new GetLoginProfileCommand({ UserName: userName })),
    ),
    when(needs.has('mfa_devices'), () =>
      gateway.iamOrNull<ListMFADevicesCommandOutput>('ListMFADevices', new ListMFADevicesCommand({ UserName: userName })),
    ),
    when(needs.has('ssh_keys'), () => listUserSshPublicKeys(gateway, userName)),
    when(needs.has('signing_certificates'), () => listUserSigningCertificates(gateway, userName)),
    when(needs.has('service_credentials'), () => listUserServiceCredentials(gateway, userName)),
  ]);
  // Deleted while we were scanning: any of its listings answered NoSuchEntity.
  if (keyMetas === null || sshPublicKeys === null || signingCertificates === null || serviceCredentials === null) return null;
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
  if (sshPublicKeys !== undefined) snapshot.sshPublicKeys = sshPublicKeys;
  if (signingCertificates !== undefined) snapshot.signingCertificates = signingCertificates;
  if (serviceCredentials !== undefined) snapshot.serviceCredentials = serviceCredentials;
  return snapshot;
}

/**
 * GetAccountSummary, and with `virtualMfa` ListVirtualMFADevices (is root's MFA device virtual?).
 * Root's MFA type is only asked together with the summary: it means nothing without mfaEnabled.
 */
async function collectRoot(gateway: IamGateway, virtualMfa: boolean): Promise<RootAccountSnapshot> {
  const [out, virtualMfaSerial] = await Promise.all([
    gateway.iam<GetAccountSummaryCommandOutput>('GetAccountSummary', new GetAccountSummaryCommand({})),
    when(virtualMfa, () => findRootVirtualMfaSerial(gateway)),
  ]);
  const map = out.SummaryMap ?? {};
  // AccountAccessKeysPresent is 1 when root has any access key, active or inactive.
  const root: RootAccountSnapshot = { mfaEnabled: (map.AccountMFAEnabled ?? 0) === 1, accessKeyCount: map.AccountAccessKeysPresent ?? 0 };
  if (virtualMfaSerial !== undefined) root.virtualMfaSerial = virtualMfaSerial;
  return root;
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

/**
 * What a live collection learns for the credential-report source: every listed access key (and signing
 * certificate, when listed) with its user, its creation second and its rank by creation as the slot —
 * the live API has no slots, so the store keeps a slot a report already showed for the same credential.
 * A user whose credentials of a kind share a creation second teaches nothing of that kind (the rank
 * would be a guess), nor does a credential created within a second of the listing (known-credentials.ts).
 */
export function learnedFromListings(users: readonly UserSnapshot[], listedAt: number, withCertificates: boolean): LearnedCredentials {
  const credentials: LearnedCredential[] = [];
  const learn = <T>(user: UserSnapshot, kind: KnownCredentialKind, items: readonly T[], id: (c: T) => string, createdAt: (c: T) => Date) => {
    const slots = slotsByCreation(items, createdAt);
    if (!slots) return;
    for (const [item, slot] of slots) {
      if (!learnable(createdAt(item), listedAt)) continue;
      credentials.push({
        kind,
        credentialId: id(item),
        userName: user.userName,
        userArn: user.arn,
        userCreatedAt: wholeSecond(user.createdAt.getTime()),
        slot,
        createdAt: wholeSecond(createdAt(item).getTime()),
        slotFromReport: false,
      });
    }
  };
  for (const user of users) {
    learn(user, 'access_key', user.accessKeys, (k) => k.accessKeyId, (k) => k.createdAt);
    if (withCertificates && user.signingCertificates) {
      learn(user, 'signing_certificate', user.signingCertificates, (c) => c.certificateId, (c) => c.uploadedAt);
    }
  }
  return { kinds: withCertificates ? ['access_key', 'signing_certificate'] : ['access_key'], credentials };
}

export async function collectLiveSnapshot({ gateway, needs, now }: CollectContext): Promise<IamSnapshot> {
  const needSet = new Set(needs);
  // Wall clock (IAM's, not the scan's business clock): credentials created since cannot be learned.
  const listedAt = Date.now();
  const users = await listAllUsers(gateway);
  const [userSnapshots, accountId, root, passwordPolicy, authorizationDetails] = await Promise.all([
    Promise.all(users.map((u) => collectUser(gateway, u, needSet))),
    resolveAccountId(gateway, users),
    when(needSet.has('root_account'), () => collectRoot(gateway, needSet.has('root_virtual_mfa'))),
    when(needSet.has('password_policy'), () => collectPasswordPolicy(gateway)),
    when(needSet.has('authorization_details'), () => collectAuthorizationDetails(gateway)),
  ]);
  const snapshot: IamSnapshot = {
    accountId,
    source: 'api',
    collectedAt: now(),
    users: userSnapshots.filter((u): u is UserSnapshot => u !== null),
  };
  if (root) snapshot.root = root;
  if (passwordPolicy !== undefined) snapshot.passwordPolicy = passwordPolicy;
  if (authorizationDetails) snapshot.authorizationDetails = authorizationDetails;
  snapshot.learnedCredentials = learnedFromListings(snapshot.users, listedAt, needSet.has('signing_certificates'));
  return snapshot;
}
