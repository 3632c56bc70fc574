import { accountWithKeyAges } from '../support/accounts';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

describe('a storage failure while recording a run', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when writing the results fails half-way, then the run is failed with a storage error and history is exactly as before', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    const first = await scanViaApi(h);
    const findingsBefore = (await h.get('/api/findings?status=all&limit=500')).body;
    const countsBefore = h.ctx.store.tableCounts();

    // Change the account so the next run must write: one finding resolves, new ones appear.
    h.sim.account.users = h.sim.account.users.slice(1);
    h.sim.account.users[0].accessKeys[0].createDate = new Date(Date.now() - 800 * 86_400_000);
    // Fault injection: the disk "fails" on the first interval write of the next run (after the
    // transaction has already changed other rows).
    h.ctx.store.handle.sqlite.exec(`
      CREATE TRIGGER fail_state_insert BEFORE INSERT ON finding_states
      WHEN NEW.from_run_id > ${first.id}
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END;
    `);

    const second = await scanViaApi(h);
    expect(second.status).toBe('failed');
    expect(second.error).toMatchObject({ code: 'storage_error' });
    expect((second.error as { message: string }).message).toMatch(/Could not store the scan results: .*disk I\/O error \(injected\)/);

    // Nothing of the failed run is stored; nothing was resolved or changed.
    expect(h.ctx.store.tableCounts()).toEqual({ ...countsBefore, scan_runs: countsBefore.scan_runs + 1 });
    const findingsAfter = (await h.get('/api/findings?status=all&limit=500')).body;
    expect(findingsAfter).toEqual(findingsBefore);
    expect((await h.get(`/api/scans/${first.id}/findings?limit=500`)).body.total).toBe(findingsBefore.total);

    // Once the disk is healthy again, the next run records the change.
    h.ctx.store.handle.sqlite.exec('DROP TRIGGER fail_state_insert');
    const third = await scanViaApi(h);
    expect(third.status).toBe('succeeded');
    expect((third.stats as { resolved: number }).resolved).toBeGreaterThan(0);
    const diff = await h.get(`/api/scans/${third.id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body.base_run_id).toBe(first.id);
  });
});
