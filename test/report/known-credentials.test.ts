/**
 * Credential ids learned from history (known_credentials): a failed run learns nothing, and retention
 * keeps the mapping consistent — end to end through the real app, a temp SQLite and the simulator.
 */
import { addAccessKey, addSigningCertificate, addUser, daysBefore, emptyAccount, mulberry32 } from '../../src/simulator';
import { TestClock } from '../history/helpers';
import { scanViaApi, startHarness, type Harness } from '../support/harness';
import type { RunJson } from './helpers';

const scan = async (h: Harness, source = 'credential_report') => (await scanViaApi(h, source)) as unknown as RunJson;

/** Four users with one key each; two of them also with an active signing certificate. */
function account(now: Date) {
  const a = emptyAccount('135792468024');
  const rng = mulberry32(31);
  for (const [i, name] of ['ana', 'ben', 'cy', 'dee'].entries()) {
    addUser(a, { userName: name, createDate: daysBefore(now, 800), rng });
    addAccessKey(a, name, { ageDays: 100 + i * 50, now, lastUsedDaysAgo: 2, rng });
    if (i < 2) addSigningCertificate(a, name, { ageDays: 200, now, rng });
  }
  return a;
}

describe('credential ids learned from history', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when a report run fails after listing keys, then it learns nothing: the next run lists the same users again, and the one after lists nobody', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    h = await startHarness({ account: account(now), clock: () => now });
    // The authorization details are asked for while the keys are listed: the run fails after its listings.
    h.sim.setFaults([{ action: 'GetAccountAuthorizationDetails', error: 'AccessDenied' }]);
    const failed = await scan(h);
    expect(failed.status).toBe('failed');
    expect(failed.stats.calls_by_action.ListAccessKeys).toBe(4);
    h.sim.setFaults([]);
    const first = await scan(h);
    expect(first.status).toBe('succeeded');
    expect(first.stats.calls_by_action).toMatchObject({ ListAccessKeys: 4, ListSigningCertificates: 2 });
    const second = await scan(h);
    expect(second.stats.calls_by_action.ListAccessKeys).toBeUndefined();
    expect(second.stats.calls_by_action.ListSigningCertificates).toBeUndefined();
  });

  test('when retention deletes the run that last confirmed some ids, then those ids are forgotten (listed again at the next report run) and the others stay', async () => {
    const clock = new TestClock(new Date('2025-03-01T06:00:00.000Z'));
    h = await startHarness({ account: account(clock.now), clock: clock.fn });
    // Day 0: keys and certificates learned.
    expect((await scan(h)).stats.calls_by_action).toMatchObject({ ListAccessKeys: 4, ListSigningCertificates: 2 });
    // Day 1, certificate check off: keys confirmed again, certificates not collected (still confirmed by day 0).
    clock.advanceDays(1);
    await h.restart({ KEYWATCH_CHECK_SIGNING_CERTIFICATE_ACTIVE_ENABLED: 'false' });
    const keysOnly = await scan(h);
    expect(keysOnly.stats.calls_by_action.ListAccessKeys).toBeUndefined();
    expect(keysOnly.stats.calls_by_action.ListSigningCertificates).toBeUndefined();
    const known = () => h.ctx.store.knownCredentials.listOfTarget(h.ctx.config.target);
    expect(known().map((k) => k.kind).sort()).toEqual(['access_key', 'access_key', 'access_key', 'access_key', 'signing_certificate', 'signing_certificate']);

    // Day 5, retention of 2 days at start-up: day 0's run goes, day 1's (the latest) stays.
    clock.advanceDays(4);
    await h.restart({ KEYWATCH_RETENTION_DAYS: '2' });
    await h.ctx.postRun.idle();
    expect((await h.get('/api/scans')).body.items.map((r: { id: number }) => r.id)).toEqual([keysOnly.id]);
    expect(known().map((k) => k.kind)).toEqual(['access_key', 'access_key', 'access_key', 'access_key']);
    const next = await scan(h);
    expect(next.stats.calls_by_action.ListAccessKeys).toBeUndefined();
    expect(next.stats.calls_by_action.ListSigningCertificates).toBe(2);
    // the certificate check is on again: its two findings are back, nothing else moved
    expect(next.stats).toMatchObject({ new: 2, changed: 0, resolved: 0 });
  });
});
