/**
 * Findings totals and diff counts are kept until the database changes (src/store/read-cache.ts): a
 * change through the API's own connection, a commit by another connection, or a suppression that
 * expires with time shows at the next read.
 */
import Database from 'better-sqlite3';
import { accountWithKeyAges } from '../support/accounts';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('answers kept until the database changes', () => {
  test('when another connection resolves a finding, then the next listing total and diff counts show it', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 200, 400]) });
    const run = await scanViaApi(h);
    const before = (await h.get('/api/findings')).body.total as number;
    const diffBefore = (await h.get(`/api/scans/${run.id}/diff`)).body.counts.new as number;
    expect(before).toBeGreaterThan(1);
    expect(diffBefore).toBe(before);
    // Asked again: the same answers (kept).
    expect((await h.get('/api/findings')).body.total).toBe(before);

    const other = new Database(h.dbPath);
    try {
      const id = other.prepare(`SELECT id FROM findings WHERE status = 'open' ORDER BY id LIMIT 1`).pluck().get() as number;
      other.prepare(`UPDATE findings SET status = 'resolved', resolved_run_id = ?, resolved_at = 0 WHERE id = ?`).run(run.id, id);
      other.prepare(`DELETE FROM finding_states WHERE finding_id = ?`).run(id);
    } finally {
      other.close();
    }
    expect((await h.get('/api/findings')).body.total).toBe(before - 1);
    expect((await h.get(`/api/scans/${run.id}/diff`)).body.counts.new).toBe(diffBefore - 1);
  });

  test('when a suppression is made through the API and later expires, then the totals follow at once', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    h = await startHarness({ account: accountWithKeyAges([100, 400], new Date(now)), clock: () => new Date(now) });
    await scanViaApi(h);
    const all = (await h.get('/api/findings?check=access_key_not_rotated')).body.total as number;
    expect(all).toBe(2);
    const created = await h
      .post('/api/suppressions')
      .send({ check_id: 'access_key_not_rotated', user_pattern: '*', reason: 'for the test', expires_at: '2026-06-02T00:00:00Z' });
    expect(created.status).toBe(201);
    expect((await h.get('/api/findings?check=access_key_not_rotated')).body.total).toBe(0);
    expect((await h.get('/api/findings?check=access_key_not_rotated&suppressed=only')).body.total).toBe(2);

    now = Date.parse('2026-06-03T00:00:00Z'); // expired: no write happened, the answer changes with the time
    expect((await h.get('/api/findings?check=access_key_not_rotated')).body.total).toBe(2);
    expect((await h.get('/api/findings?check=access_key_not_rotated&suppressed=only')).body.total).toBe(0);
  });
});
