/**
 * A check a run skips (its source cannot provide the data) never counts as passing: the findings it
 * raised before stay open, carried over, until a run that evaluates the check says otherwise.
 */
import { addSshPublicKey, addUser, emptyAccount } from '../../src/simulator';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

const DAY = 86_400_000;

describe('findings of checks a run skipped', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  function accountWithOldSshKey(now: Date) {
    const account = emptyAccount('111122223333');
    addUser(account, { userName: 'deploy', createDate: new Date(now.getTime() - 400 * DAY) });
    addSshPublicKey(account, 'deploy', { ageDays: 200, now });
    return account;
  }

  test('when a live scan finds an old SSH key and a credential-report scan (which cannot see SSH keys) follows, then the finding stays open and is not resolved', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    h = await startHarness({ account: accountWithOldSshKey(now), clock: () => now });
    const live = await scanViaApi(h, 'api');
    const ssh = (await h.get('/api/findings?check=ssh_key_not_rotated')).body.items;
    expect(ssh).toHaveLength(1);

    const report = await scanViaApi(h, 'credential_report');
    expect((report.skipped_checks as { check_id: string }[]).map((s) => s.check_id)).toContain('ssh_key_not_rotated');
    expect(report.stats).toMatchObject({ resolved: 0, carried_over: 1 });
    const after = (await h.get(`/api/findings/${ssh[0].id}`)).body;
    expect(after).toMatchObject({ status: 'open', resolved_at: null, last_seen_run_id: live.id });
    // The report run's view and its diff against the live run show it unchanged, not resolved.
    const seen = (await h.get(`/api/scans/${report.id}/findings?limit=500`)).body.items.map((f: { id: number }) => f.id);
    expect(seen).toContain(ssh[0].id);
    const diff = (await h.get(`/api/scans/${report.id}/diff?base=${live.id}`)).body;
    expect(diff.counts).toMatchObject({ resolved: 0 });

    // A later live scan evaluates the check again: the key was deleted, so now it is resolved.
    h.sim.account.users[0]!.sshPublicKeys = [];
    const third = await scanViaApi(h, 'api');
    expect(third.stats).toMatchObject({ resolved: 1, carried_over: 0 });
    expect((await h.get(`/api/findings/${ssh[0].id}`)).body).toMatchObject({ status: 'resolved', resolved_run_id: third.id });
  });

  test('when a check is turned off, then its open findings are resolved at the next run (it no longer reports them)', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    h = await startHarness({ account: accountWithOldSshKey(now), clock: () => now });
    await scanViaApi(h, 'api');
    await h.restart({ KEYWATCH_CHECK_SSH_KEY_NOT_ROTATED_ENABLED: 'false' });
    const next = await scanViaApi(h, 'api');
    expect(next.stats).toMatchObject({ resolved: 1, carried_over: 0 });
  });
});
