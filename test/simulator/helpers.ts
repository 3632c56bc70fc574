import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient, type OrganizationsClientConfig } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SimulatorHandle, SimulatorOptions, startSimulator } from '../../src/simulator';

const credentials = { accessKeyId: 'AKIDSIM', secretAccessKey: 'sim' };

/** A real IAM SDK client pointed at the simulator; maxAttempts 1 so the SDK never retries on its own. */
export function iamClient(sim: SimulatorHandle): IAMClient {
  return new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
}

export function stsClient(sim: SimulatorHandle): STSClient {
  return new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
}

/** Starts a simulator and an IAM client, runs `body`, and always cleans up. */
export async function withSimulator<T>(
  options: SimulatorOptions,
  body: (sim: SimulatorHandle, iam: IAMClient) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator(options);
  const iam = iamClient(sim);
  try {
    return await body(sim, iam);
  } finally {
    iam.destroy();
    await sim.stop();
  }
}

/** Raw Query-protocol POST (for answers the SDK cannot express, e.g. unknown actions). */
export async function rawCall(sim: SimulatorHandle, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(sim.url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Resolves to the error a promise rejects with (fails when it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

export const NOW = new Date('2025-03-01T12:00:00Z');

/** The base (static) credentials the helpers' clients sign with: the home / management account's. */
export const BASE_CREDENTIALS = credentials;

/** A real Organizations SDK client (JSON 1.1) pointed at the simulator. */
export function organizationsClient(
  sim: SimulatorHandle,
  creds: OrganizationsClientConfig['credentials'] = credentials,
): OrganizationsClient {
  return new OrganizationsClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
}

/** Credentials of a role session, through the SDK's own provider (AssumeRole with the base credentials). */
export function roleCredentials(sim: SimulatorHandle, roleArn: string, externalId?: string) {
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: 'keywatch', ...(externalId !== undefined ? { ExternalId: externalId } : {}) },
    masterCredentials: credentials,
    clientConfig: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
  });
}

/** IAM and STS clients signing with a role session's credentials. */
export function roleClients(sim: SimulatorHandle, roleArn: string, externalId?: string): { iam: IAMClient; sts: STSClient; destroy(): void } {
  const creds = roleCredentials(sim, roleArn, externalId);
  const iam = new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
  const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
  return { iam, sts, destroy: () => (iam.destroy(), sts.destroy()) };
}
