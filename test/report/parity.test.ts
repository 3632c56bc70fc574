/**
 * Both sources must yield the same findings for the same account state (design: "Scan sources").
 */
import { addAccessKey, addUser, daysBefore, deleteAccessKey, generateAccount, mulberry32, type SimUser } from '../../src/simulator';
import { scanViaApi, startHarness, type Harness } from '../support/harness';
import { currentFindings, runFindings, triple, wholeSecondNow, type FindingJson, type RunJson } from './helpers';

/**
 * The findings of a live run and a report run, without the checks either skipped; asserts that there
 * are more than 100 and that both runs found the same (check, resource, severity).
 */
async function expectSameFindings(h: Harness, live: RunJson, report: RunJson): Promise<{ liveFindings: FindingJson[]; reportFindings: FindingJson[] }> {
  const skipped = new Set([...live.skipped_checks, ...report.skipped_checks].map((s) => s.check_id));
  const comparable = (items: FindingJson[]) => items.filter((f) => !skipped.has(f.check_id));
  const liveFindings = comparable(await runFindings(h, live.id));
  const reportFindings = comparable(await runFindings(h, report.id));
  expect(liveFindings.length).toBeGreaterThan(100);
  expect(reportFindings.map(triple).sort()).toEqual(liveFindings.map(triple).sort());
  return { liveFindings, reportFindings };
}

describe('credential report source: parity with the live api source', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test.each([
    ['a virtual root MFA device and certificate dates in the report', { rootMfa: 'virtual' as const, omitCertificateDates: false }],
    ['a hardware root MFA device and certificate dates left N/A (LocalStack, moto)', { rootMfa: 'hardware' as const, omitCertificateDates: true }],
  ])('when one realistic account with %s is scanned with api and with credential_report, then every check both evaluate finds the same (check, resource, severity)', async (_what, variant) => {
    // A fixed clock: both runs judge ages at the same instant. It has milliseconds on purpose: the
    // model's dates then have them too, the live answers and the report (like AWS) do not, and the
    // evidence must still compare equal across sources.
    const now = new Date(wholeSecondNow().getTime() + 537);
    const account = generateAccount({ seed: 2024, users: 120, now });
    account.root.mfaType = variant.rootMfa;
    h = await startHarness({ account, clock: () => now, sim: { reportOmitsCertificateDates: variant.omitCertificateDates } });
    const live = (await scanViaApi(h, 'api')) as unknown as RunJson;
    const report = (await scanViaApi(h, 'credential_report')) as unknown as RunJson;
    expect(live.status).toBe('succeeded');
    expect(report.status).toBe('succeeded');

    // Only what one source cannot know: root's last use is only in the report; SSH keys and
    // service-specific credentials only in the live API.
    expect(live.skipped_checks.map((s) => s.check_id)).toEqual(['root_recently_used']);
    expect(report.skipped_checks.map((s) => s.check_id)).toEqual(['ssh_key_not_rotated', 'service_credential_not_rotated']);
    const { liveFindings, reportFindings } = await expectSameFindings(h, live, report);

    // The comparison covers the checks of issue 13 and the raised severities, not just the key checks.
    const count = (checkId: string) => liveFindings.filter((f) => f.check_id === checkId).length;
    expect(count('signing_certificate_active')).toBeGreaterThan(0);
    expect(count('user_admin_with_access_key')).toBeGreaterThan(0);
    expect(count('user_inactive')).toBeGreaterThan(0);
    expect(count('root_hardware_mfa')).toBe(variant.rootMfa === 'virtual' ? 1 : 0);
    const raised = liveFindings.filter((f) => typeof f.evidence.base_severity === 'string');
    expect(raised.length).toBeGreaterThan(0);
    expect(new Set(raised.map((f) => f.evidence.privilege))).toEqual(new Set(['admin', 'privilege_escalation']));
    // Certificates are named by their CertificateId (the model's), never by a report slot.
    const certificateIds = new Set(account.users.flatMap((u) => (u.signingCertificates ?? []).map((c) => c.certificateId)));
    expect(reportFindings.filter((f) => f.check_id === 'signing_certificate_active').every((f) => certificateIds.has(f.resource_id))).toBe(true);

    // Same users and keys, and the same durable evidence (upload dates, privilege reasons): the second run changed no finding,
    expect(report.stats).toMatchObject({ users: live.stats.users, access_keys: live.stats.access_keys, changed: 0 });
    // and resolved none: the findings of checks it skipped (the api run's SSH keys and service credentials)
    // are carried over, still open, never counted as passing.
    expect(await currentFindings(h, 'resolved')).toEqual([]);
    const reportSkipped = new Set(report.skipped_checks.map((s) => s.check_id));
    const carried = (await runFindings(h, live.id)).filter((f) => reportSkipped.has(f.check_id));
    expect(carried.length).toBeGreaterThan(0);
    expect(report.stats).toMatchObject({ carried_over: carried.length, resolved: 0 });
  });
});

describe('credential report source: parity after changes, with key ids learned from history', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when a key is rotated, a key deactivated, the key in slot 1 of a two-key user deleted and a user re-created under its name with a new key, then both sources find the same with the right AccessKeyIds, and the warm report run lists only the keys of the three users whose slots changed', async () => {
    const now = new Date(wholeSecondNow().getTime() + 537);
    const account = generateAccount({ seed: 2025, users: 120, now });
    h = await startHarness({ account, clock: () => now });
    // A live run, then a report run: both teach keywatch the account's key ids.
    expect((await scanViaApi(h, 'api')).status).toBe('succeeded');
    const before = (await scanViaApi(h, 'credential_report')) as unknown as RunJson;
    expect(before.status).toBe('succeeded');

    const sim = h.sim.account;
    const rng = mulberry32(77);
    const oneKey = (u: SimUser) => u.accessKeys.length === 1;
    const users = sim.users.filter((u) => u.accessKeys.length > 0);
    // rotation: a one-key user's key is deleted and a new one created
    const rotated = users.find((u) => oneKey(u) && u.accessKeys[0]!.status === 'Active')!;
    const rotatedOld = rotated.accessKeys[0]!.accessKeyId;
    deleteAccessKey(sim, rotatedOld);
    const rotatedNew = addAccessKey(sim, rotated.userName, { ageDays: 100, now, lastUsedDaysAgo: null, rng }).accessKeyId;
    // deactivation: same key, same slot, another status — no call needed
    const deactivated = users.find((u) => u !== rotated && oneKey(u) && u.accessKeys[0]!.status === 'Active')!;
    const deactivatedKey = deactivated.accessKeys[0]!;
    deactivatedKey.status = 'Inactive';
    // a two-key user loses its slot-1 (older) key; its slot-2 key remains (the report now shows it in slot 1)
    const pair = users.find((u) => u.accessKeys.length === 2 && u.accessKeys[0]!.createDate.getTime() !== u.accessKeys[1]!.createDate.getTime())!;
    const [older, younger] = [...pair.accessKeys].sort((a, b) => a.createDate.getTime() - b.createDate.getTime());
    deleteAccessKey(sim, older!.accessKeyId);
    // a user deleted and re-created under the same name (same ARN, a new creation time) with a new key
    const recreated = users.find((u) => u !== rotated && u !== deactivated && u !== pair && oneKey(u))!;
    // Its new key has the old key's creation time to the millisecond: only the user's creation time
    // tells the two keys apart, and the old id must not be reused.
    const recreatedOldKey = recreated.accessKeys[0]!;
    sim.users = sim.users.filter((u) => u !== recreated);
    addUser(sim, { userName: recreated.userName, path: recreated.path, createDate: new Date(recreatedOldKey.createDate.getTime() - 86_400_000), rng });
    const recreatedNewKey = addAccessKey(sim, recreated.userName, { ageDays: 120, now, lastUsedDaysAgo: 3, rng });
    recreatedNewKey.createDate = new Date(recreatedOldKey.createDate);
    recreatedNewKey.status = recreatedOldKey.status;
    const recreatedNew = recreatedNewKey.accessKeyId;

    // The report run first (what it knows comes from the runs before the changes), then the live run.
    const report = (await scanViaApi(h, 'credential_report')) as unknown as RunJson;
    const live = (await scanViaApi(h, 'api')) as unknown as RunJson;
    expect(report.status).toBe('succeeded');
    expect(live.status).toBe('succeeded');

    // Only the rotated user, the two-key user (its key changed slot) and the re-created user are listed;
    // the deactivated key and every other user come from what earlier runs learned.
    expect(report.stats.calls_by_action).toEqual({
      GenerateCredentialReport: 2,
      GetCredentialReport: 1,
      ListAccessKeys: 3,
      GetAccountPasswordPolicy: 1,
      ListVirtualMFADevices: 1,
      GetAccountAuthorizationDetails: 1,
    });

    const { liveFindings, reportFindings } = await expectSameFindings(h, live, report);
    // the live run after the report run changed nothing: same findings, same durable evidence
    expect(live.stats).toMatchObject({ new: 0, changed: 0, resolved: 0 });

    // The right ids: findings name the keys the account has now, never a stale one.
    const keyIdsOf = (items: FindingJson[], user: string) => [...new Set(items.filter((f) => f.user_name === user && f.resource_id.startsWith('AKIA')).map((f) => f.resource_id))].sort();
    expect(keyIdsOf(reportFindings, rotated.userName)).toEqual([rotatedNew]);
    expect(keyIdsOf(reportFindings, pair.userName)).toEqual(keyIdsOf(liveFindings, pair.userName));
    expect(keyIdsOf(reportFindings, pair.userName).every((id) => id === younger!.accessKeyId)).toBe(true);
    expect(keyIdsOf(reportFindings, recreated.userName)).toEqual([recreatedNew]);
    const lingering = reportFindings.filter((f) => f.check_id === 'access_key_inactive_lingering' && f.user_name === deactivated.userName);
    expect(lingering.map((f) => f.resource_id)).toEqual(now.getTime() - deactivatedKey.createDate.getTime() > 30 * 86_400_000 ? [deactivatedKey.accessKeyId] : []);
    const openNow = new Set((await currentFindings(h, 'open')).map((f) => f.resource_id));
    for (const gone of [rotatedOld, older!.accessKeyId, recreatedOldKey.accessKeyId]) expect(openNow.has(gone)).toBe(false);

    // What the store knows now names the same ids: a report run of the same account lists nobody.
    const again = (await scanViaApi(h, 'credential_report')) as unknown as RunJson;
    expect(again.stats.calls_by_action.ListAccessKeys).toBeUndefined();
    expect(again.stats).toMatchObject({ new: 0, changed: 0, resolved: 0 });
  });
});
