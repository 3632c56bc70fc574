/**
 * Both sources must yield the same findings for the same account state (design: "Scan sources").
 */
import { generateAccount } from '../../src/simulator';
import { scanViaApi, startHarness, type Harness } from '../support/harness';
import { currentFindings, runFindings, triple, wholeSecondNow, type FindingJson, type RunJson } from './helpers';

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
    const skipped = new Set([...live.skipped_checks, ...report.skipped_checks].map((s) => s.check_id));
    const comparable = (items: FindingJson[]) => items.filter((f) => !skipped.has(f.check_id));
    const liveFindings = comparable(await runFindings(h, live.id));
    const reportFindings = comparable(await runFindings(h, report.id));
    expect(liveFindings.length).toBeGreaterThan(100);
    expect(reportFindings.map(triple).sort()).toEqual(liveFindings.map(triple).sort());

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
