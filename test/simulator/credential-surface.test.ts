import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListSSHPublicKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListVirtualMFADevicesCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListVirtualMFADevices,
  type EntityType,
} from '@aws-sdk/client-iam';
import {
  AWS_MANAGED_POLICY_ARN,
  addGroup,
  addMfaDevice,
  addRole,
  addServiceSpecificCredential,
  addSigningCertificate,
  addSshPublicKey,
  addUnassignedVirtualMfaDevice,
  addUser,
  addUserToGroup,
  allowDocument,
  attachUserPolicy,
  createPolicy,
  createPolicyVersion,
  customerPolicyArn,
  daysBefore,
  emptyAccount,
  generateAccount,
  putUserPolicy,
  type SimAccount,
} from '../../src/simulator';
import { NOW, errorOf, withSimulator } from './helpers';

const ACCOUNT = '123456789012';

async function reportRows(iam: IAMClient): Promise<Record<string, string>[]> {
  while ((await iam.send(new GenerateCredentialReportCommand({}))).State !== 'COMPLETE');
  const csv = Buffer.from((await iam.send(new GetCredentialReportCommand({}))).Content!).toString('utf8');
  const [header, ...lines] = csv.split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, v])));
}

/** One user per kind of credential, with dates relative to NOW. */
function credentialAccount(): SimAccount {
  const account = emptyAccount(ACCOUNT);
  addUser(account, { userName: 'dev', createDate: daysBefore(NOW, 900) });
  addUser(account, { userName: 'plain', createDate: daysBefore(NOW, 10) });
  return account;
}

describe('simulator: SSH keys, signing certificates, service-specific credentials', () => {
  test('when a user has SSH keys, then ListSSHPublicKeys lists them oldest first with status and upload date, and pages', async () => {
    const account = credentialAccount();
    const old = addSshPublicKey(account, 'dev', { ageDays: 400, now: NOW });
    const inactive = addSshPublicKey(account, 'dev', { ageDays: 200, now: NOW, status: 'Inactive' });
    const fresh = addSshPublicKey(account, 'dev', { ageDays: 3, now: NOW });
    await withSimulator({ account }, async (_sim, iam) => {
      const all = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'dev' }));
      expect(all.SSHPublicKeys).toEqual([
        { UserName: 'dev', SSHPublicKeyId: old.sshPublicKeyId, Status: 'Active', UploadDate: daysBefore(NOW, 400) },
        { UserName: 'dev', SSHPublicKeyId: inactive.sshPublicKeyId, Status: 'Inactive', UploadDate: daysBefore(NOW, 200) },
        { UserName: 'dev', SSHPublicKeyId: fresh.sshPublicKeyId, Status: 'Active', UploadDate: daysBefore(NOW, 3) },
      ]);
      expect(old.sshPublicKeyId).toMatch(/^APKA[A-Z2-7]{16}$/);
      const first = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'dev', MaxItems: 2 }));
      expect(first.IsTruncated).toBe(true);
      const rest = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'dev', Marker: first.Marker }));
      expect(rest.SSHPublicKeys!.map((k) => k.SSHPublicKeyId)).toEqual([fresh.sshPublicKeyId]);
      expect((await iam.send(new ListSSHPublicKeysCommand({ UserName: 'plain' }))).SSHPublicKeys).toEqual([]);
      expect((await errorOf(iam.send(new ListSSHPublicKeysCommand({ UserName: 'ghost' })))).name).toBe('NoSuchEntityException');
    });
  });

  test('when a user has signing certificates, then ListSigningCertificates lists them, and the report shows cert_1/cert_2 with upload dates', async () => {
    const account = credentialAccount();
    const older = addSigningCertificate(account, 'dev', { ageDays: 500, now: NOW, status: 'Inactive' });
    const newer = addSigningCertificate(account, 'dev', { ageDays: 91, now: NOW });
    await withSimulator({ account, now: () => NOW }, async (_sim, iam) => {
      const res = await iam.send(new ListSigningCertificatesCommand({ UserName: 'dev' }));
      expect(res.Certificates!.map(({ CertificateBody, ...rest }) => rest)).toEqual([
        { UserName: 'dev', CertificateId: older.certificateId, Status: 'Inactive', UploadDate: daysBefore(NOW, 500) },
        { UserName: 'dev', CertificateId: newer.certificateId, Status: 'Active', UploadDate: daysBefore(NOW, 91) },
      ]);
      expect(res.Certificates![0]!.CertificateBody).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
      const rows = await reportRows(iam);
      expect(rows.find((r) => r.user === 'dev')).toMatchObject({
        cert_1_active: 'false',
        cert_1_last_rotated: daysBefore(NOW, 500).toISOString().replace('.000Z', '+00:00'),
        cert_2_active: 'true',
        cert_2_last_rotated: daysBefore(NOW, 91).toISOString().replace('.000Z', '+00:00'),
      });
      expect(rows.find((r) => r.user === 'plain')).toMatchObject({ cert_1_active: 'false', cert_1_last_rotated: 'N/A', cert_2_active: 'false', cert_2_last_rotated: 'N/A' });
    });
  });

  test('when reportOmitsCertificateDates is set, then cert_N_last_rotated is N/A while cert_N_active still says true', async () => {
    const account = credentialAccount();
    addSigningCertificate(account, 'dev', { ageDays: 120, now: NOW });
    await withSimulator({ account, reportOmitsCertificateDates: true }, async (_sim, iam) => {
      const dev = (await reportRows(iam)).find((r) => r.user === 'dev');
      expect(dev).toMatchObject({ cert_1_active: 'true', cert_1_last_rotated: 'N/A', cert_2_active: 'false', cert_2_last_rotated: 'N/A' });
      // The live answer still has the date the report leaves out.
      const res = await iam.send(new ListSigningCertificatesCommand({ UserName: 'dev' }));
      expect(res.Certificates![0]!.UploadDate).toEqual(daysBefore(NOW, 120));
    });
  });

  test('when a third signing certificate or a sixth SSH key is added, then it is refused as AWS refuses it', () => {
    const account = credentialAccount();
    addSigningCertificate(account, 'dev', { ageDays: 1, now: NOW });
    addSigningCertificate(account, 'dev', { ageDays: 2, now: NOW });
    expect(() => addSigningCertificate(account, 'dev', { ageDays: 3, now: NOW })).toThrow(/2 signing certificates/);
    for (let i = 0; i < 5; i++) addSshPublicKey(account, 'plain', { ageDays: i, now: NOW });
    expect(() => addSshPublicKey(account, 'plain', { ageDays: 1, now: NOW })).toThrow(/5 SSH public keys/);
  });

  test('when users have service-specific credentials, then ListServiceSpecificCredentials answers per user, per service and for all users', async () => {
    const account = credentialAccount();
    const codecommit = addServiceSpecificCredential(account, 'dev', { serviceName: 'codecommit.amazonaws.com', ageDays: 200, now: NOW });
    const keyspaces = addServiceSpecificCredential(account, 'dev', { serviceName: 'cassandra.amazonaws.com', ageDays: 30, now: NOW, status: 'Inactive' });
    const bedrock = addServiceSpecificCredential(account, 'plain', { serviceName: 'bedrock.amazonaws.com', ageDays: 5, now: NOW, expiresInDays: 25 });
    await withSimulator({ account }, async (_sim, iam) => {
      const dev = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'dev' }));
      expect(dev.ServiceSpecificCredentials).toEqual([
        {
          UserName: 'dev',
          Status: 'Active',
          ServiceUserName: `dev-at-${ACCOUNT}`,
          CreateDate: daysBefore(NOW, 200),
          ServiceSpecificCredentialId: codecommit.serviceSpecificCredentialId,
          ServiceName: 'codecommit.amazonaws.com',
        },
        {
          UserName: 'dev',
          Status: 'Inactive',
          ServiceUserName: `dev-at-${ACCOUNT}`,
          CreateDate: daysBefore(NOW, 30),
          ServiceSpecificCredentialId: keyspaces.serviceSpecificCredentialId,
          ServiceName: 'cassandra.amazonaws.com',
        },
      ]);
      expect(codecommit.serviceSpecificCredentialId).toMatch(/^ACCA[A-Z2-7]{17}$/);
      const onlyKeyspaces = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'dev', ServiceName: 'cassandra.amazonaws.com' }));
      expect(onlyKeyspaces.ServiceSpecificCredentials!.map((c) => c.ServiceSpecificCredentialId)).toEqual([keyspaces.serviceSpecificCredentialId]);
      const everyone = await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true }));
      expect(everyone.ServiceSpecificCredentials!.map((c) => [c.UserName, c.ServiceName])).toEqual([
        ['dev', 'codecommit.amazonaws.com'],
        ['dev', 'cassandra.amazonaws.com'],
        ['plain', 'bedrock.amazonaws.com'],
      ]);
      expect(everyone.ServiceSpecificCredentials![2]).toMatchObject({ ServiceUserName: expect.stringMatching(/^BedrockAPIKey-/), ExpirationDate: daysBefore(NOW, -25) });
      const unsupported = await errorOf(iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'dev', ServiceName: 's3.amazonaws.com' })));
      expect(unsupported.name).toBe('ServiceNotSupportedException');
      expect(unsupported.$metadata.httpStatusCode).toBe(404);
      expect(bedrock.status).toBe('Active');
    });
  });
});

describe('simulator: virtual MFA devices', () => {
  test('when root has a virtual MFA, then ListVirtualMFADevices lists root-account-mfa-device with the root ARN, beside the users’ devices', async () => {
    const account = credentialAccount();
    account.root = { ...account.root, mfaEnabled: true, mfaType: 'virtual', mfaEnableDate: daysBefore(NOW, 700), createDate: daysBefore(NOW, 1000) };
    addMfaDevice(account, 'dev', { enableDate: daysBefore(NOW, 50) });
    addMfaDevice(account, 'plain', { enableDate: daysBefore(NOW, 5), serialNumber: 'GAHT12345678' });
    addUnassignedVirtualMfaDevice(account, 'spare');
    await withSimulator({ account }, async (_sim, iam) => {
      const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
      expect(assigned.VirtualMFADevices).toEqual([
        {
          SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/dev`,
          User: expect.objectContaining({ UserName: 'dev', Arn: `arn:aws:iam::${ACCOUNT}:user/dev` }),
          EnableDate: daysBefore(NOW, 50),
        },
        {
          SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`,
          User: { UserId: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root`, CreateDate: daysBefore(NOW, 1000) },
          EnableDate: daysBefore(NOW, 700),
        },
      ]);
      const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
      expect(unassigned.VirtualMFADevices).toEqual([{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/spare` }]);
      const serials: string[] = [];
      for await (const page of paginateListVirtualMFADevices({ client: iam, pageSize: 1 }, {})) serials.push(...page.VirtualMFADevices!.map((d) => d.SerialNumber!));
      expect(serials).toEqual([`arn:aws:iam::${ACCOUNT}:mfa/dev`, `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`, `arn:aws:iam::${ACCOUNT}:mfa/spare`]);
      const bad = await errorOf(iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Maybe' as never })));
      expect(bad.name).toBe('ValidationError');
    });
  });

  test('when root has a hardware MFA, then it is absent from ListVirtualMFADevices while GetAccountSummary says AccountMFAEnabled 1', async () => {
    const account = credentialAccount();
    account.root.mfaType = 'hardware';
    await withSimulator({ account }, async (_sim, iam) => {
      const devices = await iam.send(new ListVirtualMFADevicesCommand({}));
      expect(devices.VirtualMFADevices).toEqual([]);
      const summary = await iam.send(new GetAccountSummaryCommand({}));
      expect(summary.SummaryMap!.AccountMFAEnabled).toBe(1);
    });
  });

  test('when root has no MFA at all, then neither the list nor the summary shows one', async () => {
    const account = credentialAccount();
    account.root = { ...account.root, mfaEnabled: false, mfaType: 'virtual' };
    await withSimulator({ account }, async (_sim, iam) => {
      expect((await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices).toEqual([]);
      expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.AccountMFAEnabled).toBe(0);
    });
  });
});

/** Groups, policies and roles covering every shape GetAccountAuthorizationDetails returns. */
function authorizationAccount(): SimAccount {
  const account = emptyAccount(ACCOUNT);
  const created = daysBefore(NOW, 300);
  for (const userName of ['alice', 'bob', 'carol']) addUser(account, { userName, createDate: created });
  addGroup(account, { groupName: 'Admins', createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.AdministratorAccess] });
  addGroup(account, { groupName: 'Readers', path: '/team/', createDate: created, attachedPolicies: [AWS_MANAGED_POLICY_ARN.ReadOnlyAccess] });
  addUserToGroup(account, 'alice', 'Admins');
  addUserToGroup(account, 'alice', 'Readers');
  putUserPolicy(account, 'bob', 'BreakGlass', allowDocument('*'));
  const deploy = createPolicy(account, { policyName: 'Deploy', createDate: created, document: allowDocument(['lambda:*']) });
  createPolicyVersion(account, customerPolicyArn(account, deploy), allowDocument(['lambda:*', 'iam:PassRole']), { createDate: daysBefore(NOW, 100) });
  attachUserPolicy(account, 'carol', customerPolicyArn(account, deploy));
  addRole(account, { roleName: 'Audit', createDate: created, trust: { principals: ['999988887777'], externalId: 'xyz' }, attachedPolicies: [AWS_MANAGED_POLICY_ARN.SecurityAudit] });
  return account;
}

const decode = (document: string | undefined): any => JSON.parse(decodeURIComponent(document!));

describe('simulator: GetAccountAuthorizationDetails', () => {
  test('when called without a filter, then users with groups, inline and attached policies, groups, roles and policies come back with URL-encoded documents', async () => {
    await withSimulator({ account: authorizationAccount() }, async (_sim, iam) => {
      const res = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
      expect(res.IsTruncated).toBe(false);
      const users = Object.fromEntries(res.UserDetailList!.map((u) => [u.UserName!, u]));
      expect(users.alice).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, GroupList: ['Admins', 'Readers'], UserPolicyList: [], AttachedManagedPolicies: [] });
      expect(users.bob!.UserPolicyList![0]!.PolicyName).toBe('BreakGlass');
      expect(users.bob!.UserPolicyList![0]!.PolicyDocument).toMatch(/^%7B%22Version%22%3A%222012-10-17%22/);
      expect(decode(users.bob!.UserPolicyList![0]!.PolicyDocument)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
      expect(users.carol!.AttachedManagedPolicies).toEqual([{ PolicyName: 'Deploy', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Deploy` }]);

      expect(res.GroupDetailList!.map((g) => [g.GroupName, g.Arn, g.AttachedManagedPolicies![0]!.PolicyArn])).toEqual([
        ['Admins', `arn:aws:iam::${ACCOUNT}:group/Admins`, AWS_MANAGED_POLICY_ARN.AdministratorAccess],
        ['Readers', `arn:aws:iam::${ACCOUNT}:group/team/Readers`, AWS_MANAGED_POLICY_ARN.ReadOnlyAccess],
      ]);
      expect(res.GroupDetailList![0]!.GroupId).toMatch(/^AGPA[A-Z2-7]{17}$/);

      const [role] = res.RoleDetailList!;
      expect(role).toMatchObject({ RoleName: 'Audit', Arn: `arn:aws:iam::${ACCOUNT}:role/Audit`, AttachedManagedPolicies: [{ PolicyName: 'SecurityAudit', PolicyArn: AWS_MANAGED_POLICY_ARN.SecurityAudit }] });
      expect(decode(role!.AssumeRolePolicyDocument)).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'xyz' } } },
        ],
      });

      const policies = Object.fromEntries(res.Policies!.map((p) => [p.PolicyName!, p]));
      // AWS managed policies appear when the account attaches them; PowerUserAccess is attached nowhere.
      expect(Object.keys(policies).sort()).toEqual(['AdministratorAccess', 'Deploy', 'ReadOnlyAccess', 'SecurityAudit']);
      expect(policies.AdministratorAccess).toMatchObject({ Arn: AWS_MANAGED_POLICY_ARN.AdministratorAccess, AttachmentCount: 1, DefaultVersionId: 'v1' });
      expect(decode(policies.AdministratorAccess!.PolicyVersionList![0]!.Document)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
      expect(policies.Deploy).toMatchObject({ DefaultVersionId: 'v2', AttachmentCount: 1, IsAttachable: true, Path: '/' });
      expect(policies.Deploy!.PolicyVersionList!.map((v) => [v.VersionId, v.IsDefaultVersion, decode(v.Document).Statement[0].Action])).toEqual([
        ['v1', false, ['lambda:*']],
        ['v2', true, ['lambda:*', 'iam:PassRole']],
      ]);
    });
  });

  test('when filtered to User, Group and LocalManagedPolicy, then roles and AWS managed policies are left out', async () => {
    await withSimulator({ account: authorizationAccount() }, async (_sim, iam) => {
      const res = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group', 'LocalManagedPolicy'] }));
      expect(res.UserDetailList).toHaveLength(3);
      expect(res.GroupDetailList).toHaveLength(2);
      expect(res.RoleDetailList).toEqual([]);
      expect(res.Policies!.map((p) => p.PolicyName)).toEqual(['Deploy']);
      const onlyAws = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['AWSManagedPolicy'] }));
      expect(onlyAws.Policies!.map((p) => p.PolicyName).sort()).toEqual(['AdministratorAccess', 'ReadOnlyAccess', 'SecurityAudit']);
      expect(onlyAws.UserDetailList).toEqual([]);
      const bad = await errorOf(iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Users' as EntityType] })));
      expect(bad.name).toBe('ValidationError');
      expect(bad.message).toContain("Value '[Users]' at 'filter'");
    });
  });

  test('when paged with MaxItems 2, then every entity comes back exactly once across pages of every type', async () => {
    await withSimulator({ account: authorizationAccount() }, async (sim, iam) => {
      const seen: string[] = [];
      const pageSizes: number[] = [];
      for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 2 }, {})) {
        const items = [
          ...page.UserDetailList!.map((u) => `user:${u.UserName}`),
          ...page.GroupDetailList!.map((g) => `group:${g.GroupName}`),
          ...page.RoleDetailList!.map((r) => `role:${r.RoleName}`),
          ...page.Policies!.map((p) => `policy:${p.PolicyName}`),
        ];
        pageSizes.push(items.length);
        seen.push(...items);
      }
      expect(seen).toEqual([
        'user:alice',
        'user:bob',
        'user:carol',
        'group:Admins',
        'group:Readers',
        'role:Audit',
        // Policies by ARN: the account's own (arn:aws:iam::1234…) before AWS's (arn:aws:iam::aws…).
        'policy:Deploy',
        'policy:AdministratorAccess',
        'policy:ReadOnlyAccess',
        'policy:SecurityAudit',
      ]);
      expect(pageSizes).toEqual([2, 2, 2, 2, 2]);
      expect(sim.stats.byAction.GetAccountAuthorizationDetails).toBe(5);
    });
  });

  test('when the account has groups, policies and roles, then GetAccountSummary counts them', async () => {
    await withSimulator({ account: authorizationAccount() }, async (_sim, iam) => {
      const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}));
      expect(SummaryMap).toMatchObject({ Users: 3, Groups: 2, Policies: 1, PolicyVersionsInUse: 2, Roles: 1 });
    });
  });
});

describe('simulator: a generated account answers its credential surface consistently', () => {
  test('when a generated account is listed through every API, then SSH keys, certificates, service credentials, MFA and the report agree with the model', async () => {
    const account = generateAccount({ seed: 11, users: 60, now: NOW });
    await withSimulator({ account, now: () => NOW }, async (_sim, iam) => {
      const rows = Object.fromEntries((await reportRows(iam)).map((r) => [r.user, r]));
      for (const user of account.users) {
        const certs = (await iam.send(new ListSigningCertificatesCommand({ UserName: user.userName }))).Certificates!;
        const row = rows[user.userName]!;
        const slots = [...certs].sort((a, b) => a.UploadDate!.getTime() - b.UploadDate!.getTime());
        for (const [i, slot] of [0, 1].entries()) {
          const cert = slots[slot];
          expect(row[`cert_${i + 1}_active`]).toBe(cert ? String(cert.Status === 'Active') : 'false');
          expect(row[`cert_${i + 1}_last_rotated`]).toBe(cert ? cert.UploadDate!.toISOString().replace('.000Z', '+00:00') : 'N/A');
        }
        const ssh = (await iam.send(new ListSSHPublicKeysCommand({ UserName: user.userName }))).SSHPublicKeys!;
        expect(ssh.map((k) => k.SSHPublicKeyId).sort()).toEqual((user.sshPublicKeys ?? []).map((k) => k.sshPublicKeyId).sort());
        for (const key of ssh) expect(key.UploadDate!.getTime()).toBeGreaterThanOrEqual(Math.floor(user.createDate.getTime() / 1000) * 1000);
      }
      const all = (await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true, MaxItems: 1000 }))).ServiceSpecificCredentials!;
      expect(all).toHaveLength(account.users.reduce((n, u) => n + (u.serviceSpecificCredentials?.length ?? 0), 0));
      const virtual = (await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned', MaxItems: 1000 }))).VirtualMFADevices!;
      const rootListed = virtual.some((d) => d.SerialNumber === `arn:aws:iam::${account.accountId}:mfa/root-account-mfa-device`);
      expect(rootListed).toBe(account.root.mfaType === 'virtual');
      expect(rows['<root_account>']!.mfa_active).toBe('true');
    });
  });
});
