import { ListUsersCommand, paginateListUsers } from '@aws-sdk/client-iam';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import {
  AWS_MANAGED_POLICY_ARN,
  DAY_MS,
  GENERATED_GROUPS,
  GENERATED_INLINE_POLICIES,
  GENERATED_POLICIES,
  SimAccount,
  SimUser,
  evolveAccount,
  evolveOrganization,
  generateAccount,
  generateOrganization,
  startSimulator,
} from '../../src/simulator';
import { NOW, organizationsClient, roleClients } from './helpers';

const SURFACE_FIELDS = [
  'sshPublicKeys',
  'signingCertificates',
  'serviceSpecificCredentials',
  'groups',
  'attachedPolicies',
  'inlinePolicies',
  'policies',
  'roles',
  'unassignedVirtualMfaDevices',
  'mfaType',
  'mfaEnableDate',
];

/** The account without anything the credential surface adds. */
function withoutSurface(account: SimAccount): unknown {
  return JSON.parse(JSON.stringify(account, (key, value) => (SURFACE_FIELDS.includes(key) ? undefined : value)));
}

const activeKey = (u: SimUser) => u.accessKeys.some((k) => k.status === 'Active');
const exactAgeDays = (date: Date) => (NOW.getTime() - date.getTime()) / DAY_MS;

describe('simulator: generated credential surface', () => {
  test('when an account is generated with and without the credential surface, then users, keys, passwords, MFA and root are the same', () => {
    for (const [seed, users] of [
      [1, 20],
      [7, 1000],
      [123, 300],
    ]) {
      const plain = generateAccount({ seed: seed!, users: users!, now: NOW, credentialSurface: false });
      const full = generateAccount({ seed: seed!, users: users!, now: NOW });
      expect(withoutSurface(full)).toEqual(withoutSurface(plain));
      expect(plain.groups).toBeUndefined();
      expect(full.groups!.length).toBeGreaterThan(0);
    }
  });

  test('when an account is generated, then admins through a group, inline *:* and escalation-capable users all hold active keys', () => {
    for (const seed of [1, 2, 3]) {
      const account = generateAccount({ seed, users: 20, now: NOW });
      const inGroup = (group: string) => account.users.filter((u) => u.groups?.includes(group));
      const inline = (name: string) => account.users.filter((u) => u.inlinePolicies?.some((p) => p.policyName === name));
      expect(inGroup(GENERATED_GROUPS.admins).some(activeKey)).toBe(true);
      const breakGlass = inline(GENERATED_INLINE_POLICIES.breakGlass);
      expect(breakGlass.some(activeKey)).toBe(true);
      expect(breakGlass[0]!.inlinePolicies![0]!.document.Statement).toEqual([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
      expect(inline(GENERATED_INLINE_POLICIES.keyAdmin).some(activeKey)).toBe(true);
      expect(inline(GENERATED_INLINE_POLICIES.policyAttacher).some(activeKey)).toBe(true);
      const passRole = `arn:aws:iam::${account.accountId}:policy/${GENERATED_POLICIES.ciDeploy}`;
      expect(account.users.filter((u) => u.attachedPolicies?.includes(passRole)).some(activeKey)).toBe(true);
      // Administrator attached directly beside an explicit Deny; IAM full access through a group.
      expect(account.users.some((u) => u.attachedPolicies?.includes(AWS_MANAGED_POLICY_ARN.AdministratorAccess) && u.inlinePolicies?.some((p) => p.policyName === GENERATED_INLINE_POLICIES.denyIam))).toBe(true);
      expect(inGroup(GENERATED_GROUPS.iamAdmins).length).toBeGreaterThan(0);
      const admins = account.groups!.find((g) => g.groupName === GENERATED_GROUPS.admins)!;
      expect(admins.attachedPolicies).toEqual([AWS_MANAGED_POLICY_ARN.AdministratorAccess]);
      const ci = account.policies!.find((p) => p.policyName === GENERATED_POLICIES.ciDeploy)!;
      expect(ci.defaultVersionId).toBe('v2');
    }
  });

  test('when an account is generated, then SSH keys, certificates and service credentials of every service exist, old and fresh, after their user was created', () => {
    for (const seed of [1, 2, 3]) {
      const account = generateAccount({ seed, users: 20, now: NOW });
      const ssh = account.users.flatMap((u) => u.sshPublicKeys ?? []);
      expect(ssh.some((k) => k.status === 'Active' && exactAgeDays(k.uploadDate) === 400)).toBe(true);
      expect(ssh.some((k) => k.status === 'Active' && exactAgeDays(k.uploadDate) === 10)).toBe(true);
      expect(ssh.some((k) => k.status === 'Inactive')).toBe(true);
      const certs = account.users.flatMap((u) => u.signingCertificates ?? []);
      expect(certs.some((c) => c.status === 'Active' && exactAgeDays(c.uploadDate) === 500)).toBe(true);
      expect(certs.some((c) => c.status === 'Inactive')).toBe(true);
      const services = new Set(account.users.flatMap((u) => (u.serviceSpecificCredentials ?? []).map((c) => c.serviceName)));
      expect(services).toEqual(new Set(['codecommit.amazonaws.com', 'cassandra.amazonaws.com', 'bedrock.amazonaws.com']));
      for (const user of account.users) {
        const dates = [
          ...(user.sshPublicKeys ?? []).map((k) => k.uploadDate),
          ...(user.signingCertificates ?? []).map((c) => c.uploadDate),
          ...(user.serviceSpecificCredentials ?? []).map((c) => c.createDate),
        ];
        for (const date of dates) {
          expect(date.getTime()).toBeGreaterThanOrEqual(user.createDate.getTime());
          expect(date.getTime()).toBeLessThanOrEqual(NOW.getTime());
        }
      }
    }
  });

  test('when several seeds are generated, then the root MFA is virtual for some and hardware for others, the same for a seed every time', () => {
    const kinds = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => generateAccount({ seed, users: 5, now: NOW }).root.mfaType);
    expect(new Set(kinds)).toEqual(new Set(['virtual', 'hardware']));
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => generateAccount({ seed, users: 5, now: NOW }).root.mfaType)).toEqual(kinds);
  });

  test('when an account is evolved with the credential surface, then the first three changes are unchanged and a user joins Admins and an SSH key rotates', () => {
    const a = generateAccount({ seed: 5, users: 30, now: NOW });
    const b = generateAccount({ seed: 5, users: 30, now: NOW });
    const later = new Date(NOW.getTime() + DAY_MS);
    const plain = evolveAccount(a, { seed: 1, now: later });
    const full = evolveAccount(b, { seed: 1, now: later, credentialSurface: true });
    expect(full.slice(0, 3)).toEqual(plain);
    expect(full).toHaveLength(5);
    expect(full[3]).toMatch(/^added (.+) \(arn:aws:iam::\d{12}:user\/.*\) to group Admins$/);
    expect(full[4]).toMatch(/^rotated SSH key of .+: deleted APKA\w+ \(\d+ days old\), uploaded APKA\w+$/);
    const promoted = full[3]!.match(/^added (.+?) \(/)![1]!;
    expect(b.users.find((u) => u.userName === promoted)!.groups).toContain('Admins');
    expect(a.users.find((u) => u.userName === promoted)!.groups ?? []).not.toContain('Admins');
  });
});

describe('simulator: generated organization', () => {
  const options = {
    seed: 42,
    now: NOW,
    accounts: [{ users: 40 }, { users: 25 }, { users: 10 }],
    roleName: 'KeywatchAudit',
    externalId: 'ext-123',
  };

  test('when the same options are used twice, then the same organization is generated', () => {
    expect(generateOrganization(options)).toEqual(generateOrganization(options));
    expect(generateOrganization({ ...options, seed: 43 }).accounts.map((a) => a.account.accountId)).not.toEqual(
      generateOrganization(options).accounts.map((a) => a.account.accountId),
    );
  });

  test('when an organization is generated, then the management account comes first and every member has the role trusting it with the ExternalId', () => {
    const org = generateOrganization(options);
    expect(org.id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(org.accounts.map((a) => [a.name, a.account.users.length, a.status])).toEqual([
      ['Management', 40, 'ACTIVE'],
      ['Production', 25, 'ACTIVE'],
      ['Staging', 10, 'ACTIVE'],
    ]);
    const ids = org.accounts.map((a) => a.account.accountId);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^\d{12}$/);
    expect(org.accounts[0]!.account.roles).toBeUndefined();
    for (const member of org.accounts.slice(1)) {
      expect(member.account.roles).toEqual([
        expect.objectContaining({ roleName: 'KeywatchAudit', trust: { principals: [ids[0]], externalId: 'ext-123' }, attachedPolicies: [AWS_MANAGED_POLICY_ARN.SecurityAudit] }),
      ]);
      expect(member.joinedTimestamp.getTime()).toBeGreaterThan(org.accounts[0]!.joinedTimestamp.getTime());
      expect(member.joinedTimestamp.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
    // Members are generated from seeds of their own: different users.
    expect(org.accounts[1]!.account.users[0]!.userId).not.toBe(org.accounts[2]!.account.users[0]!.userId);
  });

  test('when the organization evolves, then more than one account changes and each line names its account; a suspended account does not change', () => {
    const org = generateOrganization(options);
    org.accounts[2]!.status = 'SUSPENDED';
    const suspendedBefore = structuredClone(org.accounts[2]!.account);
    const changes = evolveOrganization(org, { seed: 1, now: new Date(NOW.getTime() + DAY_MS) });
    const touched = new Set(changes.map((line) => line.match(/^.+ \((\d{12})\): /)![1]));
    expect(touched).toEqual(new Set([org.accounts[0]!.account.accountId, org.accounts[1]!.account.accountId]));
    expect(changes.filter((line) => line.startsWith(`Production (${org.accounts[1]!.account.accountId}): `))).toHaveLength(5);
    expect(org.accounts[2]!.account).toEqual(suspendedBefore);
  });

  test('when the organization evolves for chosen accounts only, then only those change', () => {
    const org = generateOrganization(options);
    const untouched = structuredClone(org.accounts[0]!.account);
    const chosen = org.accounts[1]!.account.accountId;
    const changes = evolveOrganization(org, { seed: 1, now: new Date(NOW.getTime() + DAY_MS), accountIds: [chosen] });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((line) => line.includes(`(${chosen}): `))).toBe(true);
    expect(org.accounts[0]!.account).toEqual(untouched);
  });

  test('when a generated organization is served, then ListAccounts lists it and every member is scanned through its role with the ExternalId', async () => {
    const org = generateOrganization(options);
    const sim = await startSimulator({ organization: org });
    const orgs = organizationsClient(sim);
    try {
      const listed = (await orgs.send(new ListAccountsCommand({}))).Accounts!;
      expect(listed.map((a) => [a.Id, a.Name])).toEqual(org.accounts.map((a) => [a.account.accountId, a.name]));
      for (const member of org.accounts.slice(1)) {
        const clients = roleClients(sim, `arn:aws:iam::${member.account.accountId}:role/KeywatchAudit`, 'ext-123');
        try {
          const names: string[] = [];
          for await (const page of paginateListUsers({ client: clients.iam, pageSize: 7 }, {})) names.push(...page.Users!.map((u) => u.UserName!));
          expect(names.sort()).toEqual(member.account.users.map((u) => u.userName).sort());
          await expect(clients.iam.send(new ListUsersCommand({ MaxItems: 1 }))).resolves.toBeDefined();
        } finally {
          clients.destroy();
        }
      }
    } finally {
      orgs.destroy();
      await sim.stop();
    }
  });
});
