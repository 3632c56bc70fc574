/**
 * The paged diff (COUNT queries and keyset pages over the intervals) against the whole diff built in
 * memory (diffRuns, what the webhook sends): the same counts and the same items, for every pair of
 * runs of an evolving account — forwards, backwards and a run with itself — under every suppressed filter.
 */
import { DIFF_CATEGORIES, SUPPRESSED_FILTERS } from '../../src/domain/findings';
import { diffPage, diffRuns, type ChangedItem, type DiffItem } from '../../src/scans/diff';
import { DAY_MS, evolveAccount, generateAccount } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { scan, TestClock } from './helpers';

const key = (i: DiffItem | ChangedItem) =>
  `${i.state.findingId}|${i.state.severity}|${i.state.durableJson}|${'before' in i ? `${i.before.severity}|${i.before.durableJson}` : '-'}|${i.suppressionId}`;

describe('paged diff = whole diff', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when five runs of an evolving account are compared pairwise in pages of 7, then counts and items equal the whole diff for every suppressed filter', async () => {
    const clock = new TestClock(new Date('2025-02-01T08:00:00.000Z'));
    const account = generateAccount({ seed: 99, users: 40, now: clock.now });
    h = await startHarness({ account, clock: clock.fn });
    const runs: number[] = [];
    for (let day = 0; day < 5; day++) {
      if (day > 0) {
        clock.advanceDays(40); // keys cross the 90 / 365-day lines, unused keys cross 45 days
        evolveAccount(h.sim.account, { seed: day, now: clock.now, credentialSurface: true });
        // one user leaves, so findings resolve; another comes back in a later run
        if (day === 2) h.sim.account.users.splice(3, 1);
      }
      runs.push((await scan(h)).id);
    }
    // A suppression by check and user pattern, and one by finding id.
    const open = (await h.get('/api/findings?limit=500')).body.items as { id: number; check_id: string }[];
    expect((await h.post('/api/suppressions').send({ check_id: 'access_key_unused', user_pattern: '*a*', reason: 'r' })).status).toBe(201);
    expect((await h.post('/api/suppressions').send({ finding_id: open[0]!.id, reason: 'r' })).status).toBe(201);
    const now = clock.now.getTime() + DAY_MS;

    let compared = 0;
    for (const head of runs) {
      for (const base of [undefined, ...runs]) {
        for (const suppressed of SUPPRESSED_FILTERS) {
          const whole = diffRuns(h.ctx.store, head, { baseId: base, suppressed, now });
          const paged = { new: [] as string[], resolved: [] as string[], changed: [] as string[] };
          let cursor: string | undefined;
          let counts;
          do {
            const page = diffPage(h.ctx.store, head, { baseId: base, suppressed, now, limit: 7, cursor });
            counts ??= page.counts;
            expect(page.counts).toEqual(counts);
            for (const c of DIFF_CATEGORIES) paged[c].push(...(page[c] as (DiffItem | ChangedItem)[]).map(key));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(counts).toEqual({
            new: whole.new.length,
            resolved: whole.resolved.length,
            changed: whole.changed.length,
            unchanged: whole.unchanged,
            leftOut: whole.leftOut,
          });
          for (const c of DIFF_CATEGORIES) expect(paged[c].sort()).toEqual((whole[c] as (DiffItem | ChangedItem)[]).map(key).sort());
          compared++;
        }
      }
    }
    expect(compared).toBe(5 * 6 * 3);
    // The account did change: the comparisons were not all empty.
    const yearish = diffRuns(h.ctx.store, runs[4]!, { baseId: runs[0], suppressed: 'include', now });
    expect(yearish.new.length).toBeGreaterThan(5);
    expect(yearish.resolved.length).toBeGreaterThan(5);
    expect(yearish.changed.length).toBeGreaterThan(0);
  }, 120_000);
});
