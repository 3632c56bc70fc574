import http from 'node:http';
import {
  GetAccessKeyLastUsedCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  addAccessKey,
  addMfaDevice,
  addUser,
  daysBefore,
  emptyAccount,
  mulberry32,
  setLoginProfile,
} from '../../src/simulator';
import { NOW, errorOf, rawCall, stsClient, withSimulator } from './helpers';

function accountWithUsers(count: number) {
  const account = emptyAccount('123456789012');
  const rng = mulberry32(7);
  for (let i = 0; i < count; i++) {
    addUser(account, { userName: `user-${String(i).padStart(5, '0')}`, createDate: daysBefore(NOW, 10), rng });
  }
  return account;
}

describe('simulator: IAM Query-protocol API through the real SDK', () => {
  test('when 2,500 users are paginated with MaxItems 1000, then every user comes back exactly once in 3 pages', async () => {
    const account = accountWithUsers(2500);
    await withSimulator({ account }, async (sim, iam) => {
      const names: string[] = [];
      const pageSizes: number[] = [];
      for await (const page of paginateListUsers({ client: iam, pageSize: 1000 }, {})) {
        pageSizes.push(page.Users?.length ?? 0);
        names.push(...(page.Users ?? []).map((u) => u.UserName!));
      }
      expect(pageSizes).toEqual([1000, 1000, 500]);
      expect(names).toHaveLength(2500);
      expect(new Set(names).size).toBe(2500);
      expect(new Set(names)).toEqual(new Set(account.users.map((u) => u.userName)));
      expect(sim.stats.byAction.ListUsers).toBe(3);
    });
  });

  test('when ListUsers is called without MaxItems, then it returns 100 users and a Marker that continues the listing', async () => {
    const account = accountWithUsers(150);
    await withSimulator({ account }, async (_sim, iam) => {
      const first = await iam.send(new ListUsersCommand({}));
      expect(first.Users).toHaveLength(100);
      expect(first.IsTruncated).toBe(true);
      const second = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
      expect(second.Users).toHaveLength(50);
      expect(second.IsTruncated).toBe(false);
      expect(second.Marker).toBeUndefined();
    });
  });

  test('when MaxItems is 7, then exactly 7 users are returned', async () => {
    await withSimulator({ account: accountWithUsers(20) }, async (_sim, iam) => {
      const page = await iam.send(new ListUsersCommand({ MaxItems: 7 }));
      expect(page.Users).toHaveLength(7);
      expect(page.IsTruncated).toBe(true);
    });
  });

  test('when MaxItems is above 1000, then the call fails with ValidationError', async () => {
    await withSimulator({ account: accountWithUsers(1) }, async (_sim, iam) => {
      const error = await errorOf(iam.send(new ListUsersCommand({ MaxItems: 1001 })));
      expect(error.name).toBe('ValidationError');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });
  });

  test('when a user is listed, then path, id, ARN, CreateDate and PasswordLastUsed parse', async () => {
    const account = emptyAccount('210987654321');
    const user = addUser(account, { userName: 'alice', path: '/staff/', createDate: daysBefore(NOW, 100) });
    setLoginProfile(account, 'alice', { createDate: daysBefore(NOW, 99), passwordLastUsed: daysBefore(NOW, 2) });
    await withSimulator({ account }, async (_sim, iam) => {
      const { Users } = await iam.send(new ListUsersCommand({}));
      expect(Users).toEqual([
        {
          Path: '/staff/',
          UserName: 'alice',
          UserId: user.userId,
          Arn: 'arn:aws:iam::210987654321:user/staff/alice',
          CreateDate: daysBefore(NOW, 100),
          PasswordLastUsed: daysBefore(NOW, 2),
        },
      ]);
      expect(user.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    });
  });

  test('when a user has two keys, then ListAccessKeys returns both with status and CreateDate', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'bob' });
    const older = addAccessKey(account, 'bob', { ageDays: 400, now: NOW, status: 'Inactive' });
    const newer = addAccessKey(account, 'bob', { ageDays: 10, now: NOW });
    await withSimulator({ account }, async (_sim, iam) => {
      const res = await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }));
      expect(res.AccessKeyMetadata).toEqual([
        { UserName: 'bob', AccessKeyId: older.accessKeyId, Status: 'Inactive', CreateDate: daysBefore(NOW, 400) },
        { UserName: 'bob', AccessKeyId: newer.accessKeyId, Status: 'Active', CreateDate: daysBefore(NOW, 10) },
      ]);
      expect(res.IsTruncated).toBe(false);
      expect(older.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    });
  });

  test('when a user has no keys, then ListAccessKeys returns an empty list', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'nokeys' });
    await withSimulator({ account }, async (_sim, iam) => {
      const res = await iam.send(new ListAccessKeysCommand({ UserName: 'nokeys' }));
      expect(res.AccessKeyMetadata).toEqual([]);
    });
  });

  test('when ListAccessKeys names an unknown user, then it fails with NoSuchEntity (404)', async () => {
    await withSimulator({ account: emptyAccount() }, async (_sim, iam) => {
      const error = await errorOf(iam.send(new ListAccessKeysCommand({ UserName: 'ghost' })));
      expect(error.name).toBe('NoSuchEntityException');
      expect(error.Code).toBe('NoSuchEntity');
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toBe('The user with name ghost cannot be found.');
    });
  });

  test('when keys were used and never used, then GetAccessKeyLastUsed answers with a date or N/A', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'carol' });
    const used = addAccessKey(account, 'carol', {
      ageDays: 30,
      now: NOW,
      lastUsedDaysAgo: 1,
      lastUsedService: 's3',
      lastUsedRegion: 'eu-west-1',
    });
    const unused = addAccessKey(account, 'carol', { ageDays: 5, now: NOW, lastUsedDaysAgo: null });
    await withSimulator({ account }, async (_sim, iam) => {
      const a = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: used.accessKeyId }));
      expect(a.UserName).toBe('carol');
      expect(a.AccessKeyLastUsed).toEqual({ LastUsedDate: daysBefore(NOW, 1), ServiceName: 's3', Region: 'eu-west-1' });
      const b = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: unused.accessKeyId }));
      expect(b.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
    });
  });

  test('when a user has no console password, then GetLoginProfile fails with NoSuchEntity (404)', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'svc-ci' });
    await withSimulator({ account }, async (_sim, iam) => {
      const error = await errorOf(iam.send(new GetLoginProfileCommand({ UserName: 'svc-ci' })));
      expect(error.name).toBe('NoSuchEntityException');
      expect(error.Code).toBe('NoSuchEntity');
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toBe('Login Profile for User svc-ci cannot be found.');
    });
  });

  test('when a user has a console password, then GetLoginProfile returns it', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'dave' });
    setLoginProfile(account, 'dave', { createDate: daysBefore(NOW, 50), passwordLastUsed: null });
    await withSimulator({ account }, async (_sim, iam) => {
      const res = await iam.send(new GetLoginProfileCommand({ UserName: 'dave' }));
      expect(res.LoginProfile).toEqual({ UserName: 'dave', CreateDate: daysBefore(NOW, 50), PasswordResetRequired: false });
    });
  });

  test('when users have zero and one MFA devices, then ListMFADevices lists them', async () => {
    const account = emptyAccount('111122223333');
    addUser(account, { userName: 'erin' });
    addUser(account, { userName: 'frank' });
    addMfaDevice(account, 'erin', { enableDate: daysBefore(NOW, 3) });
    await withSimulator({ account }, async (_sim, iam) => {
      const erin = await iam.send(new ListMFADevicesCommand({ UserName: 'erin' }));
      expect(erin.MFADevices).toEqual([
        { UserName: 'erin', SerialNumber: 'arn:aws:iam::111122223333:mfa/erin', EnableDate: daysBefore(NOW, 3) },
      ]);
      expect(erin.IsTruncated).toBe(false);
      const frank = await iam.send(new ListMFADevicesCommand({ UserName: 'frank' }));
      expect(frank.MFADevices).toEqual([]);
    });
  });

  test('when GetAccountSummary is called, then SummaryMap parses to numbers reflecting root MFA and root keys', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'a' });
    addUser(account, { userName: 'b', mfaDevices: 1 });
    account.root.mfaEnabled = false;
    await withSimulator({ account }, async (sim, iam) => {
      const before = await iam.send(new GetAccountSummaryCommand({}));
      expect(before.SummaryMap).toMatchObject({ Users: 2, AccountMFAEnabled: 0, AccountAccessKeysPresent: 0, MFADevices: 1 });
      sim.account.root.mfaEnabled = true;
      sim.account.root.accessKeys.push({ accessKeyId: 'AKIAROOTROOTROOTROOT', status: 'Active', createDate: NOW, lastUsed: null });
      const after = await iam.send(new GetAccountSummaryCommand({}));
      expect(after.SummaryMap).toMatchObject({ AccountMFAEnabled: 1, AccountAccessKeysPresent: 1, AccessKeysPerUserQuota: 2 });
    });
  });

  test('when the account has a password policy, then GetAccountPasswordPolicy returns it', async () => {
    const account = emptyAccount();
    account.passwordPolicy = {
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: true,
      MaxPasswordAge: 90,
    };
    await withSimulator({ account }, async (_sim, iam) => {
      const res = await iam.send(new GetAccountPasswordPolicyCommand({}));
      expect(res.PasswordPolicy).toEqual({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: false,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        ExpirePasswords: true,
        MaxPasswordAge: 90,
      });
    });
  });

  test('when the account has no password policy, then GetAccountPasswordPolicy fails with NoSuchEntity (404)', async () => {
    await withSimulator({ account: emptyAccount('123456789012') }, async (_sim, iam) => {
      const error = await errorOf(iam.send(new GetAccountPasswordPolicyCommand({})));
      expect(error.name).toBe('NoSuchEntityException');
      expect(error.Code).toBe('NoSuchEntity');
      expect(error.$metadata.httpStatusCode).toBe(404);
    });
  });

  test('when STS GetCallerIdentity is called on the same server, then account, ARN and user id come back', async () => {
    await withSimulator({ account: emptyAccount('444455556666') }, async (sim) => {
      const sts = stsClient(sim);
      try {
        const res = await sts.send(new GetCallerIdentityCommand({}));
        expect(res.Account).toBe('444455556666');
        expect(res.Arn).toBe('arn:aws:iam::444455556666:user/keywatch');
        expect(res.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
      } finally {
        sts.destroy();
      }
    });
  });

  test('when an unknown action is posted, then the answer is 400 InvalidAction in the AWS error shape', async () => {
    await withSimulator({ account: emptyAccount() }, async (sim) => {
      const res = await rawCall(sim, 'Action=DeleteEverything&Version=2010-05-08');
      expect(res.status).toBe(400);
      expect(res.text).toContain('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">');
      expect(res.text).toContain('<Type>Sender</Type><Code>InvalidAction</Code>');
      expect(res.text).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
    });
  });

  test('when the account is changed between calls, then the next answer reflects the change', async () => {
    const account = emptyAccount();
    addUser(account, { userName: 'gina' });
    await withSimulator({ account }, async (sim, iam) => {
      expect((await iam.send(new ListAccessKeysCommand({ UserName: 'gina' }))).AccessKeyMetadata).toHaveLength(0);
      addAccessKey(sim.account, 'gina', { ageDays: 1, now: NOW });
      expect((await iam.send(new ListAccessKeysCommand({ UserName: 'gina' }))).AccessKeyMetadata).toHaveLength(1);
    });
  });

  test('when a keep-alive agent makes two calls, then the second reuses the socket and stop() still closes it', async () => {
    await withSimulator({ account: emptyAccount() }, async (sim) => {
      const agent = new http.Agent({ keepAlive: true });
      const post = () =>
        new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const req = http.request(
            sim.url + '/',
            { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
            },
          );
          req.on('error', reject);
          req.end('Action=GetAccountSummary&Version=2010-05-08');
        });
      try {
        expect(await post()).toEqual({ status: 200, reused: false });
        expect(await post()).toEqual({ status: 200, reused: true });
      } finally {
        agent.destroy();
      }
    });
  });
});
