/**
 * IAM actions for the credentials beyond access keys and passwords: ListSSHPublicKeys,
 * ListSigningCertificates, ListServiceSpecificCredentials and ListVirtualMFADevices, with AWS's
 * answer shapes and Marker/MaxItems paging. They read the same model the credential report is built
 * from, so the two always agree.
 */
import { Handler, SimError, paginate, requireUser, userXml, validationError } from './action-context';
import { rootCreateDate } from './credential-report';
import { SERVICE_SPECIFIC_SERVICES, SimServiceSpecificCredential, SimUser, rootArn } from './model';
import { isVirtualMfaSerial, rootVirtualMfaSerial } from './user-credentials';
import { el, fields, memberList } from './xml';

function datedKey(date: Date, id: string): string {
  return `${date.toISOString()}|${id}`;
}

const listSshPublicKeys: Handler = (ctx, params) => {
  const user = requireUser(ctx, params);
  const { page, xml } = paginate(user.sshPublicKeys ?? [], (k) => datedKey(k.uploadDate, k.sshPublicKeyId), params);
  const members = page.map((k) => fields({ UserName: user.userName, SSHPublicKeyId: k.sshPublicKeyId, Status: k.status, UploadDate: k.uploadDate }));
  return memberList('SSHPublicKeys', members) + xml;
};

/** A syntactically PEM-shaped body: keywatch never reads it, but the SDK's type says it is always there. */
function certificateBody(certificateId: string): string {
  const filler = Buffer.from(`simulated signing certificate ${certificateId}`).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${filler}\n-----END CERTIFICATE-----`;
}

const listSigningCertificates: Handler = (ctx, params) => {
  const user = requireUser(ctx, params);
  const { page, xml } = paginate(user.signingCertificates ?? [], (c) => datedKey(c.uploadDate, c.certificateId), params);
  const members = page.map((c) =>
    fields({
      UserName: user.userName,
      CertificateId: c.certificateId,
      CertificateBody: certificateBody(c.certificateId),
      Status: c.status,
      UploadDate: c.uploadDate,
    }),
  );
  return memberList('Certificates', members) + xml;
};

const listServiceSpecificCredentials: Handler = (ctx, params) => {
  const serviceName = params.get('ServiceName');
  if (serviceName !== null && !(SERVICE_SPECIFIC_SERVICES as readonly string[]).includes(serviceName)) {
    throw new SimError(404, 'NotSupportedService', `The specified service ${serviceName} does not support service-specific credentials.`);
  }
  const allUsers = params.get('AllUsers') === 'true';
  if (allUsers && params.get('UserName') !== null) {
    throw new SimError(400, 'InvalidInput', 'UserName and AllUsers cannot be specified together.');
  }
  const users: SimUser[] = allUsers ? ctx.account.users : [requireUser(ctx, params)];
  const items: { user: SimUser; credential: SimServiceSpecificCredential }[] = [];
  for (const user of users) {
    for (const credential of user.serviceSpecificCredentials ?? []) {
      if (serviceName === null || credential.serviceName === serviceName) items.push({ user, credential });
    }
  }
  const { page, xml } = paginate(
    items,
    ({ user, credential }) => `${user.userName}|${datedKey(credential.createDate, credential.serviceSpecificCredentialId)}`,
    params,
  );
  const members = page.map(({ user, credential }) =>
    fields({
      UserName: user.userName,
      Status: credential.status,
      ServiceUserName: credential.serviceUserName,
      CreateDate: credential.createDate,
      ExpirationDate: credential.expirationDate,
      ServiceSpecificCredentialId: credential.serviceSpecificCredentialId,
      ServiceName: credential.serviceName,
    }),
  );
  return memberList('ServiceSpecificCredentials', members) + xml;
};

const ASSIGNMENT_STATUSES = ['Assigned', 'Unassigned', 'Any'];

interface VirtualDevice {
  serialNumber: string;
  /** XML of the User element, when assigned. */
  userXml?: string;
  enableDate?: Date;
}

const listVirtualMfaDevices: Handler = (ctx, params) => {
  const status = params.get('AssignmentStatus') ?? 'Any';
  if (!ASSIGNMENT_STATUSES.includes(status)) {
    throw validationError(status, 'assignmentStatus', `Member must satisfy enum value set: [${ASSIGNMENT_STATUSES.join(', ')}]`);
  }
  const { account } = ctx;
  const assigned: VirtualDevice[] = [];
  const root = account.root;
  // A root with a hardware device is not in this list (GetAccountSummary still says AccountMFAEnabled 1).
  if (root.mfaEnabled && root.mfaType === 'virtual') {
    const created = rootCreateDate(account, ctx.world.clock());
    assigned.push({
      serialNumber: rootVirtualMfaSerial(account),
      // AWS answers the root user without Path and UserName.
      userXml: fields({ UserId: account.accountId, Arn: rootArn(account), CreateDate: created, PasswordLastUsed: root.passwordLastUsed ?? undefined }),
      enableDate: root.mfaEnableDate ?? created,
    });
  }
  for (const user of account.users) {
    for (const device of user.mfaDevices) {
      if (isVirtualMfaSerial(device.serialNumber)) {
        assigned.push({ serialNumber: device.serialNumber, userXml: userXml(account, user), enableDate: device.enableDate });
      }
    }
  }
  const unassigned: VirtualDevice[] = (account.unassignedVirtualMfaDevices ?? []).map((d) => ({ serialNumber: d.serialNumber }));
  const devices = status === 'Assigned' ? assigned : status === 'Unassigned' ? unassigned : [...assigned, ...unassigned];
  const { page, xml } = paginate(devices, (d) => d.serialNumber, params);
  const members = page.map(
    (d) => fields({ SerialNumber: d.serialNumber }) + (d.userXml ? el('User', d.userXml) : '') + fields({ EnableDate: d.enableDate }),
  );
  return memberList('VirtualMFADevices', members) + xml;
};

export const CREDENTIAL_ACTIONS = {
  ListSSHPublicKeys: { service: 'iam', handler: listSshPublicKeys },
  ListSigningCertificates: { service: 'iam', handler: listSigningCertificates },
  ListServiceSpecificCredentials: { service: 'iam', handler: listServiceSpecificCredentials },
  ListVirtualMFADevices: { service: 'iam', handler: listVirtualMfaDevices },
} as const;
