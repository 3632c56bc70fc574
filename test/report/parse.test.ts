/**
 * Unit tests of reading the credential report CSV and mapping it to snapshot pieces, on literal CSV text.
 */
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import { parseCredentialReport, parseReportDate, SLICE_CHARS, type ReportKeySlot } from '../../src/aws/report-parse';
import { matchKeySlots, rootFromRow, userFromRow, userKeys } from '../../src/aws/report-snapshot';
import { AppError } from '../../src/errors';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const ROOT =
  '<root_account>,arn:aws:iam::123456789012:root,2019-05-06T07:08:09+00:00,not_supported,2025-02-27T10:00:00+00:00,not_supported,not_supported,TRUE,' +
  'true,2020-01-01T00:00:00+00:00,2025-02-20T08:00:00+00:00,us-east-1,s3,' +
  'False,2021-01-01T00:00:00+00:00,2025-02-25T09:30:00+00:00,eu-west-1,ec2,' +
  'false,N/A,false,N/A';

const ALICE =
  'alice,arn:aws:iam::123456789012:user/alice,2023-01-02T03:04:05+00:00,TRUE,no_information,2023-01-03T00:00:00+00:00,N/A,False,' +
  'true,2024-06-01T12:00:00+02:00,N/A,N/A,N/A,' +
  'false,N/A,N/A,N/A,N/A,' +
  'false,N/A,false,N/A';

const BOB =
  'bob,arn:aws:iam::123456789012:user/dev/bob,2022-05-06T07:08:09+00:00,false,N/A,N/A,N/A,true,' +
  'false,2022-05-07T00:00:00+00:00,2022-06-01T00:00:00+00:00,us-west-2,iam,' +
  'true,2024-11-30T23:59:59-05:00,2025-02-28T17:45:00+00:00,eu-central-1,sts,' +
  'false,N/A,false,N/A';

const csv = (...lines: string[]) => lines.join('\n');

async function reportErrorOf(text: string): Promise<AppError> {
  try {
    await parseCredentialReport(text);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('report_failed');
    expect((error as AppError).status).toBe(502);
    return error as AppError;
  }
  throw new Error('expected the report to be refused');
}

function listed(id: string, createDate: string, status: 'Active' | 'Inactive' = 'Active'): AccessKeyMetadata {
  return { AccessKeyId: id, UserName: 'u', Status: status, CreateDate: new Date(createDate) };
}

function slot(n: 1 | 2, createdAt: string, active = true, lastUsedAt: Date | null = null): ReportKeySlot {
  return { slot: n, active, createdAt: new Date(createdAt), lastUsedAt, lastUsedRegion: null, lastUsedService: null };
}

describe('reading the credential report CSV', () => {
  test('when the report has the root row and users, then root is separate and users keep report order', async () => {
    const report = await parseCredentialReport(csv(HEADER, ROOT, ALICE, BOB));
    expect(report.root?.user).toBe('<root_account>');
    expect(report.root?.line).toBe(2);
    expect(report.users.map((u) => [u.user, u.line])).toEqual([
      ['alice', 3],
      ['bob', 4],
    ]);
  });

  test('when values are N/A, no_information or not_supported, then they read as none, never used and unknown', async () => {
    const { root, users } = await parseCredentialReport(csv(HEADER, ROOT, ALICE, BOB));
    const [alice, bob] = users;
    // not_supported: unknown
    expect(root!.passwordEnabled).toBeUndefined();
    expect(root!.passwordLastChangedAt).toBeUndefined();
    // no_information: a password that was never used
    expect(alice!.passwordEnabled).toBe(true);
    expect(alice!.passwordLastUsedAt).toBeNull();
    // N/A: no password, an empty key slot, a key never used
    expect(bob!.passwordEnabled).toBe(false);
    expect(bob!.passwordLastUsedAt).toBeNull();
    expect(bob!.passwordLastChangedAt).toBeNull();
    expect(alice!.keys).toHaveLength(1);
    expect(alice!.keys[0]).toMatchObject({ slot: 1, active: true, lastUsedAt: null, lastUsedRegion: null, lastUsedService: null });
  });

  test('when booleans are written TRUE, true, False or false, then they are read in any case', async () => {
    const { root, users } = await parseCredentialReport(csv(HEADER, ROOT, ALICE, BOB));
    expect(root!.mfaActive).toBe(true); // TRUE
    expect(root!.keys.map((k) => k.active)).toEqual([true, false]); // true, False
    expect(users[0]!.passwordEnabled).toBe(true); // TRUE
    expect(users[0]!.mfaActive).toBe(false); // False
  });

  test('when dates carry offsets, then they are read as the right instant', async () => {
    const { users } = await parseCredentialReport(csv(HEADER, ROOT, ALICE, BOB));
    expect(users[0]!.keys[0]!.createdAt.toISOString()).toBe('2024-06-01T10:00:00.000Z'); // +02:00
    expect(users[1]!.keys[1]!.createdAt.toISOString()).toBe('2024-12-01T04:59:59.000Z'); // -05:00
    expect(users[1]!.keys[1]).toMatchObject({ slot: 2, active: true, lastUsedRegion: 'eu-central-1', lastUsedService: 'sts' });
    expect(parseReportDate('2024-01-02T03:04:05Z')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseReportDate('2024-01-02T03:04:05.250+0100')?.toISOString()).toBe('2024-01-02T02:04:05.250Z');
    for (const bad of ['2024-02-30T00:00:00+00:00', '2024-13-01T00:00:00+00:00', '2024-01-02 03:04:05', '2024-01-02T03:04:05', 'yesterday', '']) {
      expect({ bad, parsed: parseReportDate(bad) }).toEqual({ bad, parsed: null });
    }
  });

  test('when the root row is mapped, then MFA, active keys and the latest key use come from it', async () => {
    const { root } = await parseCredentialReport(csv(HEADER, ROOT));
    expect(rootFromRow(root!)).toEqual({
      mfaEnabled: true,
      accessKeyCount: 2,
      activeAccessKeyCount: 1,
      passwordLastUsedAt: new Date('2025-02-27T10:00:00Z'),
      // the later of the two slots, the inactive one included
      accessKeyLastUsedAt: new Date('2025-02-25T09:30:00Z'),
    });
  });

  test('when user rows are mapped, then login profile, MFA and the ARN as user id match the live snapshot conventions', async () => {
    const { users } = await parseCredentialReport(csv(HEADER, ROOT, ALICE, BOB));
    const alice = userFromRow(users[0]!, []);
    expect(alice).toEqual({
      userName: 'alice',
      userId: 'arn:aws:iam::123456789012:user/alice',
      arn: 'arn:aws:iam::123456789012:user/alice',
      createdAt: new Date('2023-01-02T03:04:05Z'),
      accessKeys: [],
      loginProfile: { createdAt: new Date('2023-01-03T00:00:00Z'), passwordLastUsedAt: null },
      mfaDeviceCount: 0,
    });
    const bob = userFromRow(users[1]!, []);
    expect(bob).toMatchObject({ arn: 'arn:aws:iam::123456789012:user/dev/bob', loginProfile: null, mfaDeviceCount: 1 });
  });

  test('when the report ends with a newline or starts with a BOM, then it is still read', async () => {
    expect((await parseCredentialReport('\ufeff' + csv(HEADER, ROOT, ALICE) + '\n')).users).toHaveLength(1);
  });

  test('when a required column is missing from the header, then the report is refused naming the column', async () => {
    const header = HEADER.replace(',mfa_active', '');
    const row = ALICE.replace(',False,true,2024', ',true,2024');
    const error = await reportErrorOf(csv(header, row));
    expect(error.message).toMatch(/the header lacks the column mfa_active/);
    expect(error.message).toMatch(/api source/);
  });

  test('when the header names a column twice, then the report is refused', async () => {
    expect((await reportErrorOf(csv(HEADER + ',user', ALICE + ',x'))).message).toMatch(/names the column "user" twice/);
  });

  test('when a row has the wrong number of fields, then the report is refused naming the line and the user', async () => {
    const error = await reportErrorOf(csv(HEADER, ROOT, ALICE, BOB.replace(/,false,N\/A$/, '')));
    expect(error.message).toMatch(/line 4 \(user "bob"\) has 20 fields, the header has 22/);
  });

  test('when a date cannot be read, then the report is refused naming line, user and column', async () => {
    const error = await reportErrorOf(csv(HEADER, ROOT, ALICE.replace('2024-06-01T12:00:00+02:00', '2024-06-31T12:00:00+02:00')));
    expect(error.message).toMatch(/line 3 \(user "alice"\), column access_key_1_last_rotated: "2024-06-31T12:00:00\+02:00" is not an ISO 8601 date/);
  });

  test('when a boolean cannot be read, then the report is refused naming the column', async () => {
    const error = await reportErrorOf(csv(HEADER, ROOT, BOB.replace(',N/A,true,false,', ',N/A,yes,false,')));
    expect(error.message).toMatch(/line 3 \(user "bob"\), column mfa_active: "yes" is not true or false/);
  });

  test('when an active slot has no rotation date, or a user appears twice, or the CSV is broken, then the report is refused', async () => {
    expect((await reportErrorOf(csv(HEADER, ALICE.replace('2024-06-01T12:00:00+02:00', 'N/A')))).message).toMatch(/access_key_1_active is true/);
    expect((await reportErrorOf(csv(HEADER, ALICE, ALICE.replace('alice,', 'ALICE,')))).message).toMatch(/lists user "ALICE" a second time \(first on line 2\)/);
    expect((await reportErrorOf(csv(HEADER, ROOT, ROOT))).message).toMatch(/second <root_account> row/);
    expect((await reportErrorOf(csv(HEADER, '"alice,' + ALICE.slice(6)))).message).toMatch(/not valid CSV/);
    expect((await reportErrorOf('')).message).toMatch(/empty/);
    expect((await reportErrorOf(csv(HEADER, ALICE.replace('arn:aws:iam::123456789012:user/alice', 'alice')))).message).toMatch(/column arn: "alice" is not an IAM ARN/);
  });
});

describe('reading a report larger than one slice', () => {
  /** n users like Bob, named user-0 … user-(n-1). */
  const usersLikeBob = (n: number) => Array.from({ length: n }, (_, i) => BOB.replace(/^bob,/, `user-${i},`).replace('user/dev/bob', `user/user-${i}`));

  test('when the report spans many slices, then every row is read in order with its line number', async () => {
    const rows = usersLikeBob(1000);
    const text = csv(HEADER, ROOT, ...rows);
    expect(text.length).toBeGreaterThan(5 * SLICE_CHARS);
    const { root, users } = await parseCredentialReport(text);
    expect(root?.line).toBe(2);
    expect(users).toHaveLength(1000);
    expect(users.map((u) => u.user)).toEqual(rows.map((r) => r.split(',')[0]));
    expect(users[999]).toMatchObject({ user: 'user-999', line: 1002 });
  });

  test('when a row far into the report cannot be read, then the report is refused naming that line and user', async () => {
    const rows = usersLikeBob(1000);
    rows[800] = rows[800]!.replace('2022-05-06T07:08:09+00:00', '2022-02-30T07:08:09+00:00');
    const error = await reportErrorOf(csv(HEADER, ROOT, ...rows));
    expect(error.message).toMatch(/line 803 \(user "user-800"\), column user_creation_time: "2022-02-30T07:08:09\+00:00"/);
  });

  test('when a character outside the BMP straddles the end of a slice, then it is read whole', async () => {
    // Pad the first row so that the emoji's two UTF-16 halves fall on either side of the first slice's end.
    const prefix = csv(HEADER, ROOT) + '\n';
    const name = 'x'.repeat(SLICE_CHARS - prefix.length - 1) + '😀';
    const text = prefix + BOB.replace(/^bob,/, `${name},`);
    expect(text.charCodeAt(SLICE_CHARS - 1)).toBe('😀'.charCodeAt(0));
    const { users } = await parseCredentialReport(text);
    expect(users[0]!.user).toBe(name);
  });
});

describe('reading the certificate columns', () => {
  const withCerts = (row: string, certs: string) => row.replace(/false,N\/A,false,N\/A$/, certs);

  test('when cert_N columns hold dates, N/A while active (LocalStack, moto), or nothing, then slots are read as dated, undated or left out', async () => {
    const report = await parseCredentialReport(
      csv(HEADER, ROOT, withCerts(ALICE, 'true,2024-01-02T03:04:05+00:00,FALSE,2023-01-01T00:00:00+00:00'), withCerts(BOB, 'false,N/A,True,N/A')),
    );
    const [alice, bob] = report.users;
    expect(report.hasCertificateColumns).toBe(true);
    expect(alice!.certificates).toEqual([
      { slot: 1, active: true, uploadedAt: new Date('2024-01-02T03:04:05Z') },
      { slot: 2, active: false, uploadedAt: new Date('2023-01-01T00:00:00Z') },
    ]);
    // an active certificate whose date the report leaves out: no date, never a guess
    expect(bob!.certificates).toEqual([{ slot: 2, active: true, uploadedAt: null }]);
    expect(report.root!.certificates).toEqual([]);
  });

  test('when the header has no cert_N columns, then the report is read without certificates (undefined, not none)', async () => {
    const strip = (line: string) => line.split(',').slice(0, 18).join(',');
    const report = await parseCredentialReport(csv(strip(HEADER), strip(ROOT), strip(ALICE)));
    expect(report.hasCertificateColumns).toBe(false);
    expect(report.users[0]!.certificates).toBeUndefined();
  });

  test('when a cert_N value cannot be read, then the report is refused naming the column', async () => {
    expect((await reportErrorOf(csv(HEADER, withCerts(ALICE, 'maybe,N/A,false,N/A')))).message).toMatch(/column cert_1_active: "maybe" is not true or false/);
    expect((await reportErrorOf(csv(HEADER, withCerts(ALICE, 'true,yesterday,false,N/A')))).message).toMatch(/column cert_1_last_rotated: "yesterday" is not an ISO 8601 date/);
  });
});

describe('matching report key slots to ListAccessKeys', () => {
  test('when creation times match to the second, then slots get their keys whatever the listing order', () => {
    const slots = [slot(1, '2024-01-01T00:00:00Z', false), slot(2, '2024-06-01T00:00:00Z', true)];
    // listed newest first, with milliseconds the report does not have
    const keys = [listed('AKIANEW', '2024-06-01T00:00:00.400Z'), listed('AKIAOLD', '2024-01-01T00:00:00.999Z', 'Inactive')];
    const m = matchKeySlots(slots, keys);
    expect(m.matched.map((p) => [p.slot.slot, p.key.AccessKeyId])).toEqual([
      [1, 'AKIAOLD'],
      [2, 'AKIANEW'],
    ]);
    expect(m.unmatchedKeys).toEqual([]);
    expect(m.unmatchedSlots).toEqual([]);
  });

  test('when a key was rotated after the report, then the new key is kept unmatched and the old slot dropped', () => {
    const m = matchKeySlots([slot(1, '2024-01-01T00:00:00Z')], [listed('AKIANEW', '2025-03-01T00:00:00Z')]);
    expect(m.matched).toEqual([]);
    expect(m.unmatchedKeys.map((k) => k.AccessKeyId)).toEqual(['AKIANEW']);
    expect(m.unmatchedSlots.map((s) => s.slot)).toEqual([1]);
  });

  test('when two keys were created in the same second, then the active flag tells them apart, else neither is guessed', () => {
    const same = '2024-01-01T00:00:00Z';
    const told = matchKeySlots([slot(1, same, true), slot(2, same, false)], [listed('AKIAB', same, 'Inactive'), listed('AKIAA', same, 'Active')]);
    expect(told.matched.map((p) => [p.slot.slot, p.key.AccessKeyId])).toEqual([
      [1, 'AKIAA'],
      [2, 'AKIAB'],
    ]);
    const untold = matchKeySlots([slot(1, same), slot(2, same)], [listed('AKIAA', same), listed('AKIAB', same)]);
    expect(untold.matched).toEqual([]);
    expect(untold.unmatchedKeys).toHaveLength(2);
  });

  test('when a user row is turned into keys, then ids, status and creation come from ListAccessKeys and last use from the report', async () => {
    const { users } = await parseCredentialReport(csv(HEADER, BOB));
    const bob = users[0]!;
    const keys = [
      listed('AKIABOB2', '2024-12-01T04:59:59Z', 'Inactive'), // deactivated after the report: the live status wins
      listed('AKIABOB1', '2022-05-07T00:00:00Z', 'Inactive'),
    ];
    const { keys: snapshots, withoutLastUse, droppedSlots } = userKeys(bob, keys);
    expect(withoutLastUse).toEqual([]);
    expect(droppedSlots).toEqual([]);
    expect(snapshots).toEqual([
      {
        accessKeyId: 'AKIABOB1',
        userName: 'bob',
        status: 'Inactive',
        createdAt: new Date('2022-05-07T00:00:00Z'),
        lastUsedAt: new Date('2022-06-01T00:00:00Z'),
        lastUsedRegion: 'us-west-2',
        lastUsedService: 'iam',
      },
      {
        accessKeyId: 'AKIABOB2',
        userName: 'bob',
        status: 'Inactive',
        createdAt: new Date('2024-12-01T04:59:59Z'),
        lastUsedAt: new Date('2025-02-28T17:45:00Z'),
        lastUsedRegion: 'eu-central-1',
        lastUsedService: 'sts',
      },
    ]);
  });
});
