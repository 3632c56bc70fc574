import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  CREDENTIAL_REPORT_COLUMNS,
  addAccessKey,
  addMfaDevice,
  addRootAccessKey,
  addUser,
  daysBefore,
  emptyAccount,
  generateAccount,
  setLoginProfile,
} from '../../src/simulator';
import { NOW, errorOf, withSimulator } from './helpers';

const AWS_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

async function fetchReport(iam: IAMClient): Promise<{ csv: string; generatedTime?: Date; format?: string }> {
  for (let i = 0; i < 50; i++) {
    const { State } = await iam.send(new GenerateCredentialReportCommand({}));
    if (State === 'COMPLETE') break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const res = await iam.send(new GetCredentialReportCommand({}));
  return { csv: Buffer.from(res.Content!).toString('utf8'), generatedTime: res.GeneratedTime, format: res.ReportFormat };
}

function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, v])));
}

function smallAccount() {
  const account = emptyAccount('123456789012');
  account.root = { mfaEnabled: true, accessKeys: [], passwordLastUsed: null, createDate: new Date('2019-05-06T07:08:09Z') };
  addUser(account, { userName: 'zed-no-console', createDate: daysBefore(NOW, 500) });
  addAccessKey(account, 'zed-no-console', { ageDays: 100, now: NOW, lastUsedDaysAgo: 4, lastUsedService: 's3', lastUsedRegion: 'eu-west-1' });
  addAccessKey(account, 'zed-no-console', { ageDays: 400, now: NOW, status: 'Inactive' });
  addUser(account, { userName: 'amy-console', createDate: daysBefore(NOW, 300) });
  setLoginProfile(account, 'amy-console', { createDate: daysBefore(NOW, 299), passwordLastUsed: daysBefore(NOW, 1) });
  addMfaDevice(account, 'amy-console', { enableDate: daysBefore(NOW, 298) });
  addUser(account, { userName: 'max-never-logged-in', createDate: daysBefore(NOW, 20) });
  setLoginProfile(account, 'max-never-logged-in', { createDate: daysBefore(NOW, 20), passwordLastUsed: null });
  return account;
}

describe('simulator: credential report', () => {
  test('when a report is generated, then the first call says STARTED, the next COMPLETE, and GetCredentialReport returns CSV', async () => {
    const generatedAt = new Date('2025-03-01T12:34:56Z');
    await withSimulator({ account: smallAccount(), now: () => generatedAt }, async (_sim, iam) => {
      const first = await iam.send(new GenerateCredentialReportCommand({}));
      expect(first.State).toBe('STARTED');
      const second = await iam.send(new GenerateCredentialReportCommand({}));
      expect(second.State).toBe('COMPLETE');
      const res = await iam.send(new GetCredentialReportCommand({}));
      expect(res.ReportFormat).toBe('text/csv');
      expect(res.GeneratedTime).toEqual(generatedAt);
      expect(res.Content).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(res.Content!).toString('utf8').split('\n')[0]).toBe(AWS_HEADER);
    });
  });

  test('when no report was ever generated, then GetCredentialReport fails with ReportNotPresent (410)', async () => {
    await withSimulator({ account: smallAccount() }, async (_sim, iam) => {
      const error = await errorOf(iam.send(new GetCredentialReportCommand({})));
      expect(error.name).toBe('CredentialReportNotPresentException');
      expect(error.Code).toBe('ReportNotPresent');
      expect(error.$metadata.httpStatusCode).toBe(410);
    });
  });

  test('when generation takes 150 ms, then it reports INPROGRESS and ReportInProgress until done, then COMPLETE', async () => {
    await withSimulator({ account: smallAccount(), reportGenerationMs: 150 }, async (_sim, iam) => {
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('INPROGRESS');
      const error = await errorOf(iam.send(new GetCredentialReportCommand({})));
      expect(error.Code).toBe('ReportInProgress');
      expect(error.$metadata.httpStatusCode).toBe(404);
      await new Promise((r) => setTimeout(r, 170));
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
      expect((await iam.send(new GetCredentialReportCommand({}))).Content).toBeDefined();
    });
  });

  test('when the CSV is read, then it has the AWS header, the <root_account> row first and AWS value conventions', async () => {
    await withSimulator({ account: smallAccount() }, async (_sim, iam) => {
      const { csv } = await fetchReport(iam);
      expect(csv.split('\n')[0]).toBe(AWS_HEADER);
      expect(CREDENTIAL_REPORT_COLUMNS.join(',')).toBe(AWS_HEADER);
      const [root, amy, max, zed] = rows(csv);
      expect(root).toEqual({
        user: '<root_account>',
        arn: 'arn:aws:iam::123456789012:root',
        user_creation_time: '2019-05-06T07:08:09+00:00',
        password_enabled: 'not_supported',
        password_last_used: 'no_information',
        password_last_changed: 'not_supported',
        password_next_rotation: 'not_supported',
        mfa_active: 'true',
        access_key_1_active: 'false',
        access_key_1_last_rotated: 'N/A',
        access_key_1_last_used_date: 'N/A',
        access_key_1_last_used_region: 'N/A',
        access_key_1_last_used_service: 'N/A',
        access_key_2_active: 'false',
        access_key_2_last_rotated: 'N/A',
        access_key_2_last_used_date: 'N/A',
        access_key_2_last_used_region: 'N/A',
        access_key_2_last_used_service: 'N/A',
        cert_1_active: 'false',
        cert_1_last_rotated: 'N/A',
        cert_2_active: 'false',
        cert_2_last_rotated: 'N/A',
      });
      expect(amy).toMatchObject({
        user: 'amy-console',
        password_enabled: 'true',
        password_last_used: '2025-02-28T12:00:00+00:00',
        password_last_changed: '2024-05-06T12:00:00+00:00',
        password_next_rotation: 'N/A',
        mfa_active: 'true',
        access_key_1_active: 'false',
      });
      expect(max).toMatchObject({ user: 'max-never-logged-in', password_enabled: 'true', password_last_used: 'no_information', mfa_active: 'false' });
      // No console password: false / N/A. Key slot 1 = the older key (by creation), even though it is listed second in the model.
      expect(zed).toMatchObject({
        user: 'zed-no-console',
        password_enabled: 'false',
        password_last_used: 'N/A',
        password_last_changed: 'N/A',
        mfa_active: 'false',
        access_key_1_active: 'false',
        access_key_1_last_rotated: '2024-01-26T12:00:00+00:00',
        access_key_1_last_used_date: 'N/A',
        access_key_2_active: 'true',
        access_key_2_last_rotated: '2024-11-21T12:00:00+00:00',
        access_key_2_last_used_date: '2025-02-25T12:00:00+00:00',
        access_key_2_last_used_region: 'eu-west-1',
        access_key_2_last_used_service: 's3',
      });
    });
  });

  test('when the root has no MFA and an active key, then the root row says so', async () => {
    const account = smallAccount();
    account.root.mfaEnabled = false;
    account.root.passwordLastUsed = daysBefore(NOW, 7);
    addRootAccessKey(account, { ageDays: 1000, now: NOW, lastUsedDaysAgo: 30 });
    await withSimulator({ account }, async (_sim, iam) => {
      const [root] = rows((await fetchReport(iam)).csv);
      expect(root).toMatchObject({
        mfa_active: 'false',
        password_last_used: '2025-02-22T12:00:00+00:00',
        access_key_1_active: 'true',
        access_key_1_last_used_date: '2025-01-30T12:00:00+00:00',
        access_key_1_last_used_service: 'iam',
      });
    });
  });

  test('when the policy has MaxPasswordAge, then password_next_rotation is last change + max age', async () => {
    const account = smallAccount();
    account.passwordPolicy = {
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      MaxPasswordAge: 90,
    };
    await withSimulator({ account }, async (_sim, iam) => {
      const amy = rows((await fetchReport(iam)).csv).find((r) => r.user === 'amy-console')!;
      expect(amy.password_next_rotation).toBe('2024-08-04T12:00:00+00:00');
    });
  });

  test('when a generated account is reported, then every key agrees with ListAccessKeys and GetAccessKeyLastUsed', async () => {
    const account = generateAccount({ seed: 11, users: 40, now: NOW });
    await withSimulator({ account }, async (_sim, iam) => {
      const report = rows((await fetchReport(iam)).csv).slice(1);
      const { Users } = await iam.send(new ListUsersCommand({}));
      expect(report.map((r) => r.user)).toEqual(Users!.map((u) => u.UserName));
      for (const row of report) {
        const { AccessKeyMetadata } = await iam.send(new ListAccessKeysCommand({ UserName: row.user }));
        const keys = [...AccessKeyMetadata!].sort((a, b) => a.CreateDate!.getTime() - b.CreateDate!.getTime());
        for (const slot of [1, 2]) {
          const key = keys[slot - 1];
          const col = (name: string) => row[`access_key_${slot}_${name}`];
          if (!key) {
            expect([col('active'), col('last_rotated')]).toEqual(['false', 'N/A']);
            continue;
          }
          expect(col('active')).toBe(String(key.Status === 'Active'));
          expect(col('last_rotated')).toBe(key.CreateDate!.toISOString().replace('.000Z', '+00:00'));
          const { AccessKeyLastUsed } = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
          const lastUsed = AccessKeyLastUsed!.LastUsedDate;
          expect(col('last_used_date')).toBe(lastUsed ? lastUsed.toISOString().replace('.000Z', '+00:00') : 'N/A');
          expect(col('last_used_service')).toBe(AccessKeyLastUsed!.ServiceName);
          expect(col('last_used_region')).toBe(AccessKeyLastUsed!.Region);
        }
      }
    });
  });

  test('when the account changes after a report, then the next generation reflects the change', async () => {
    const account = smallAccount();
    await withSimulator({ account }, async (sim, iam) => {
      const before = rows((await fetchReport(iam)).csv);
      addUser(sim.account, { userName: 'new-hire', createDate: NOW });
      const after = rows((await fetchReport(iam)).csv);
      expect(after).toHaveLength(before.length + 1);
      expect(after.map((r) => r.user)).toContain('new-hire');
    });
  });

  test('when reportMaxAgeMs is set like AWS (4 h), then a fresh report is reused instead of regenerated', async () => {
    const account = smallAccount();
    await withSimulator({ account, reportMaxAgeMs: 4 * 3600_000 }, async (sim, iam) => {
      const before = rows((await fetchReport(iam)).csv);
      addUser(sim.account, { userName: 'new-hire', createDate: NOW });
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
      expect(rows((await fetchReport(iam)).csv)).toHaveLength(before.length);
    });
  });
});
