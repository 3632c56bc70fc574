/**
 * The AWS SDK clients keywatch uses, for the base credentials and for each target reached through a
 * role.
 *
 * - The base clients use the SDK's default credential chain (or static credentials in the demo and
 *   tests). They scan the base credentials' own account and make the organization's calls
 *   (Organizations ListAccounts, STS).
 * - A target with a role gets clients whose credentials come from `fromTemporaryCredentials`
 *   (@aws-sdk/credential-providers): sts:AssumeRole with the session name `keywatch` and the
 *   ExternalId when set, from the base credentials. The credentials are cached and refreshed five
 *   minutes before they expire; every AssumeRole goes through the caller-given `through` (the
 *   management account's limiter: STS throttles there, not in the member).
 * - Retries are keywatch's (the limiter), so every client makes one attempt per call.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { TargetAccess } from '../domain/targets';
import { AssumeRoleError } from './errors';

export interface AwsEndpoints {
  iam?: string;
  sts?: string;
  organizations?: string;
}

export interface AwsClientOptions {
  region: string;
  endpoints: AwsEndpoints;
  /** Static credentials (tests, demo). Otherwise the SDK's default chain. */
  credentials?: AwsCredentialIdentity;
}

/** The clients of one account: what a scan (and, for the base account, discovery) talks to. */
export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
  organizations: OrganizationsClient;
  /**
   * Makes sure the clients have credentials now (a role target: assumes the role unless cached
   * credentials are still good), so that a refused AssumeRole fails the run before its first IAM
   * call, with its own message. Throws AssumeRoleError.
   */
  ensureCredentials(): Promise<void>;
  /** Aborts in-flight requests and frees sockets. */
  destroy(): void;
}

/** How long before they expire role credentials are renewed. */
export const CREDENTIAL_REFRESH_MARGIN_MS = 5 * 60_000;

const commonConfig = (region: string) => ({
  region,
  // keywatch's limiter does the retrying, so that every throttle is seen, counted and slowed for.
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
});

function clientsWith(options: AwsClientOptions, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined, ensureCredentials: () => Promise<void>): AwsClients {
  const common = { ...commonConfig(options.region), ...(credentials ? { credentials } : {}) };
  const iam = new IAMClient({ ...common, ...(options.endpoints.iam ? { endpoint: options.endpoints.iam } : {}) });
  const sts = new STSClient({ ...common, ...(options.endpoints.sts ? { endpoint: options.endpoints.sts } : {}) });
  const organizations = new OrganizationsClient({ ...common, ...(options.endpoints.organizations ? { endpoint: options.endpoints.organizations } : {}) });
  return {
    iam,
    sts,
    organizations,
    ensureCredentials,
    destroy: () => {
      iam.destroy();
      sts.destroy();
      organizations.destroy();
    },
  };
}

/** Clients for the base credentials' own account. */
export function createBaseClients(options: AwsClientOptions): AwsClients {
  return clientsWith(options, options.credentials, async () => undefined);
}

export interface RoleClientOptions extends AwsClientOptions {
  access: TargetAccess & { roleArn: string };
  /** Runs one AssumeRole call: through the management account's limiter (its rate, retries, stats). */
  through: <T>(call: () => Promise<T>) => Promise<T>;
  now?: () => number;
}

/**
 * Clients for a target reached through a role. The role is assumed on first use and again shortly
 * before the credentials expire; concurrent callers share one AssumeRole.
 */
export function createRoleClients(options: RoleClientOptions): AwsClients {
  const { roleArn, externalId } = options.access;
  const now = options.now ?? Date.now;
  const assume = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: 'keywatch', ...(externalId ? { ExternalId: externalId } : {}) },
    ...(options.credentials ? { masterCredentials: options.credentials } : {}),
    clientConfig: { ...commonConfig(options.region), ...(options.endpoints.sts ? { endpoint: options.endpoints.sts } : {}) },
  });
  let cached: AwsCredentialIdentity | null = null;
  let pending: Promise<AwsCredentialIdentity> | null = null;
  const fresh = (c: AwsCredentialIdentity | null): c is AwsCredentialIdentity =>
    c !== null && (c.expiration === undefined || c.expiration.getTime() - now() > CREDENTIAL_REFRESH_MARGIN_MS);
  const provider: AwsCredentialIdentityProvider = async () => {
    if (fresh(cached)) return cached;
    pending ??= options
      .through(() => assume())
      .then(
        (credentials) => (cached = credentials),
        (error: unknown) => {
          throw new AssumeRoleError(roleArn, externalId !== null, error);
        },
      )
      .finally(() => {
        pending = null;
      });
    return pending;
  };
  return clientsWith(options, provider, async () => {
    await provider();
  });
}
