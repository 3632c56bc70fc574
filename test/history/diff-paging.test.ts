/**
 * GET /api/scans/{id}/diff pages (issue 12 §3): counts of the whole diff on every page, items one
 * category at a time or all three, `limit` per category and a cursor; `format=csv` streams the whole diff.
 */
import { parse } from 'csv-parse/sync';
import { addAccessKey, addUser, DAY_MS, getUser, mulberry32 } from '../../src/simulator';
import { DiffSchema } from '../../src/presenters/schemas';
import { startHarness, type Harness } from '../support/harness';
import { accountWith, labels, scan, type FindingLike } from './helpers';

const NOW = new Date('2025-06-15T12:00:00.000Z');

interface DiffItemJson extends FindingLike {
  finding_id: number;
  suppressed: boolean;
  suppression_id: number | null;
}

/** Ten users with a 100-day key (access_key_not_rotated, medium) and three with a 364-day key. */
const account = () =>
  accountWith(
    [
      ...Array.from({ length: 10 }, (_, i) => ({ user: `dev-${i}`, ageDays: 100 })),
      ...Array.from({ length: 3 }, (_, i) => ({ user: `old-${i}`, ageDays: 364 })),
    ],
    NOW,
  );

/**
 * Between two scans: five dev keys deactivated (5 resolved not_rotated, 5 new lingering), four users
 * with a 400-day key added (4 new), the three 364-day keys cross 365 days (3 changed).
 */
async function diffOfChanges(h: Harness): Promise<{ first: number; second: number }> {
  const first = (await scan(h)).id;
  const sim = h.sim.account;
  for (let i = 0; i < 5; i++) getUser(sim, `dev-${i}`).accessKeys[0]!.status = 'Inactive';
  const rng = mulberry32(5);
  for (let i = 0; i < 4; i++) {
    addUser(sim, { userName: `new-${i}`, createDate: new Date(NOW.getTime() - 900 * DAY_MS), rng });
    addAccessKey(sim, `new-${i}`, { ageDays: 400, now: NOW, lastUsedDaysAgo: 1, rng });
  }
  for (let i = 0; i < 3; i++) getUser(sim, `old-${i}`).accessKeys[0]!.createDate = new Date(NOW.getTime() - 366 * DAY_MS);
  const second = (await scan(h)).id;
  return { first, second };
}

const ids = (items: DiffItemJson[]) => items.map((i) => i.finding_id);

describe('GET /api/scans/{id}/diff: pages', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when the limit is smaller than the categories, then every page answers the counts of the whole diff and the pages together list every item exactly once, in the order of one unpaged answer', async () => {
    h = await startHarness({ account: account(), clock: () => NOW });
    const { second } = await diffOfChanges(h);
    const whole = (await h.get(`/api/scans/${second}/diff?limit=1000`)).body;
    expect(whole.counts).toEqual({ new: 9, resolved: 5, changed: 3, unchanged: 6, suppressed_left_out: 0 });
    expect(whole).toMatchObject({ category: 'all', limit: 1000, next_cursor: null });
    expect([whole.new.length, whole.resolved.length, whole.changed.length]).toEqual([9, 5, 3]);

    const sizes: number[][] = [];
    const seen = { new: [] as DiffItemJson[], resolved: [] as DiffItemJson[], changed: [] as DiffItemJson[] };
    let cursor: string | null = null;
    do {
      const res = await h.get(`/api/scans/${second}/diff?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(DiffSchema.strict().parse(res.body)).toEqual(res.body);
      expect(res.body.counts).toEqual(whole.counts);
      expect(res.body.unchanged).toBe(6);
      sizes.push([res.body.new.length, res.body.resolved.length, res.body.changed.length]);
      for (const k of ['new', 'resolved', 'changed'] as const) seen[k].push(...res.body[k]);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(sizes).toEqual([
      [2, 2, 2],
      [2, 2, 1],
      [2, 1, 0],
      [2, 0, 0],
      [1, 0, 0],
    ]);
    for (const k of ['new', 'resolved', 'changed'] as const) expect(ids(seen[k])).toEqual(ids(whole[k]));
    expect(labels(seen.new)).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `access_key_inactive_lingering:dev-${i}:low`),
      ...Array.from({ length: 4 }, (_, i) => `access_key_not_rotated:new-${i}:high`),
    ].sort());
    expect(labels(seen.resolved)).toEqual(Array.from({ length: 5 }, (_, i) => `access_key_not_rotated:dev-${i}:medium`));
    expect(seen.changed.map((c) => [c.user_name, (c as unknown as { before: { severity: string } }).before.severity, c.severity])).toEqual(
      Array.from({ length: 3 }, (_, i) => [`old-${i}`, 'medium', 'high']),
    );
  });

  test('when one category is asked for, then only its items are listed and the cursor continues it alone', async () => {
    h = await startHarness({ account: account(), clock: () => NOW });
    const { first, second } = await diffOfChanges(h);
    const page1 = (await h.get(`/api/scans/${second}/diff?base=${first}&category=new&limit=5`)).body;
    expect(page1).toMatchObject({ category: 'new', limit: 5, resolved: [], changed: [] });
    expect(page1.counts).toMatchObject({ new: 9, resolved: 5, changed: 3 });
    expect(page1.new).toHaveLength(5);
    const page2 = (await h.get(`/api/scans/${second}/diff?base=${first}&category=new&limit=5&cursor=${encodeURIComponent(page1.next_cursor)}`)).body;
    expect(page2.new).toHaveLength(4);
    expect(page2.next_cursor).toBeNull();
    expect([...ids(page1.new), ...ids(page2.new)].sort()).toEqual(ids((await h.get(`/api/scans/${second}/diff?category=new`)).body.new).sort());

    const resolved = (await h.get(`/api/scans/${second}/diff?category=resolved&limit=5`)).body;
    expect(resolved).toMatchObject({ new: [], changed: [], next_cursor: null });
    expect(resolved.resolved).toHaveLength(5);
  });

  test('when the cursor comes from another query or is not a cursor, or the limit or category is out of range, then 400 names the field', async () => {
    h = await startHarness({ account: account(), clock: () => NOW });
    const { first, second } = await diffOfChanges(h);
    const cursor = (await h.get(`/api/scans/${second}/diff?category=new&limit=2`)).body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const field = async (query: string) => {
      const res = await h.get(`/api/scans/${second}/diff?${query}`);
      expect(res.status).toBe(400);
      return res.body.error.details.map((d: { field: string }) => d.field);
    };
    expect(await field(`category=resolved&limit=2&cursor=${encodeURIComponent(cursor)}`)).toEqual(['cursor']);
    expect(await field(`category=new&limit=2&suppressed=include&cursor=${encodeURIComponent(cursor)}`)).toEqual(['cursor']);
    expect(await field('cursor=not-a-cursor')).toEqual(['cursor']);
    expect(await field(`cursor=${Buffer.from(JSON.stringify({ v: 1, p: { new: ['x', 1] } })).toString('base64url')}`)).toEqual(['cursor']);
    // the default base is that run: the same query, the cursor continues it
    expect((await h.get(`/api/scans/${second}/diff?base=${first}&category=new&limit=2&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
    expect(await field('limit=0')).toEqual(['limit']);
    expect(await field('limit=1001')).toEqual(['limit']);
    expect(await field('category=unchanged')).toEqual(['category']);
    expect(await field('format=xml')).toEqual(['format']);
  }, 30_000);

  test('when a category has more than 100 items, then the default page holds 100 of them and the next page the rest', async () => {
    const keys = Array.from({ length: 130 }, (_, i) => ({ user: `svc-${String(i).padStart(3, '0')}`, ageDays: 100 }));
    h = await startHarness({ account: accountWith(keys, NOW), clock: () => NOW });
    const run = await scan(h); // the first run: everything is new
    const page1 = (await h.get(`/api/scans/${run.id}/diff`)).body;
    expect(page1).toMatchObject({ base_run_id: null, limit: 100, counts: { new: run.stats.findings, resolved: 0, changed: 0, unchanged: 0 } });
    expect(page1.new).toHaveLength(100);
    const page2 = (await h.get(`/api/scans/${run.id}/diff?cursor=${encodeURIComponent(page1.next_cursor)}`)).body;
    expect(page2.next_cursor).toBeNull();
    expect(page1.new.length + page2.new.length).toBe(run.stats.findings);
    expect(new Set([...ids(page1.new), ...ids(page2.new)]).size).toBe(run.stats.findings);
  });

  test('when findings are suppressed, then every filter counts and lists the same findings as its pages, and suppressed_left_out says how many it left out', async () => {
    h = await startHarness({ account: account(), clock: () => NOW });
    const { second } = await diffOfChanges(h);
    const all = (await h.get(`/api/scans/${second}/diff?suppressed=include&limit=1000`)).body;
    // a finding (one of the changed) and a check + user pattern (the new not_rotated findings of new-*)
    const changedOne = all.changed.find((c: DiffItemJson) => c.user_name === 'old-1');
    const byId = await h.post('/api/suppressions').send({ finding_id: changedOne.finding_id, reason: 'reviewed' });
    const byPattern = await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', user_pattern: 'NEW-*', reason: 'migrating' });
    expect([byId.status, byPattern.status]).toEqual([201, 201]);

    const include = (await h.get(`/api/scans/${second}/diff?suppressed=include&limit=2`)).body;
    expect(include.counts).toEqual({ new: 9, resolved: 5, changed: 3, unchanged: 6, suppressed_left_out: 0 });
    const exclude = (await h.get(`/api/scans/${second}/diff?limit=1000`)).body;
    expect(exclude.counts).toEqual({ new: 5, resolved: 5, changed: 2, unchanged: 6, suppressed_left_out: 5 });
    expect(labels(exclude.new).every((l) => l.startsWith('access_key_inactive_lingering:dev-'))).toBe(true);
    expect(exclude.changed.map((c: DiffItemJson) => c.user_name)).toEqual(['old-0', 'old-2']);
    const only = (await h.get(`/api/scans/${second}/diff?suppressed=only&limit=1000`)).body;
    expect(only.counts).toEqual({ new: 4, resolved: 0, changed: 1, unchanged: 0, suppressed_left_out: 18 });
    expect(only.new.map((i: DiffItemJson) => [i.user_name, i.suppressed, i.suppression_id])).toEqual(
      Array.from({ length: 4 }, (_, i) => [`new-${i}`, true, byPattern.body.id]),
    );
    expect(only.changed.map((i: DiffItemJson) => [i.user_name, i.suppression_id])).toEqual([['old-1', byId.body.id]]);
  });

  test('when format=csv, then the whole diff streams with a change column and before_* for changed findings, suppressed ones left out, and a user name that starts a formula is neutralised', async () => {
    const keys = [
      { user: 'alice', ageDays: 100 },
      { user: 'bob', ageDays: 364 },
    ];
    h = await startHarness({ account: accountWith(keys, NOW), clock: () => NOW });
    const first = (await scan(h)).id;
    const sim = h.sim.account;
    getUser(sim, 'alice').accessKeys[0]!.status = 'Inactive';
    getUser(sim, 'bob').accessKeys[0]!.createDate = new Date(NOW.getTime() - 366 * DAY_MS);
    const rng = mulberry32(8);
    addUser(sim, { userName: '=HYPERLINK', createDate: new Date(NOW.getTime() - 900 * DAY_MS), rng });
    addAccessKey(sim, '=HYPERLINK', { ageDays: 400, now: NOW, lastUsedDaysAgo: 1, rng });
    const second = (await scan(h)).id;

    const res = await h.get(`/api/scans/${second}/diff?base=${first}&format=csv&limit=1&category=new`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="keywatch-diff-${h.ctx.config.target}-${first}-${second}.csv"`);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([
      'change',
      'finding_id',
      'check_id',
      'title',
      'severity',
      'resource_type',
      'resource_id',
      'user_name',
      'evidence',
      'before_severity',
      'before_evidence',
      'suppressed',
      'suppression_id',
    ]);
    const json = (await h.get(`/api/scans/${second}/diff?base=${first}&limit=1000`)).body;
    expect(rows).toHaveLength(json.counts.new + json.counts.resolved + json.counts.changed);
    expect(rows.map((r) => `${r.change}:${r.check_id}:${r.user_name}:${r.severity}`)).toEqual([
      // new, then resolved, then changed (category and limit do not apply to the CSV)
      ...json.new.map((i: DiffItemJson) => `new:${i.check_id}:${i.user_name === '=HYPERLINK' ? "'=HYPERLINK" : i.user_name}:${i.severity}`),
      'resolved:access_key_not_rotated:alice:medium',
      'changed:access_key_not_rotated:bob:high',
    ]);
    expect(rows.some((r) => r.user_name === "'=HYPERLINK")).toBe(true);
    const changed = rows.find((r) => r.change === 'changed')!;
    expect(changed).toMatchObject({ before_severity: 'medium', suppressed: 'false', suppression_id: '' });
    expect(JSON.parse(changed.before_evidence!)).toMatchObject({ limit_days: 90 });
    expect(JSON.parse(changed.evidence!)).toMatchObject({ limit_days: 365 });

    await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', user_pattern: 'bob', reason: 'known' });
    const filtered = parse((await h.get(`/api/scans/${second}/diff?base=${first}&format=csv`)).text, { columns: true }) as Record<string, string>[];
    expect(filtered.map((r) => r.change)).not.toContain('changed');
    expect(filtered).toHaveLength(rows.length - 1);
  });
});
