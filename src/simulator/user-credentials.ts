/**
 * The user credentials beyond access keys and console passwords: SSH public keys, X.509 signing
 * certificates and service-specific credentials (CodeCommit, Keyspaces, Bedrock), with the limits AWS
 * enforces, plus unassigned virtual MFA devices. Ids are drawn from the account's id space (model.ts
 * uniqueId), so they never collide with other ids of the account.
 */
import {
  Rng,
  SimAccount,
  SimServiceName,
  SimServiceSpecificCredential,
  SimSigningCertificate,
  SimSshPublicKey,
  SimStatus,
  daysBefore,
  getUser,
  uniqueId,
} from './model';

/** AWS quotas: 5 SSH public keys, 2 signing certificates, 2 service-specific credentials per service and user. */
export const MAX_SSH_KEYS_PER_USER = 5;
export const MAX_CERTIFICATES_PER_USER = 2;
export const MAX_SERVICE_CREDENTIALS_PER_SERVICE = 2;

interface DatedOptions {
  /** Whole days before `now` (date = now − ageDays × 86,400,000 ms). */
  ageDays: number;
  now: Date;
  /** Default 'Active'. */
  status?: SimStatus;
  rng?: Rng;
}

function checkAge(ageDays: number): void {
  if (!Number.isFinite(ageDays) || ageDays < 0) throw new Error(`ageDays must be >= 0: ${ageDays}`);
}

export function addSshPublicKey(account: SimAccount, userName: string, options: DatedOptions & { sshPublicKeyId?: string }): SimSshPublicKey {
  checkAge(options.ageDays);
  const user = getUser(account, userName);
  const keys = (user.sshPublicKeys ??= []);
  if (keys.length >= MAX_SSH_KEYS_PER_USER) throw new Error(`user ${userName} already has ${MAX_SSH_KEYS_PER_USER} SSH public keys (AWS limit)`);
  const key: SimSshPublicKey = {
    sshPublicKeyId: options.sshPublicKeyId ?? uniqueId(account, options.rng ?? Math.random, 'APKA', 16),
    status: options.status ?? 'Active',
    uploadDate: daysBefore(options.now, options.ageDays),
  };
  keys.push(key);
  return key;
}

export function addSigningCertificate(
  account: SimAccount,
  userName: string,
  options: DatedOptions & { certificateId?: string },
): SimSigningCertificate {
  checkAge(options.ageDays);
  const user = getUser(account, userName);
  const certificates = (user.signingCertificates ??= []);
  if (certificates.length >= MAX_CERTIFICATES_PER_USER) {
    throw new Error(`user ${userName} already has ${MAX_CERTIFICATES_PER_USER} signing certificates (AWS limit)`);
  }
  const certificate: SimSigningCertificate = {
    // Real certificate ids are 24+ upper-case letters and digits without a fixed prefix.
    certificateId: options.certificateId ?? uniqueId(account, options.rng ?? Math.random, '', 28),
    status: options.status ?? 'Active',
    uploadDate: daysBefore(options.now, options.ageDays),
  };
  certificates.push(certificate);
  return certificate;
}

export function addServiceSpecificCredential(
  account: SimAccount,
  userName: string,
  options: DatedOptions & { serviceName: SimServiceName; serviceSpecificCredentialId?: string; expiresInDays?: number },
): SimServiceSpecificCredential {
  checkAge(options.ageDays);
  const user = getUser(account, userName);
  const credentials = (user.serviceSpecificCredentials ??= []);
  if (credentials.filter((c) => c.serviceName === options.serviceName).length >= MAX_SERVICE_CREDENTIALS_PER_SERVICE) {
    throw new Error(`user ${userName} already has ${MAX_SERVICE_CREDENTIALS_PER_SERVICE} credentials for ${options.serviceName} (AWS limit)`);
  }
  const rng = options.rng ?? Math.random;
  const id = options.serviceSpecificCredentialId ?? uniqueId(account, rng, 'ACCA', 17);
  const credential: SimServiceSpecificCredential = {
    serviceSpecificCredentialId: id,
    serviceName: options.serviceName,
    status: options.status ?? 'Active',
    createDate: daysBefore(options.now, options.ageDays),
    serviceUserName:
      options.serviceName === 'bedrock.amazonaws.com' ? `BedrockAPIKey-${id.slice(-4).toLowerCase()}` : `${user.userName}-at-${account.accountId}`,
  };
  if (options.expiresInDays !== undefined) credential.expirationDate = daysBefore(options.now, -options.expiresInDays);
  credentials.push(credential);
  return credential;
}

/** A virtual MFA device that exists in the account but is assigned to nobody. */
export function addUnassignedVirtualMfaDevice(account: SimAccount, deviceName: string): { serialNumber: string } {
  const device = { serialNumber: `arn:aws:iam::${account.accountId}:mfa/${deviceName}` };
  (account.unassignedVirtualMfaDevices ??= []).push(device);
  return device;
}

/** Virtual devices have an ARN as serial number; hardware tokens have the token's serial. */
export function isVirtualMfaSerial(serialNumber: string): boolean {
  return serialNumber.startsWith('arn:');
}

export function rootVirtualMfaSerial(account: SimAccount): string {
  return `arn:aws:iam::${account.accountId}:mfa/root-account-mfa-device`;
}
