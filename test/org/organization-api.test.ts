/**
 * Reading and scanning the organization over the REST API (issue 11): GET /api/targets, scans of one
 * or every target, the target filter of every list, organization-wide trends by day, suppressions for
 * one target or every target, and the v1 endpoints with a target — through the real SDK against the
 * simulator's organization.
 */
import { parse } from 'csv-parse/sync';
import { getUser } from '../../src/simulator';
import { newLeaseOwner } from '../../src/store';
import { TestClock } from '../history/helpers';
import { accountWithKeyAges, ORG_ROLE_NAME, organizationOf } from '../support/accounts';
import { startHarness, type Harness } from '../support/harness';

const MGMT = '111111111111';
const M1 = '222222222222';
const M2 = '333333333333';
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

interface Run {
  id: number;
  target: string;
  account_id: string | null;
  account_name: string | null;
  status: string;
  [k: string]: unknown;
}
interface Finding {
  id: number;
  target: string;
  account_id: string | null;
  check_id: string;
  user_name: string | null;
  resource_id: string;
  [k: string]: unknown;
}

/** Management 1 key, prod 2 keys, dev 3 keys (all old enough to be findings), as an organization. */
async function orgHarness(
  options: { now?: Date; clock?: () => Date; env?: Record<string, string>; externalId?: string; schedule?: boolean } = {},
): Promise<Harness> {
  const now = options.now ?? new Date();
  const accounts = [
    accountWithKeyAges([100], now, { accountId: MGMT }),
    accountWithKeyAges([200, 300], now, { accountId: M1 }),
    accountWithKeyAges([400, 500, 600], now, { accountId: M2 }),
  ];
  const organization = organizationOf(accounts, { names: ['management', 'prod', 'dev'], externalId: options.externalId });
  const h = await startHarness({
    account: accounts[0],
    sim: { organization },
    clock: options.clock,
    schedule: options.schedule,
    env: {
      KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME,
      ...(options.externalId ? { KEYWATCH_ORG_EXTERNAL_ID: options.externalId } : {}),
      ...options.env,
    },
  });
  await h.ctx.discovered;
  return h;
}

/** Scans every active target through the API and waits for the finished runs. */
async function scanAll(h: Harness): Promise<Run[]> {
  const res = await h.post('/api/scans?wait=true').send({ all: true });
  if (res.status !== 200) throw new Error(`scan all answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.runs;
}

async function scanTarget(h: Harness, target: string): Promise<Run> {
  const res = await h.post('/api/scans?wait=true').send({ target });
  if (res.status !== 200) throw new Error(`scan of ${target} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function findings(h: Harness, query = ''): Promise<{ items: Finding[]; total: number }> {
  const res = await h.get(`/api/findings?limit=500&${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('the organization over the REST API', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when GET /api/targets is called before and after scanning, then it lists every target with its account, role, last run and open findings, and never the ExternalId', async () => {
    h = await orgHarness({ externalId: 'vault-secret-7' });
    const before = await h.get('/api/targets');
    expect(before.status).toBe(200);
    expect(before.body.discovery).toEqual({ enabled: true, last: { ok: true, at: expect.any(String), accounts: 3, error: null } });
    expect(before.body.items.map((t: Record<string, unknown>) => [t.name, t.account_id, t.account_name, t.origin, t.active, t.role_arn, t.source, t.last_run])).toEqual([
      [MGMT, MGMT, 'management', 'organization', true, null, 'api', null],
      [M1, M1, 'prod', 'organization', true, `arn:aws:iam::${M1}:role/${ORG_ROLE_NAME}`, 'api', null],
      [M2, M2, 'dev', 'organization', true, `arn:aws:iam::${M2}:role/${ORG_ROLE_NAME}`, 'api', null],
    ]);
    expect(before.body.totals.total).toBe(0);
    expect(before.body).toMatchObject({ total: 3, offset: 0, next_offset: null });

    const runs = await scanAll(h);
    const after = await h.get('/api/targets');
    for (const item of after.body.items) {
      const run = runs.find((r) => r.target === item.name)!;
      expect(item.last_run).toEqual({ id: run.id, status: 'succeeded', source: 'api', started_at: run.started_at, finished_at: run.finished_at, error: null });
      expect(item.next_scan_at).toBeNull(); // no schedule in tests
    }
    expect(JSON.stringify(after.body)).not.toContain('vault-secret-7');
    // dev has three old keys, prod two, management one
    const keys = (name: string) => after.body.items.find((t: { name: string }) => t.name === name).open_findings;
    expect(keys(M2).total).toBeGreaterThan(keys(M1).total);
    expect(keys(M1).total).toBeGreaterThan(keys(MGMT).total);

    // A failed run shows as the last run, with its error.
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await scanTarget(h, M1);
    h.sim.setFaults([]);
    const prod = (await h.get('/api/targets')).body.items.find((t: { name: string }) => t.name === M1);
    expect(prod.last_run).toMatchObject({ id: failed.id, status: 'failed', error: { code: 'aws_access_denied', message: expect.stringMatching(/ListUsers/) } });
  });

  test('when scans are scheduled, then every active target shows the next scheduled scan and an inactive one none', async () => {
    h = await orgHarness({ schedule: true, env: { KEYWATCH_SCAN_SCHEDULE: '0 3 * * *' } });
    h.sim.removeAccount(M2);
    await h.ctx.targets.discover();
    const next = (await h.get('/api/health')).body.next_scheduled_scan;
    expect(next).toEqual(expect.stringMatching(/T03:00:00\.000Z$/));
    const items = (await h.get('/api/targets')).body.items;
    expect(items.map((t: Record<string, unknown>) => [t.name, t.active, t.next_scan_at])).toEqual([
      [MGMT, true, next],
      [M1, true, next],
      [M2, false, null],
    ]);
  });

  test("when findings are counted, then GET /api/targets' counts per target and totals equal what GET /api/findings lists, suppressed findings left out of both", async () => {
    h = await orgHarness();
    await scanAll(h);
    const someKey = (await findings(h, `target=${M2}&check=access_key_not_rotated`)).items[0]!;
    expect((await h.post('/api/suppressions').send({ finding_id: someKey.id, reason: 'accepted' })).status).toBe(201);

    const overview = (await h.get('/api/targets')).body;
    for (const target of [MGMT, M1, M2]) {
      const counts = overview.items.find((t: { name: string }) => t.name === target).open_findings;
      const listed = await findings(h, `target=${target}`);
      expect(counts.total).toBe(listed.total);
      for (const severity of SEVERITIES) {
        expect({ target, severity, count: counts[severity] }).toEqual({ target, severity, count: listed.items.filter((f) => f.severity === severity).length });
      }
    }
    const all = await findings(h);
    expect(overview.totals.total).toBe(all.total);
    for (const severity of SEVERITIES) expect(overview.totals[severity]).toBe(all.items.filter((f) => f.severity === severity).length);
    expect(all.items.some((f) => f.id === someKey.id)).toBe(false);
  });

  test('when several targets are active and a scan names none, then it is a 400 naming target; target together with all is a 400 naming target', async () => {
    h = await orgHarness();
    const none = await h.post('/api/scans').send({});
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([{ field: 'target', message: expect.stringMatching(/3 targets are active/) }]);
    const both = await h.post('/api/scans').send({ target: M1, all: true });
    expect(both.status).toBe(400);
    expect(both.body.error.details).toEqual([{ field: 'target', message: expect.stringMatching(/cannot be combined with all/) }]);
    const unknown = await h.post('/api/scans').send({ target: '999999999999' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'target', message: expect.stringMatching(/unknown target/) });
    expect((await h.get('/api/scans')).body.total).toBe(0);
  });

  test('when {"all": true} is posted, then it answers 202 with one run per active target, and with ?wait=true their finished runs', async () => {
    h = await orgHarness({ env: { KEYWATCH_SCAN_PARALLELISM: '1' } });
    const started = await h.post('/api/scans').send({ all: true });
    expect(started.status).toBe(202);
    expect(started.body.refused).toEqual([]);
    expect(started.body.runs.map((r: Run) => [r.target, r.account_id, r.account_name, r.status])).toEqual([
      [MGMT, MGMT, 'management', 'running'],
      [M1, M1, 'prod', 'queued'],
      [M2, M2, 'dev', 'queued'],
    ]);
    await h.ctx.scans.waitForRunning();
    for (const run of started.body.runs) expect((await h.get(`/api/scans/${run.id}`)).body.status).toBe('succeeded');

    const waited = await h.post('/api/scans?wait=true').send({ all: true, source: 'credential_report' });
    expect(waited.status).toBe(200);
    expect(waited.body.runs.map((r: Run) => [r.target, r.status, r.source])).toEqual([
      [MGMT, 'succeeded', 'credential_report'],
      [M1, 'succeeded', 'credential_report'],
      [M2, 'succeeded', 'credential_report'],
    ]);
    // One target named: the single-run answer, as before.
    const one = await h.post('/api/scans?wait=true').send({ target: M1 });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ target: M1, account_id: M1, account_name: 'prod', status: 'succeeded', source: 'api' });
    expect(one.body).not.toHaveProperty('runs');
  });

  test('when a target is being scanned (by another keywatch process), then {"all": true} refuses it with its 409 message while the others start', async () => {
    h = await orgHarness();
    // Another process holds prod's lease, fresh.
    const held = h.ctx.store.runs.create({
      target: M1,
      source: 'api',
      trigger: 'schedule',
      startedAt: Date.now(),
      settings: {},
      lease: { owner: { ...newLeaseOwner(), pid: 4242, host: 'other-host' }, staleBefore: 0 },
    });
    const res = await h.post('/api/scans?wait=true').send({ all: true });
    expect(res.status).toBe(200);
    expect(res.body.runs.map((r: Run) => [r.target, r.status])).toEqual([
      [MGMT, 'succeeded'],
      [M2, 'succeeded'],
    ]);
    expect(res.body.refused).toEqual([
      {
        target: M1,
        error: { code: 'scan_in_progress', message: expect.stringMatching(new RegExp(`"${M1}" is already running \\(run ${held.id}, in another keywatch process: pid 4242 on other-host\\)`)) },
      },
    ]);
  });

  test('when the run of one target cannot be stored, then {"all": true} still answers the runs that started and names that target as refused with storage_unavailable', async () => {
    h = await orgHarness();
    // A real SQLite failure on the insert of the last target's run only (the others are written).
    h.ctx.store.handle.sqlite.exec(
      `CREATE TRIGGER refuse_dev BEFORE INSERT ON scan_runs WHEN NEW.target = '${M2}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
    );
    const res = await h.post('/api/scans').send({ all: true });
    expect(res.status).toBe(202);
    expect(res.body.runs.map((r: Run) => r.target)).toEqual([MGMT, M1]);
    expect(res.body.refused).toEqual([{ target: M2, error: { code: 'storage_unavailable', message: expect.stringContaining(h.dbPath) } }]);
    // Every run the answer names exists; the refused target has none.
    await h.ctx.scans.waitForRunning();
    for (const run of res.body.runs as Run[]) expect((await h.get(`/api/scans/${run.id}`)).status).toBe(200);
    expect((await h.get(`/api/scans?target=${M2}`)).body.total).toBe(0);
  });

  test('when the first target\'s run cannot be stored, then {"all": true} answers 503 and starts nothing', async () => {
    h = await orgHarness();
    h.ctx.store.handle.sqlite.exec(`CREATE TRIGGER refuse_all BEFORE INSERT ON scan_runs BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const res = await h.post('/api/scans').send({ all: true });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('storage_unavailable');
    expect((await h.get('/api/scans')).body.total).toBe(0);
  });

  test('when every active target is busy, then {"all": true} answers 409 naming them', async () => {
    h = await orgHarness();
    for (const target of [MGMT, M1, M2]) {
      h.ctx.store.runs.create({ target, source: 'api', trigger: 'schedule', startedAt: Date.now(), settings: {}, lease: { owner: newLeaseOwner(), staleBefore: 0 } });
    }
    const res = await h.post('/api/scans').send({ all: true });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('scan_in_progress');
    for (const target of [MGMT, M1, M2]) expect(res.body.error.message).toContain(`"${target}"`);
  });

  test('when runs and findings are listed, then a target filter keeps that target only and without it every target is listed, each item with its target and account', async () => {
    h = await orgHarness();
    await scanAll(h);
    await scanTarget(h, M2);

    const runs = (await h.get('/api/scans')).body;
    expect(runs.total).toBe(4);
    expect(new Set(runs.items.map((r: Run) => `${r.target}/${r.account_id}/${r.account_name}`))).toEqual(
      new Set([`${MGMT}/${MGMT}/management`, `${M1}/${M1}/prod`, `${M2}/${M2}/dev`]),
    );
    const devRuns = (await h.get(`/api/scans?target=${M2}`)).body;
    expect(devRuns.total).toBe(2);
    expect(devRuns.items.every((r: Run) => r.target === M2)).toBe(true);
    expect((await h.get('/api/scans?target=nobody')).body.total).toBe(0);

    const all = await findings(h);
    const perTarget = await Promise.all([MGMT, M1, M2].map((t) => findings(h, `target=${t}`)));
    expect(all.total).toBe(perTarget.reduce((n, p) => n + p.total, 0));
    perTarget.forEach((page, i) => {
      const target = [MGMT, M1, M2][i]!;
      expect(page.total).toBeGreaterThan(0);
      expect(page.items.every((f) => f.target === target && f.account_id === target)).toBe(true);
    });
    // Each account's keys are its own: dev's three keys are dev's findings only.
    const devKeys = h.sim.getAccount(M2)!.users.flatMap((u) => u.accessKeys.map((k) => k.accessKeyId)).sort();
    expect((await findings(h, `target=${M2}&check=access_key_not_rotated`)).items.map((f) => f.resource_id).sort()).toEqual(devKeys);
    expect(all.items.filter((f) => devKeys.includes(f.resource_id)).every((f) => f.target === M2)).toBe(true);

    // CSV: the same filter, the target and account in every row.
    const csv = await h.get(`/api/findings?format=csv&target=${M1}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(new RegExp(`filename="keywatch-findings-${M1}-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(perTarget[1]!.total);
    expect(rows.every((r) => r.target === M1 && r.account_id === M1)).toBe(true);
    const everything = await h.get('/api/findings?format=csv');
    expect(everything.headers['content-disposition']).toMatch(/filename="keywatch-findings-all-targets-/);
    const allRows = parse(everything.text, { columns: true }) as Record<string, string>[];
    expect(allRows).toHaveLength(all.total);
    expect(new Set(allRows.map((r) => r.account_id))).toEqual(new Set([MGMT, M1, M2]));

    const bad = await h.get('/api/findings?target=a%20b');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('target');
  });

  test('when two targets are scanned on two days, then organization-wide trends have one point per day: each target\'s last run of the day summed, a target not scanned that day counted with its last known state', async () => {
    const clock = new TestClock(new Date('2025-03-10T06:00:00.000Z'));
    // Two accounts only: management (1 key) and prod (2 keys).
    const now = clock.now;
    const accounts = [accountWithKeyAges([100], now, { accountId: MGMT }), accountWithKeyAges([200, 300], now, { accountId: M1 })];
    h = await startHarness({
      account: accounts[0],
      sim: { organization: organizationOf(accounts, { names: ['management', 'prod'] }) },
      clock: clock.fn,
      env: { KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME },
    });
    await h.ctx.discovered;

    // Day 1: both scanned.
    const day1 = await scanAll(h);
    // Day 2: prod only, twice — its first key deactivated before the second run.
    clock.set('2025-03-11T06:00:00.000Z');
    const prod2a = await scanTarget(h, M1);
    clock.set('2025-03-11T18:00:00.000Z');
    getUser(h.sim.getAccount(M1)!, 'user-200d-0').accessKeys[0]!.status = 'Inactive';
    const prod2b = await scanTarget(h, M1);

    const runPoint = async (target: string) => (await h.get(`/api/trends?target=${target}`)).body;
    const mgmtTrend = await runPoint(MGMT);
    const prodTrend = await runPoint(M1);
    expect(mgmtTrend.bucket).toBe('run');
    expect(prodTrend.points.map((p: { run_id: number }) => p.run_id)).toEqual([day1[1]!.id, prod2a.id, prod2b.id]);
    const [mgmt1] = mgmtTrend.points;
    const [prod1, prodA, prodB] = prodTrend.points;

    const org = await h.get('/api/trends');
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ bucket: 'day', target: null, suppressed: 'exclude', truncated: false });
    const sumBySeverity = (...points: { open_by_severity: Record<string, number> }[]) =>
      Object.fromEntries(SEVERITIES.map((s) => [s, points.reduce((n, p) => n + p.open_by_severity[s]!, 0)]));
    expect(org.body.points).toEqual([
      {
        day: '2025-03-10',
        finished_at: '2025-03-10T06:00:00.000Z',
        targets: 2,
        scanned_targets: 2,
        runs: 2,
        open: mgmt1.open + prod1.open,
        open_by_severity: sumBySeverity(mgmt1, prod1),
        new: mgmt1.new + prod1.new,
        resolved: 0,
        changed: 0,
        suppressed: 0,
      },
      {
        day: '2025-03-11',
        finished_at: '2025-03-11T18:00:00.000Z',
        targets: 2,
        scanned_targets: 1,
        runs: 2,
        // prod's last run of the day, plus management's last known state (it was not scanned on day 2)
        open: mgmt1.open + prodB.open,
        open_by_severity: sumBySeverity(mgmt1, prodB),
        // every run of the day counted
        new: prodA.new + prodB.new,
        resolved: prodA.resolved + prodB.resolved,
        changed: prodA.changed + prodB.changed,
        suppressed: 0,
      },
    ]);
    expect(prodB.open_by_severity).not.toEqual(prodA.open_by_severity); // the deactivated key changed prod's state during day 2
    expect(prodB.resolved).toBeGreaterThan(0);

    // Carried over across `since` too: day 2 alone still counts management's last known state.
    const since = (await h.get(`/api/trends?since=${encodeURIComponent('2025-03-11T00:00:00Z')}`)).body;
    expect(since.points).toEqual([org.body.points[1]]);

    // Day 3: prod leaves the organization; management is scanned. Prod no longer counts.
    clock.set('2025-03-12T06:00:00.000Z');
    h.sim.removeAccount(M1);
    await h.ctx.targets.discover();
    const mgmt3 = (await scanAll(h))[0]!;
    expect(mgmt3.target).toBe(MGMT);
    const day3 = (await h.get('/api/trends')).body.points[2];
    const mgmtLast = (await runPoint(MGMT)).points.at(-1);
    expect(day3).toMatchObject({ day: '2025-03-12', targets: 1, scanned_targets: 1, runs: 1, open: mgmtLast.open });

    // One target by day, on request; bucket=run without a target is a 400 naming target.
    const prodByDay = (await h.get(`/api/trends?target=${M1}&bucket=day`)).body;
    expect(prodByDay).toMatchObject({ bucket: 'day', target: M1 });
    expect(prodByDay.points.map((p: { day: string; open: number }) => [p.day, p.open])).toEqual([
      ['2025-03-10', prod1.open],
      ['2025-03-11', prodB.open],
    ]);
    const noTarget = await h.get('/api/trends?bucket=run');
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.error.details[0].field).toBe('target');
  });

  test('when a suppression names no target, then it hides a check\'s findings in every account; one naming a target hides them in that account only', async () => {
    h = await orgHarness();
    await scanAll(h);
    const notRotated = async (target: string) => (await findings(h, `target=${target}&check=access_key_not_rotated`)).total;
    expect([await notRotated(MGMT), await notRotated(M1), await notRotated(M2)]).toEqual([1, 2, 3]);

    const prodOnly = await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', target: M1, reason: 'prod keys are rotated by the vault' });
    expect(prodOnly.status).toBe(201);
    expect(prodOnly.body).toMatchObject({ target: M1, matched_open_findings: 2 });
    expect([await notRotated(MGMT), await notRotated(M1), await notRotated(M2)]).toEqual([1, 0, 3]);

    const everywhere = await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', user_pattern: 'user-*', reason: 'org-wide exception' });
    expect(everywhere.status).toBe(201);
    expect(everywhere.body).toMatchObject({ target: null, matched_open_findings: 6 });
    expect([await notRotated(MGMT), await notRotated(M1), await notRotated(M2)]).toEqual([0, 0, 0]);
    expect((await findings(h, 'check=access_key_not_rotated&suppressed=only')).total).toBe(6);

    // The list filter: the suppressions that apply to a target are its own and those of every target.
    const forDev = (await h.get(`/api/suppressions?target=${M2}`)).body;
    expect(forDev.items.map((s: { id: number }) => s.id)).toEqual([everywhere.body.id]);

    const unknown = await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', target: 'nowhere', reason: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ field: 'target', message: expect.stringMatching(/unknown target "nowhere"/) }]);
    const devFinding = (await findings(h, `target=${M2}&suppressed=include`)).items[0]!;
    const wrong = await h.post('/api/suppressions').send({ finding_id: devFinding.id, target: M1, reason: 'x' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ field: 'target', message: expect.stringMatching(new RegExp(`belongs to target "${M2}"`)) }]);
    const byFinding = await h.post('/api/suppressions').send({ finding_id: devFinding.id, reason: 'x' });
    expect(byFinding.body.target).toBe(M2);
  });

  test('when the v1 endpoints name a target, then they scan that account; with several active targets and none named, they answer 400 naming target', async () => {
    h = await orgHarness();
    const dev = await h.get(`/api/v1/iam/old-access-keys/list-users?hours=2160&target=${M2}`);
    expect(dev.status).toBe(200);
    const devKeys = h.sim.getAccount(M2)!.users.flatMap((u) => u.accessKeys.map((k) => k.accessKeyId)).sort();
    expect(dev.body.old_access_keys.map((k: { access_key_id: string }) => k.access_key_id).sort()).toEqual(devKeys);
    const report = await h.post(`/api/v1/iam/old-access-keys/credential-report?hours=2160&target=${M1}`);
    expect(report.status).toBe(200);
    expect(report.body.old_access_keys).toHaveLength(2);
    const runs = (await h.get('/api/scans')).body.items;
    expect(runs.map((r: Run) => [r.target, r.trigger, r.source])).toEqual([
      [M1, 'v1', 'credential_report'],
      [M2, 'v1', 'api'],
    ]);

    const none = await h.get('/api/v1/iam/old-access-keys/list-users?hours=2160');
    expect(none.status).toBe(400);
    expect(none.body.error.details[0]).toMatchObject({ field: 'target', message: expect.stringMatching(/3 targets are active/) });
  });
});
