/**
 * Both sources must yield the same findings for the same account state (design: "Scan sources").
 */
import { generateAccount } from '../../src/simulator';
import { scanViaApi, startHarness, type Harness } from '../support/harness';
import { runFindings, triple, wholeSecondNow, type RunJson } from './helpers';

describe('credential report source: parity with the live api source', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when one realistic account is scanned with api and with credential_report, then every check both evaluate finds the same (check, resource, severity)', async () => {
    // A fixed clock: both runs judge ages at the same instant. It has milliseconds on purpose: the
    // model's dates then have them too, the live answers and the report (like AWS) do not, and the
    // evidence must still compare equal across sources.
    const now = new Date(wholeSecondNow().getTime() + 537);
    h = await startHarness({ account: generateAccount({ seed: 2024, users: 120, now }), clock: () => now });
    const live = (await scanViaApi(h, 'api')) as unknown as RunJson;
    const report = (await scanViaApi(h, 'credential_report')) as unknown as RunJson;
    expect(live.status).toBe('succeeded');
    expect(report.status).toBe('succeeded');

    const skipped = new Set([...live.skipped_checks, ...report.skipped_checks].map((s) => s.check_id));
    // root_recently_used: only the report has root last use. The others: data the collectors do not
    // gather yet (issue 13 defined it first), and SSH keys / service credentials exist only in the api source.
    expect([...skipped].sort()).toEqual(
      [
        'root_recently_used',
        'user_admin_with_access_key',
        'ssh_key_not_rotated',
        'signing_certificate_active',
        'service_credential_not_rotated',
        'root_hardware_mfa',
      ].sort(),
    );
    const comparable = (items: Awaited<ReturnType<typeof runFindings>>) => items.filter((f) => !skipped.has(f.check_id)).map(triple).sort();
    const liveFindings = comparable(await runFindings(h, live.id));
    const reportFindings = comparable(await runFindings(h, report.id));
    expect(liveFindings.length).toBeGreaterThan(100);
    expect(reportFindings).toEqual(liveFindings);
    // Same users and keys, and the same durable evidence: the second run changed no finding.
    expect(report.stats).toMatchObject({ users: live.stats.users, access_keys: live.stats.access_keys, changed: 0, resolved: 0 });
  });
});
