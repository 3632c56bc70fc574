/**
 * The credentials of one user beyond access keys and console passwords, from the live IAM API:
 * SSH public keys (ListSSHPublicKeys), X.509 signing certificates (ListSigningCertificates) and
 * service-specific credentials (ListServiceSpecificCredentials), every page, through the gateway.
 *
 * Each answers null when the user no longer exists (NoSuchEntity: deleted between ListUsers — or the
 * credential report — and this call): the collectors then leave the user out of the snapshot, as
 * they do when ListAccessKeys finds no user. Any other failure fails the collection.
 */
import {
  ListServiceSpecificCredentialsCommand,
  paginateListSSHPublicKeys,
  paginateListSigningCertificates,
  type ListServiceSpecificCredentialsCommandOutput,
} from '@aws-sdk/client-iam';
import type {
  CredentialStatus,
  ServiceCredentialSnapshot,
  ServiceCredentialStatus,
  SigningCertificateSnapshot,
  SshPublicKeySnapshot,
} from '../domain/snapshot';
import { AppError } from '../errors';
import { MissingEntity, type IamGateway } from './iam-gateway';

const credentialStatus = (status: string | undefined): CredentialStatus => (status === 'Active' ? 'Active' : 'Inactive');

/** Runs a paged listing; null when the user is gone (MissingEntity). */
async function orMissing<T>(list: () => Promise<T>): Promise<T | null> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof MissingEntity) return null;
    throw error;
  }
}

/** ListSSHPublicKeys for one user, every page. */
export function listUserSshPublicKeys(gateway: IamGateway, userName: string): Promise<SshPublicKeySnapshot[] | null> {
  return orMissing(async () => {
    const keys: SshPublicKeySnapshot[] = [];
    const client = gateway.iamClient({ notFoundAs: 'missing' });
    for await (const page of paginateListSSHPublicKeys({ client }, { UserName: userName })) {
      for (const k of page.SSHPublicKeys ?? []) {
        keys.push({ sshPublicKeyId: k.SSHPublicKeyId!, status: credentialStatus(k.Status), uploadedAt: k.UploadDate! });
      }
    }
    return keys;
  });
}

/** ListSigningCertificates for one user, every page (AWS allows two certificates per user). */
export function listUserSigningCertificates(gateway: IamGateway, userName: string): Promise<SigningCertificateSnapshot[] | null> {
  return orMissing(async () => {
    const certificates: SigningCertificateSnapshot[] = [];
    const client = gateway.iamClient({ notFoundAs: 'missing' });
    for await (const page of paginateListSigningCertificates({ client }, { UserName: userName })) {
      for (const c of page.Certificates ?? []) {
        certificates.push({ certificateId: c.CertificateId!, status: credentialStatus(c.Status), uploadedAt: c.UploadDate! });
      }
    }
    return certificates;
  });
}

const serviceCredentialStatus = (status: string | undefined): ServiceCredentialStatus =>
  status === 'Active' || status === 'Expired' ? status : 'Inactive';

/**
 * ListServiceSpecificCredentials for one user, every page. The SDK has no paginator for it (the
 * Marker / MaxItems parameters came later than the action), so the pages are followed here.
 * Per user rather than AllUsers=true: LocalStack and moto do not know AllUsers, and would answer the
 * caller's own credentials instead of failing.
 */
export async function listUserServiceCredentials(gateway: IamGateway, userName: string): Promise<ServiceCredentialSnapshot[] | null> {
  const credentials: ServiceCredentialSnapshot[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await gateway.iamOrNull<ListServiceSpecificCredentialsCommandOutput>(
      'ListServiceSpecificCredentials',
      new ListServiceSpecificCredentialsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }),
    );
    if (page === null) return null;
    for (const c of page.ServiceSpecificCredentials ?? []) {
      credentials.push({
        serviceSpecificCredentialId: c.ServiceSpecificCredentialId!,
        serviceName: c.ServiceName!,
        serviceUserName: c.ServiceUserName ?? null,
        status: serviceCredentialStatus(c.Status),
        createdAt: c.CreateDate!,
      });
    }
    if (!page.IsTruncated) return credentials;
    if (!page.Marker || page.Marker === marker) {
      // A truncated page without a new marker would loop for ever: never take half a list as whole.
      throw new AppError(
        'aws_error',
        502,
        `iam:ListServiceSpecificCredentials for user ${userName} answered a truncated page without a Marker to continue from; scan again.`,
      );
    }
    marker = page.Marker;
  }
}
