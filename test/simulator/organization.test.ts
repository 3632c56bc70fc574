import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, ListAccountsCommand, paginateListAccounts } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  SimAccount,
  addAccessKey,
  addRole,
  addUser,
  createOrganization,
  addOrgAccount,
  daysBefore,
  emptyAccount,
  mulberry32,
  startSimulator,
  type SimOrganization,
  type SimulatorHandle,
  type SimulatorOptions,
} from '../../src/simulator';
import { ORG_ROLE_NAME, accountWithKeyAges, accountWithUsers as supportAccountWithUsers, organizationOf } from '../support/accounts';
import { BASE_CREDENTIALS, NOW, errorOf, iamClient, organizationsClient, rawCall, roleClients, roleCredentials, stsClient } from './helpers';

const MGMT = '111111111111';
const MEMBER_A = '222222222222';
const MEMBER_B = '333333333333';
const ROLE = 'KeywatchAudit';
const EXTERNAL_ID = 'from-the-vault';
const roleArnIn = (accountId: string, roleName = ROLE) => `arn:aws:iam::${accountId}:role/${roleName}`;

/** An account with `users` users named <prefix>-N, each with one active key. */
function accountWithUsers(accountId: string, prefix: string, users: number): SimAccount {
  const account = emptyAccount(accountId);
  const rng = mulberry32(Number(accountId.slice(0, 6)));
  for (let i = 0; i < users; i++) {
    addUser(account, { userName: `${prefix}-${i}`, createDate: daysBefore(NOW, 100), rng });
    addAccessKey(account, `${prefix}-${i}`, { ageDays: 10 + i, now: NOW, rng });
  }
  return account;
}

/** Management (1 user) and two members (2 and 3 users) whose audit role trusts the management account. */
function threeAccountOrg(options: { externalId?: string } = {}): SimOrganization {
  const org = createOrganization(accountWithUsers(MGMT, 'mgmt', 1), { joinedTimestamp: new Date('2020-01-01T00:00:00Z') });
  const a = accountWithUsers(MEMBER_A, 'prod', 2);
  const b = accountWithUsers(MEMBER_B, 'dev', 3);
  for (const member of [a, b]) addRole(member, { roleName: ROLE, trust: { principals: [MGMT], externalId: options.externalId } });
  addOrgAccount(org, a, { name: 'Production', joinedTimestamp: new Date('2021-01-01T00:00:00Z') });
  addOrgAccount(org, b, { name: 'Development', email: 'dev@example.com', joinedMethod: 'INVITED', joinedTimestamp: new Date('2022-06-01T12:30:00Z') });
  return org;
}

async function withOrg<T>(options: SimulatorOptions, body: (sim: SimulatorHandle) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

async function userNames(sim: SimulatorHandle, roleArn: string, externalId?: string): Promise<string[]> {
  const clients = roleClients(sim, roleArn, externalId);
  try {
    return ((await clients.iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName!);
  } finally {
    clients.destroy();
  }
}

async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  return { ok: results.filter((r) => r.status === 'fulfilled').length, errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])) };
}

describe('simulator: STS AssumeRole', () => {
  test('when the management account assumes a member role, then temporary ASIA credentials, a one-hour Expiration and the assumed-role user come back', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const sts = stsClient(sim);
      try {
        const before = Date.now();
        const res = await sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'keywatch' }));
        expect(res.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
        expect(res.Credentials!.SecretAccessKey!.length).toBeGreaterThanOrEqual(40);
        expect(res.Credentials!.SessionToken!.length).toBeGreaterThan(100);
        const lifetime = res.Credentials!.Expiration!.getTime() - before;
        expect(lifetime).toBeGreaterThan(3600_000 - 2000);
        expect(lifetime).toBeLessThanOrEqual(3600_000);
        expect(res.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${MEMBER_A}:assumed-role/${ROLE}/keywatch`);
        const role = sim.getAccount(MEMBER_A).roles![0]!;
        expect(res.AssumedRoleUser!.AssumedRoleId).toBe(`${role.roleId}:keywatch`);
        expect(role.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
      } finally {
        sts.destroy();
      }
    });
  });

  test('when DurationSeconds is 900, then Expiration is 15 minutes away; above the role maximum, then ValidationError', async () => {
    const clock = new Date('2025-03-01T12:00:00.750Z');
    await withOrg({ organization: threeAccountOrg(), sessionClock: () => clock }, async (sim) => {
      const sts = stsClient(sim);
      try {
        const res = await sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'short', DurationSeconds: 900 }));
        expect(res.Credentials!.Expiration).toEqual(new Date('2025-03-01T12:15:00Z'));
        const tooLong = await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'long', DurationSeconds: 7200 })));
        expect(tooLong.name).toBe('ValidationError');
        expect(tooLong.$metadata.httpStatusCode).toBe(400);
        expect(tooLong.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
        const tooShort = await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'tiny', DurationSeconds: 899 })));
        expect(tooShort.message).toContain("Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
      } finally {
        sts.destroy();
      }
    });
  });

  test('when a role allows 12 hours, then DurationSeconds 43200 is granted', async () => {
    const org = threeAccountOrg();
    addRole(org.accounts[1]!.account, { roleName: 'LongAudit', trust: { principals: [MGMT] }, maxSessionDurationSeconds: 43_200 });
    const clock = new Date('2025-03-01T00:00:00Z');
    await withOrg({ organization: org, sessionClock: () => clock }, async (sim) => {
      const sts = stsClient(sim);
      try {
        const res = await sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A, 'LongAudit'), RoleSessionName: 'kw', DurationSeconds: 43_200 }));
        expect(res.Credentials!.Expiration).toEqual(new Date('2025-03-01T12:00:00Z'));
      } finally {
        sts.destroy();
      }
    });
  });

  test('when the role does not exist, the account is unknown, or the trust names another account, then AccessDenied names the caller and the role', async () => {
    const org = threeAccountOrg();
    addRole(org.accounts[2]!.account, { roleName: 'OnlyFromElsewhere', trust: { principals: ['999999999999'] } });
    await withOrg({ organization: org }, async (sim) => {
      const sts = stsClient(sim);
      try {
        for (const arn of [roleArnIn(MEMBER_A, 'NoSuchRole'), roleArnIn('444444444444'), roleArnIn(MEMBER_B, 'OnlyFromElsewhere')]) {
          const error = await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'keywatch' })));
          expect(error.name).toBe('AccessDenied');
          expect(error.$metadata.httpStatusCode).toBe(403);
          expect(error.message).toBe(`User: arn:aws:iam::${MGMT}:user/keywatch is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
        }
      } finally {
        sts.destroy();
      }
    });
  });

  test('when the role requires an ExternalId, then only the exact ExternalId is admitted', async () => {
    await withOrg({ organization: threeAccountOrg({ externalId: EXTERNAL_ID }) }, async (sim) => {
      const sts = stsClient(sim);
      try {
        for (const externalId of [undefined, 'wrong', `${EXTERNAL_ID} `]) {
          const error = await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw', ExternalId: externalId })));
          expect(error.name).toBe('AccessDenied');
          expect(error.message).toContain(`sts:AssumeRole on resource: ${roleArnIn(MEMBER_A)}`);
        }
        const ok = await sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw', ExternalId: EXTERNAL_ID }));
        expect(ok.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${MEMBER_A}:assumed-role/${ROLE}/kw`);
      } finally {
        sts.destroy();
      }
    });
  });

  test('when the role trusts one IAM user ARN, then that user is admitted and a differently named caller is refused', async () => {
    const org = threeAccountOrg();
    addRole(org.accounts[1]!.account, { roleName: 'ForAuditorOnly', trust: { principals: [`arn:aws:iam::${MGMT}:user/auditor`] } });
    for (const [callerUserName, admitted] of [['auditor', true], ['keywatch', false]] as const) {
      await withOrg({ organization: org, callerUserName }, async (sim) => {
        const sts = stsClient(sim);
        try {
          const call = sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A, 'ForAuditorOnly'), RoleSessionName: 'kw' }));
          if (admitted) await expect(call).resolves.toBeDefined();
          else expect((await errorOf(call)).message).toContain(`User: arn:aws:iam::${MGMT}:user/keywatch is not authorized`);
        } finally {
          sts.destroy();
        }
      });
    }
  });

  test('when a role session assumes a role that trusts the first role, then chaining works within one hour and longer is refused', async () => {
    const org = threeAccountOrg();
    addRole(org.accounts[2]!.account, { roleName: 'Chained', trust: { principals: [roleArnIn(MEMBER_A)] }, maxSessionDurationSeconds: 7200 });
    await withOrg({ organization: org }, async (sim) => {
      const first = roleClients(sim, roleArnIn(MEMBER_A));
      try {
        const chained = await first.sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_B, 'Chained'), RoleSessionName: 'hop' }));
        expect(chained.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${MEMBER_B}:assumed-role/Chained/hop`);
        const long = await errorOf(first.sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_B, 'Chained'), RoleSessionName: 'hop', DurationSeconds: 7200 })));
        expect(long.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
        // The member role trusts the management account, not the member's own sessions.
        const refused = await errorOf(first.sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_B), RoleSessionName: 'hop' })));
        expect(refused.message).toBe(
          `User: arn:aws:sts::${MEMBER_A}:assumed-role/${ROLE}/keywatch is not authorized to perform: sts:AssumeRole on resource: ${roleArnIn(MEMBER_B)}`,
        );
      } finally {
        first.destroy();
      }
    });
  });
});

describe('simulator: credentials decide the account', () => {
  test('when IAM is called with fromTemporaryCredentials for each member, then each sees exactly its own users and keys', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      expect(await userNames(sim, roleArnIn(MEMBER_A))).toEqual(['prod-0', 'prod-1']);
      expect(await userNames(sim, roleArnIn(MEMBER_B))).toEqual(['dev-0', 'dev-1', 'dev-2']);
      const iam = iamClient(sim);
      try {
        expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['mgmt-0']);
        // Another account's key and user are not found with the management credentials.
        const memberKey = sim.getAccount(MEMBER_A).users[0]!.accessKeys[0]!.accessKeyId;
        expect((await errorOf(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: memberKey })))).name).toBe('NoSuchEntityException');
        expect((await errorOf(iam.send(new ListAccessKeysCommand({ UserName: 'prod-0' })))).name).toBe('NoSuchEntityException');
      } finally {
        iam.destroy();
      }
    });
  });

  test('when GetCallerIdentity is called with assumed credentials, then it answers the assumed-role ARN and the member account', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const clients = roleClients(sim, roleArnIn(MEMBER_B));
      try {
        const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
        expect(identity.Account).toBe(MEMBER_B);
        expect(identity.Arn).toBe(`arn:aws:sts::${MEMBER_B}:assumed-role/${ROLE}/keywatch`);
        expect(identity.UserId).toBe(`${sim.getAccount(MEMBER_B).roles![0]!.roleId}:keywatch`);
      } finally {
        clients.destroy();
      }
    });
  });

  test('when a role session lists access keys without UserName, then IAM answers ValidationError as for non-user credentials', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const clients = roleClients(sim, roleArnIn(MEMBER_A));
      try {
        const error = await errorOf(clients.iam.send(new ListAccessKeysCommand({})));
        expect(error.name).toBe('ValidationError');
        expect(error.message).toBe('Must specify userName when calling with non-User credentials');
      } finally {
        clients.destroy();
      }
    });
  });

  test('when an ASIA key id was never issued, or comes without its session token, then InvalidClientTokenId (403)', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const unknown = new STSClient({ region: 'us-east-1', endpoint: sim.url, maxAttempts: 1, credentials: { accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 's', sessionToken: 't' } });
      const sts = stsClient(sim);
      try {
        const error = await errorOf(unknown.send(new GetCallerIdentityCommand({})));
        expect(error.name).toBe('InvalidClientTokenId');
        expect(error.$metadata.httpStatusCode).toBe(403);
        expect(error.message).toBe('The security token included in the request is invalid.');
        const issued = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw' }))).Credentials!;
        const noToken = iamClientWith(sim, { accessKeyId: issued.AccessKeyId!, secretAccessKey: issued.SecretAccessKey! });
        try {
          expect((await errorOf(noToken.send(new ListUsersCommand({})))).name).toBe('InvalidClientTokenId');
        } finally {
          noToken.destroy();
        }
        expect(sim.stats.calls).toBe(3);
        expect(sim.accountStats(MEMBER_A).calls).toBe(0);
      } finally {
        unknown.destroy();
        sts.destroy();
      }
    });
  });

  test('when baseAccessKeyIds is set, then another static key id answers InvalidClientTokenId and the listed one works', async () => {
    await withOrg({ organization: threeAccountOrg(), baseAccessKeyIds: [BASE_CREDENTIALS.accessKeyId] }, async (sim) => {
      const stranger = iamClientWith(sim, { accessKeyId: 'AKIASTRANGERSTRANGER', secretAccessKey: 's' });
      const iam = iamClient(sim);
      try {
        expect((await errorOf(stranger.send(new ListUsersCommand({})))).name).toBe('InvalidClientTokenId');
        await expect(iam.send(new ListUsersCommand({}))).resolves.toBeDefined();
      } finally {
        stranger.destroy();
        iam.destroy();
      }
    });
  });

  test('when the session clock passes Expiration, then the temporary credentials answer ExpiredToken (403)', async () => {
    let clock = new Date('2025-03-01T12:00:00Z');
    await withOrg({ organization: threeAccountOrg(), sessionClock: () => clock }, async (sim) => {
      const sts = stsClient(sim);
      try {
        const issued = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw', DurationSeconds: 900 }))).Credentials!;
        const member = iamClientWith(sim, { accessKeyId: issued.AccessKeyId!, secretAccessKey: issued.SecretAccessKey!, sessionToken: issued.SessionToken! });
        try {
          clock = new Date('2025-03-01T12:14:59Z');
          await expect(member.send(new ListUsersCommand({}))).resolves.toBeDefined();
          clock = new Date('2025-03-01T12:15:00Z');
          const error = await errorOf(member.send(new ListUsersCommand({})));
          expect(error.name).toBe('ExpiredToken');
          expect(error.$metadata.httpStatusCode).toBe(403);
          expect(error.message).toBe('The security token included in the request is expired');
        } finally {
          member.destroy();
        }
      } finally {
        sts.destroy();
      }
    });
  });

  test('when an unsigned Query request arrives, then it is answered for the home account as before', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const res = await rawCall(sim, 'Action=GetCallerIdentity&Version=2011-06-15');
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<Account>${MGMT}</Account>`);
    });
  });
});

/** An IAM client signing with the given (possibly wrong) credentials. */
function iamClientWith(sim: SimulatorHandle, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): IAMClient {
  return new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
}

describe('simulator: Organizations ListAccounts', () => {
  test('when the management account lists accounts, then each comes with id, ARN, email, name, status, joined method and time', async () => {
    const org = threeAccountOrg();
    await withOrg({ organization: org }, async (sim) => {
      const orgs = organizationsClient(sim);
      try {
        const res = await orgs.send(new ListAccountsCommand({}));
        expect(res.NextToken).toBeUndefined();
        expect(res.Accounts).toEqual([
          {
            Id: MGMT,
            Arn: `arn:aws:organizations::${MGMT}:account/${org.id}/${MGMT}`,
            Email: `aws+management-${MGMT}@example.com`,
            Name: 'Management',
            Status: 'ACTIVE',
            State: 'ACTIVE',
            JoinedMethod: 'INVITED',
            JoinedTimestamp: new Date('2020-01-01T00:00:00Z'),
          },
          expect.objectContaining({ Id: MEMBER_A, Name: 'Production', JoinedMethod: 'CREATED', JoinedTimestamp: new Date('2021-01-01T00:00:00Z') }),
          expect.objectContaining({ Id: MEMBER_B, Name: 'Development', Email: 'dev@example.com', JoinedMethod: 'INVITED', JoinedTimestamp: new Date('2022-06-01T12:30:00Z') }),
        ]);
        const described = await orgs.send(new DescribeOrganizationCommand({}));
        expect(described.Organization).toMatchObject({ Id: org.id, MasterAccountId: MGMT, FeatureSet: 'ALL' });
        expect(org.id).toMatch(/^o-[a-z0-9]{10,32}$/);
      } finally {
        orgs.destroy();
      }
    });
  });

  test('when 25 accounts are paged with MaxResults 20, then every account comes back once over two pages; MaxResults 3 gives 3 per page', async () => {
    const org = createOrganization(emptyAccount(MGMT), { joinedTimestamp: new Date('2019-01-01T00:00:00Z') });
    for (let i = 1; i < 25; i++) addOrgAccount(org, emptyAccount(String(500000000000 + i)), { joinedTimestamp: new Date(Date.UTC(2020, 0, i)) });
    await withOrg({ organization: org }, async (sim) => {
      const orgs = organizationsClient(sim);
      try {
        const sizes: number[] = [];
        const ids: string[] = [];
        for await (const page of paginateListAccounts({ client: orgs, pageSize: 20 }, {})) {
          sizes.push(page.Accounts!.length);
          ids.push(...page.Accounts!.map((a) => a.Id!));
        }
        expect(sizes).toEqual([20, 5]);
        expect(new Set(ids)).toEqual(new Set(org.accounts.map((a) => a.account.accountId)));
        expect(ids).toHaveLength(25);
        const first = await orgs.send(new ListAccountsCommand({ MaxResults: 3 }));
        expect(first.Accounts).toHaveLength(3);
        const second = await orgs.send(new ListAccountsCommand({ MaxResults: 3, NextToken: first.NextToken }));
        expect(second.Accounts!.map((a) => a.Id)).toEqual(ids.slice(3, 6));
        const defaults = await orgs.send(new ListAccountsCommand({}));
        expect(defaults.Accounts).toHaveLength(20);
        expect(defaults.NextToken).toBeDefined();
      } finally {
        orgs.destroy();
      }
    });
  });

  test('when MaxResults is 0 or 21, or NextToken is garbage, then InvalidInputException (400) with its reason', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const orgs = organizationsClient(sim);
      try {
        for (const [input, reason] of [
          [{ MaxResults: 21 }, 'MAX_VALUE_EXCEEDED'],
          [{ MaxResults: 0 }, 'MIN_VALUE_EXCEEDED'],
          [{ NextToken: 'bm90LWEtdG9rZW4=' }, 'INVALID_PAGINATION_TOKEN'],
        ] as const) {
          const error = await errorOf(orgs.send(new ListAccountsCommand(input)));
          expect(error.name).toBe('InvalidInputException');
          expect(error.Reason).toBe(reason);
          expect(error.$metadata.httpStatusCode).toBe(400);
        }
      } finally {
        orgs.destroy();
      }
    });
  });

  test('when a member account calls ListAccounts, then AccessDeniedException as AWS answers it', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const orgs = organizationsClient(sim, roleCredentials(sim, roleArnIn(MEMBER_A)));
      try {
        const error = await errorOf(orgs.send(new ListAccountsCommand({})));
        expect(error.name).toBe('AccessDeniedException');
        expect(error.message).toBe("You don't have permissions to access this resource.");
        expect(error.$metadata.httpStatusCode).toBe(400);
      } finally {
        orgs.destroy();
      }
    });
  });

  test('when the simulator serves a single account, then ListAccounts answers AWSOrganizationsNotInUseException', async () => {
    await withOrg({ account: emptyAccount(MGMT) }, async (sim) => {
      const orgs = organizationsClient(sim);
      try {
        const error = await errorOf(orgs.send(new ListAccountsCommand({})));
        expect(error.name).toBe('AWSOrganizationsNotInUseException');
        expect(error.message).toBe('Your account is not a member of an organization.');
      } finally {
        orgs.destroy();
      }
    });
  });

  test('when an Action or operation names an Object.prototype member, then it is an unknown action, not a simulator bug', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const query = await rawCall(sim, 'Action=toString&Version=2010-05-08');
      expect(query.status).toBe(400);
      expect(query.text).toContain('<Code>InvalidAction</Code>');
      const json = await fetch(sim.url + '/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.constructor' },
        body: '{}',
      });
      expect(json.status).toBe(400);
      expect(((await json.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    });
  });

  test('when an unknown JSON operation is posted, then UnknownOperationException in the JSON error shape', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const res = await fetch(sim.url + '/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.DeleteOrganization' },
        body: '{}',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await res.json()).toEqual({ __type: 'UnknownOperationException', Message: 'Unknown operation AWSOrganizationsV20161128.DeleteOrganization' });
    });
  });
});

describe('simulator: changing the organization between scans', () => {
  test('when an account is added, then ListAccounts lists it and its role can be assumed', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const added = accountWithUsers('444444444444', 'new', 1);
      addRole(added, { roleName: ROLE, trust: { principals: [MGMT] } });
      const sts = stsClient(sim);
      const orgs = organizationsClient(sim);
      try {
        await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn('444444444444'), RoleSessionName: 'kw' }))).rejects.toMatchObject({ name: 'AccessDenied' });
        sim.addAccount(added, { name: 'Sandbox' });
        const listed = (await orgs.send(new ListAccountsCommand({}))).Accounts!.map((a) => [a.Id, a.Name]);
        expect(listed).toContainEqual(['444444444444', 'Sandbox']);
        expect(await userNames(sim, roleArnIn('444444444444'))).toEqual(['new-0']);
      } finally {
        sts.destroy();
        orgs.destroy();
      }
    });
  });

  test('when an account is removed, then it is no longer listed, AssumeRole into it is refused and its sessions stop working', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const member = roleClients(sim, roleArnIn(MEMBER_B));
      const sts = stsClient(sim);
      const orgs = organizationsClient(sim);
      try {
        await member.iam.send(new ListUsersCommand({}));
        sim.removeAccount(MEMBER_B);
        expect((await orgs.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).toEqual([MGMT, MEMBER_A]);
        const refused = await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_B), RoleSessionName: 'kw' })));
        expect(refused.name).toBe('AccessDenied');
        expect((await errorOf(member.iam.send(new ListUsersCommand({})))).name).toBe('InvalidClientTokenId');
        expect(() => sim.removeAccount(MGMT)).toThrow(/cannot leave/);
      } finally {
        member.destroy();
        sts.destroy();
        orgs.destroy();
      }
    });
  });

  test('when an account is suspended, then ListAccounts says SUSPENDED and AssumeRole into it is refused', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const sts = stsClient(sim);
      const orgs = organizationsClient(sim);
      try {
        sim.suspendAccount(MEMBER_A);
        const accounts = (await orgs.send(new ListAccountsCommand({}))).Accounts!;
        expect(accounts.find((a) => a.Id === MEMBER_A)).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED' });
        expect((await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw' })))).name).toBe('AccessDenied');
        sim.setAccountStatus(MEMBER_A, 'ACTIVE');
        await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw' }))).resolves.toBeDefined();
      } finally {
        sts.destroy();
        orgs.destroy();
      }
    });
  });

  test("when a role's trust is changed to require an ExternalId, then AssumeRole without it is refused and with it admitted", async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const sts = stsClient(sim);
      try {
        await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw' }))).resolves.toBeDefined();
        sim.setRoleTrust(MEMBER_A, ROLE, { principals: [MGMT], externalId: EXTERNAL_ID });
        expect((await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw' })))).name).toBe('AccessDenied');
        await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw', ExternalId: EXTERNAL_ID }))).resolves.toBeDefined();
        sim.setRoleTrust(MEMBER_A, ROLE, { principals: ['999999999999'] });
        expect((await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: roleArnIn(MEMBER_A), RoleSessionName: 'kw' })))).name).toBe('AccessDenied');
      } finally {
        sts.destroy();
      }
    });
  });

  test('when the simulator serves one account, then organization changes are refused with a clear error', async () => {
    await withOrg({ account: emptyAccount(MGMT) }, async (sim) => {
      expect(sim.organization).toBeNull();
      expect(() => sim.addAccount(emptyAccount(MEMBER_A))).toThrow(/single account/);
      expect(() => sim.suspendAccount(MEMBER_A)).toThrow(/single account/);
    });
  });
});

describe('simulator: per-account throttling, stats, faults and reports', () => {
  test('when two accounts each fire 15 calls at once with a limit of 10/s, then each account gets 10 through', async () => {
    await withOrg({ organization: threeAccountOrg(), rateLimitPerSecond: 10 }, async (sim) => {
      const iam = iamClient(sim);
      const member = roleClients(sim, roleArnIn(MEMBER_A));
      try {
        // Each client gets its session first (AssumeRole is a call of the management account), then the window clears.
        await member.sts.send(new GetCallerIdentityCommand({}));
        await member.iam.send(new GetAccountSummaryCommand({}));
        await new Promise((r) => setTimeout(r, 1050));
        const [mgmt, memberA] = await Promise.all([
          settle(Array.from({ length: 15 }, () => iam.send(new GetAccountSummaryCommand({})))),
          settle(Array.from({ length: 15 }, () => member.iam.send(new GetAccountSummaryCommand({})))),
        ]);
        expect(mgmt.ok).toBe(10);
        expect(memberA.ok).toBe(10);
        for (const error of [...mgmt.errors, ...memberA.errors]) expect(error.name).toBe('Throttling');
        expect(sim.accountStats(MEMBER_A)).toMatchObject({ throttled: 5 });
        expect(sim.accountStats(MEMBER_A).byAction.GetAccountSummary).toBe(16);
        expect(sim.accountStats(MGMT).byAction.AssumeRole).toBe(2);
        expect(sim.stats.throttled).toBe(10);
        expect(sim.stats.calls).toBe(sim.accountStats(MGMT).calls + sim.accountStats(MEMBER_A).calls);
      } finally {
        iam.destroy();
        member.destroy();
      }
    });
  });

  test('when a fault is scoped to one account, then only that account fails and the others answer', async () => {
    await withOrg({ organization: threeAccountOrg(), faults: [{ action: 'ListUsers', error: 'AccessDenied', accountId: MEMBER_B }] }, async (sim) => {
      const a = roleClients(sim, roleArnIn(MEMBER_A));
      const b = roleClients(sim, roleArnIn(MEMBER_B));
      try {
        await expect(a.iam.send(new ListUsersCommand({}))).resolves.toBeDefined();
        const error = await errorOf(b.iam.send(new ListUsersCommand({})));
        expect(error.name).toBe('AccessDenied');
        expect(error.message).toBe(
          `User: arn:aws:sts::${MEMBER_B}:assumed-role/${ROLE}/keywatch is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${MEMBER_B}:user/ because no identity-based policy allows the iam:ListUsers action`,
        );
        expect(sim.accountStats(MEMBER_B).faults).toBe(1);
        expect(sim.accountStats(MEMBER_A).faults).toBe(0);
      } finally {
        a.destroy();
        b.destroy();
      }
    });
  });

  test('when resetStats is called, then the total and every account are zero', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      expect(await userNames(sim, roleArnIn(MEMBER_A))).toHaveLength(2);
      sim.resetStats();
      expect(sim.stats).toEqual({ calls: 0, byAction: {}, throttled: 0, faults: 0 });
      expect(sim.accountStats(MEMBER_A)).toEqual({ calls: 0, byAction: {}, throttled: 0, faults: 0 });
      expect(sim.accountStats(MGMT)).toEqual({ calls: 0, byAction: {}, throttled: 0, faults: 0 });
    });
  });

  test("when each account generates its credential report, then each report lists that account's users only", async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const member = roleClients(sim, roleArnIn(MEMBER_B));
      const iam = iamClient(sim);
      try {
        const reportUsers = async (client: IAMClient) => {
          while ((await client.send(new GenerateCredentialReportCommand({}))).State !== 'COMPLETE');
          const csv = Buffer.from((await client.send(new GetCredentialReportCommand({}))).Content!).toString('utf8');
          return csv.split('\n').slice(1).map((line) => line.split(',')[1]);
        };
        expect(await reportUsers(member.iam)).toEqual([
          `arn:aws:iam::${MEMBER_B}:root`,
          `arn:aws:iam::${MEMBER_B}:user/dev-0`,
          `arn:aws:iam::${MEMBER_B}:user/dev-1`,
          `arn:aws:iam::${MEMBER_B}:user/dev-2`,
        ]);
        expect(await reportUsers(iam)).toEqual([`arn:aws:iam::${MGMT}:root`, `arn:aws:iam::${MGMT}:user/mgmt-0`]);
      } finally {
        member.destroy();
        iam.destroy();
      }
    });
  });

  test('when the handle replaces the management account, then the organization and the base credentials see the new one', async () => {
    await withOrg({ organization: threeAccountOrg() }, async (sim) => {
      const iam = iamClient(sim);
      try {
        sim.account = accountWithUsers(MGMT, 'replaced', 2);
        expect(sim.organization!.accounts[0]!.account).toBe(sim.account);
        expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['replaced-0', 'replaced-1']);
      } finally {
        iam.destroy();
      }
    });
  });

  test('when startSimulator gets an account that is not the management account of its organization, then it refuses to start', async () => {
    await expect(startSimulator({ organization: threeAccountOrg(), account: emptyAccount(MEMBER_A) })).rejects.toThrow(/management account/);
    await expect(startSimulator({})).rejects.toThrow(/account or an organization/);
  });
});

describe('test support: organizationOf', () => {
  test('when factory accounts are made an organization and served as the harness does, then each member is reachable through its role and no key id repeats', async () => {
    const accounts = [accountWithKeyAges([10, 100], NOW), accountWithKeyAges([10, 100], NOW, { accountId: MEMBER_A }), supportAccountWithUsers(3, NOW, MEMBER_B)];
    const organization = organizationOf(accounts, { externalId: EXTERNAL_ID });
    // startHarness passes { account, port: 0, ...sim }: the management account and the organization together.
    const sim = await startSimulator({ account: accounts[0], port: 0, organization });
    try {
      const keyIds = accounts.flatMap((a) => a.users.flatMap((u) => u.accessKeys.map((k) => k.accessKeyId)));
      expect(new Set(keyIds).size).toBe(keyIds.length);
      expect(await userNames(sim, roleArnIn(MEMBER_A, ORG_ROLE_NAME), EXTERNAL_ID)).toEqual(['user-100d-1', 'user-10d-0']);
      expect(await userNames(sim, roleArnIn(MEMBER_B, ORG_ROLE_NAME), EXTERNAL_ID)).toEqual(['svc-00000', 'svc-00001', 'svc-00002']);
    } finally {
      await sim.stop();
    }
  });
});
