import { parse } from 'csv-parse/sync';
import { addAccessKey, addUser, DAY_MS, mulberry32 } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { ACCOUNT_ID, accountWith, scan, TestClock, type KeySpec } from './helpers';

const NOW = new Date('2025-09-10T10:00:00.000Z');

/** 30 users with one key each, ages 100..390 (medium below 366 days, high above); every third never used. */
const manyKeys = (): KeySpec[] =>
  Array.from({ length: 30 }, (_, i) => ({ user: `svc-${String(i).padStart(2, '0')}`, ageDays: 100 + i * 10, lastUsedDaysAgo: i % 3 === 0 ? null : 1 }));

describe('GET /api/findings', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when findings are paged with the cursor, then every finding comes exactly once in order, with the total on every page', async () => {
    h = await startHarness({ account: accountWith(manyKeys(), NOW), clock: () => NOW });
    await scan(h);
    const everything = await h.get('/api/findings?limit=500');
    const total = everything.body.total;
    expect(total).toBeGreaterThan(40);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.get(`/api/findings?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(total);
      expect(res.body.items.length).toBeLessThanOrEqual(7);
      if (cursor) expect(res.body.offset).toBeNull();
      seen.push(...res.body.items.map((f: { id: number }) => f.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(total / 7));
    expect(seen).toEqual(everything.body.items.map((f: { id: number }) => f.id));
    // sorted by severity, most severe first
    const ranks = everything.body.items.map((f: { severity: string }) => ['info', 'low', 'medium', 'high', 'critical'].indexOf(f.severity));
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  test('when findings change between two pages, then the cursor neither repeats nor skips the ones that stayed', async () => {
    const clock = new TestClock(NOW);
    h = await startHarness({ account: accountWith(manyKeys(), NOW), clock: clock.fn });
    await scan(h);
    const first = await h.get('/api/findings?check=access_key_not_rotated&sort=user&order=asc&limit=10');
    expect(first.body.items.map((f: { user_name: string }) => f.user_name)).toEqual(Array.from({ length: 10 }, (_, i) => `svc-${String(i).padStart(2, '0')}`));
    // svc-00 and svc-01 go away before the next page
    h.sim.account.users = h.sim.account.users.filter((u) => !['svc-00', 'svc-01'].includes(u.userName));
    await scan(h);
    const next = await h.get(`/api/findings?check=access_key_not_rotated&sort=user&order=asc&limit=10&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(next.body.items[0].user_name).toBe('svc-10');
    const byOffset = await h.get('/api/findings?check=access_key_not_rotated&sort=user&order=asc&limit=10&offset=10');
    expect(byOffset.body.items[0].user_name).toBe('svc-12'); // the offset skipped two
  });

  test('when the cursor is garbage, used with other filters or with an offset, then 400 names the field', async () => {
    h = await startHarness({ account: accountWith(manyKeys(), NOW), clock: () => NOW });
    await scan(h);
    const page = await h.get('/api/findings?limit=5');
    const cursor = encodeURIComponent(page.body.next_cursor);
    for (const [query, field] of [
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${cursor}&min_severity=high`, 'cursor'],
      [`cursor=${cursor}&sort=user`, 'cursor'],
      [`cursor=${cursor}&offset=5`, 'offset'],
      ['limit=0', 'limit'],
      ['min_severity=urgent', 'min_severity'],
      ['first_seen_since=yesterday', 'first_seen_since'],
      ['suppressed=maybe', 'suppressed'],
      ['format=xml', 'format'],
    ]) {
      const res = await h.get(`/api/findings?limit=5&${query}`);
      expect({ query, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ query, status: 400, field });
    }
  });

  test('when filtered by minimum severity, check, user, resource id, first seen and status, then only matching findings come back', async () => {
    const clock = new TestClock(NOW);
    h = await startHarness({ account: accountWith(manyKeys(), NOW), clock: clock.fn });
    await scan(h);
    const high = await h.get('/api/findings?min_severity=high&limit=500');
    expect(high.body.items.length).toBeGreaterThan(0);
    expect(high.body.items.every((f: { severity: string }) => ['high', 'critical'].includes(f.severity))).toBe(true);
    expect(high.body.total).toBe(high.body.items.length);

    const svc05 = await h.get('/api/findings?user=svc-05&check=access_key_unused');
    expect(svc05.body.items).toHaveLength(0); // svc-05's key is used
    const svc06 = await h.get('/api/findings?user=svc-06&check=access_key_unused');
    expect(svc06.body.items).toHaveLength(1);
    const byResource = await h.get(`/api/findings?resource_id=${svc06.body.items[0].resource_id}`);
    expect(byResource.body.items.map((f: { check_id: string }) => f.check_id).sort()).toEqual(['access_key_not_rotated', 'access_key_unused']);

    // a day later a new user appears, and svc-06's key goes away
    clock.advanceDays(1);
    const rng = mulberry32(5);
    addUser(h.sim.account, { userName: 'zed', createDate: new Date(NOW.getTime() - 900 * DAY_MS), rng });
    addAccessKey(h.sim.account, 'zed', { ageDays: 200, now: clock.now, lastUsedDaysAgo: 1, rng });
    h.sim.account.users = h.sim.account.users.filter((u) => u.userName !== 'svc-06');
    await scan(h);
    const recent = await h.get(`/api/findings?first_seen_since=${encodeURIComponent(new Date(NOW.getTime() + 3_600_000).toISOString())}`);
    expect(recent.body.items.map((f: { user_name: string }) => f.user_name)).toEqual(['zed']);
    const resolved = await h.get('/api/findings?status=resolved&limit=500');
    expect(new Set(resolved.body.items.map((f: { user_name: string }) => f.user_name))).toEqual(new Set(['svc-06']));
    const all = await h.get('/api/findings?status=all&limit=1');
    const open = await h.get('/api/findings?status=open&limit=1');
    expect(all.body.total).toBe(open.body.total + resolved.body.total);
  });

  test('when format=csv, then every matching finding comes as RFC 4180 CSV with a header row that csv-parse reads back', async () => {
    // user names may contain "," "=" "+" "@" — a name with a comma must be quoted
    const keys: KeySpec[] = [...manyKeys(), { user: 'smith,jr', ageDays: 500 }, { user: 'ops+ci=1@example.com', ageDays: 95, lastUsedDaysAgo: null }];
    h = await startHarness({ account: accountWith(keys, NOW), clock: () => NOW });
    await scan(h);
    const json = await h.get('/api/findings?limit=500&min_severity=medium');
    const res = await h.get('/api/findings?format=csv&min_severity=medium&limit=5'); // limit is ignored for CSV
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="keywatch-findings-default-2025-09-10\.csv"$/);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      'target',
      'check_id',
      'severity',
      'status',
      'title',
      'resource_type',
      'resource_id',
      'user_name',
      'user_arn',
      'message',
      'first_seen_at',
      'last_seen_at',
      'resolved_at',
      'suppressed',
      'suppression_id',
      'evidence',
      // Issue 11/13: each finding carries its account and its user's privilege class (appended, so that existing columns keep their positions).
      'account_id',
      'privilege',
    ]);
    expect(rows.map((r) => Number(r.id))).toEqual(json.body.items.map((f: { id: number }) => f.id));
    const smith = rows.find((r) => r.user_name === 'smith,jr')!;
    expect(smith).toMatchObject({ check_id: 'access_key_not_rotated', severity: 'high', suppressed: 'false', suppression_id: '', resolved_at: '', account_id: ACCOUNT_ID });
    expect(smith.message).toContain('smith,jr');
    expect(JSON.parse(smith.evidence)).toMatchObject({ status: 'Active', limit_days: 365, age_days: 500 });
    expect(rows.some((r) => r.user_name === 'ops+ci=1@example.com')).toBe(true);
  });

  test('when IAM user names start with = + - or @, then the CSV export neutralises those cells with a leading quote and JSON keeps the real names', async () => {
    // all legal IAM user names ([\w+=,.@-]); a spreadsheet would run each of them as a formula
    const hostile = ['=1+1', '+cmd', '-2+3', '@SUM', '-=cmd@x.io'];
    const keys: KeySpec[] = [...hostile.map((user) => ({ user, ageDays: 120 })), { user: 'plain=name', ageDays: 130 }];
    h = await startHarness({ account: accountWith(keys, NOW), clock: () => NOW });
    await scan(h);
    const res = await h.get('/api/findings?format=csv&check=access_key_not_rotated');
    expect(res.status).toBe(200);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.user_name).sort()).toEqual([...hostile.map((name) => `'${name}`), 'plain=name'].sort());
    for (const row of rows) {
      // no cell of any column may start a formula
      for (const [column, cell] of Object.entries(row)) expect({ column, cell, formula: /^[=+\-@\t\r]/.test(cell) }).toEqual({ column, cell, formula: false });
      expect(row.user_arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/${row.user_name.replace(/^'/, '')}`);
    }
    const json = await h.get('/api/findings?check=access_key_not_rotated&limit=500');
    expect(json.body.items.map((f: { user_name: string }) => f.user_name).sort()).toEqual([...hostile, 'plain=name'].sort());
  });
});
