/**
 * A run's evaluation and recording happen in the recording worker (src/scans/recorder.ts), on its own
 * SQLite connection: the API's event loop is never held by them.
 */
import Database from 'better-sqlite3';
import { waitFor } from '../ops/support';
import { accountWithKeyAges } from '../support/accounts';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('recording off the event loop', () => {
  test('when another process holds the write lock while a run is being recorded, then the API keeps answering reads and the run succeeds once the lock is released', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]), sim: { latencyMs: 30 } });
    const first = await scanViaApi(h);
    expect(first.status).toBe('succeeded');
    const before = (await h.get('/api/findings')).body.total as number;
    expect(before).toBeGreaterThan(0);

    const started = await h.post('/api/scans').send({ source: 'api' });
    expect(started.status).toBe(202);
    // Another process takes the write lock (and keeps it for less than the 5 s busy timeout).
    const other = new Database(h.dbPath);
    other.pragma('busy_timeout = 2000');
    other.exec('BEGIN IMMEDIATE');
    try {
      await waitFor(() => h!.ctx.scans.recordingInFlight > 0, 5_000, 'the run to be handed to the recording worker');
      // The worker waits for the lock; recorded on the event loop, these requests would wait with it.
      const findings = await h.get('/api/findings');
      expect(findings.status).toBe(200);
      expect(findings.body.total).toBe(before);
      const run = await h.get(`/api/scans/${started.body.id}`);
      expect(run.body.status).toBe('running');
      expect(h.ctx.scans.recordingInFlight).toBe(1);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await waitFor(async () => (await h!.get(`/api/scans/${started.body.id}`)).body.status !== 'running', 10_000, 'the run to end');
    const run = (await h.get(`/api/scans/${started.body.id}`)).body;
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    expect((await h.get('/api/findings')).body.total).toBe(before);
  });
});
