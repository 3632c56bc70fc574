import type { ScanRun } from '../../src/domain/runs';
import { accountWithKeyAges } from '../support/accounts';
import { sample, startOpsApp, TEST_PASSWORD, TEST_USER, type OpsApp } from './support';

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

describe('GET /metrics', () => {
  const apps: OpsApp[] = [];
  const start = async (...args: Parameters<typeof startOpsApp>) => {
    const app = await startOpsApp(...args);
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  test('when scans have succeeded and failed, then scans, duration, IAM calls, open findings and the last success are exposed', async () => {
    const app = await start({ account: accountWithKeyAges([10, 100, 400]) });
    const ok = await app.scan();
    expect(ok.status).toBe('succeeded');
    app.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await app.scan();
    expect(failed.status).toBe('failed');

    const res = await app.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;

    expect(sample(text, 'keywatch_scans_total', { target: 'default', source: 'api', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'keywatch_scans_total', { target: 'default', source: 'api', status: 'failed' })).toBe(1);
    expect(sample(text, 'keywatch_scan_duration_seconds_count', { target: 'default', source: 'api', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'keywatch_scan_duration_seconds_bucket', { status: 'succeeded', le: '+Inf' })).toBe(1);

    const okStats = ok.stats as { api_calls: number; throttled: number; retries: number };
    const failedStats = failed.stats as { api_calls: number };
    expect(sample(text, 'keywatch_iam_api_calls_total', { target: 'default', source: 'api' })).toBe(okStats.api_calls + failedStats.api_calls);
    expect(sample(text, 'keywatch_iam_throttled_total', { target: 'default', source: 'api' })).toBe(0);
    expect(sample(text, 'keywatch_iam_retries_total', { target: 'default', source: 'api' })).toBe(0);

    // the 100- and 400-day keys are not rotated (medium, high): the same counts as the API
    const open = await app.get('/api/findings?status=open&limit=100');
    const expected = new Map<string, number>();
    for (const f of open.body.items as { severity: string; check_id: string }[]) {
      expected.set(`${f.severity}/${f.check_id}`, (expected.get(`${f.severity}/${f.check_id}`) ?? 0) + 1);
    }
    expect(expected.get('medium/access_key_not_rotated')).toBe(1);
    expect(expected.get('high/access_key_not_rotated')).toBe(1);
    for (const [key, n] of expected) {
      const [severity, check] = key.split('/');
      expect(sample(text, 'keywatch_open_findings', { target: 'default', severity, check })).toBe(n);
    }

    const last = sample(text, 'keywatch_last_successful_scan_timestamp_seconds', { target: 'default' });
    const finishedAt = Date.parse(ok.finished_at as string) / 1000;
    expect(last).toBeCloseTo(finishedAt, 0);
    expect(sample(text, 'keywatch_scan_running', { target: 'default' })).toBe(0);
    expect(sample(text, 'keywatch_build_info', { version: app.ctx.config.version })).toBe(1);

    // default process metrics on the same registry
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  test('when a finding is resolved, then it leaves the open-findings gauge', async () => {
    const app = await start({ account: accountWithKeyAges([100]) });
    await app.scan();
    expect(sample((await app.get('/metrics')).text, 'keywatch_open_findings', { check: 'access_key_not_rotated' })).toBe(1);
    app.sim.account.users = [];
    await app.scan();
    expect(sample((await app.get('/metrics')).text, 'keywatch_open_findings', { check: 'access_key_not_rotated' })).toBeUndefined();
  });

  test('when a finding is suppressed, then it moves from the open-findings gauge to the suppressed gauge', async () => {
    const app = await start({ account: accountWithKeyAges([100, 120]) });
    await app.scan();
    const before = (await app.get('/metrics')).text;
    expect(sample(before, 'keywatch_open_findings', { check: 'access_key_not_rotated', severity: 'medium' })).toBe(2);
    const open = await app.get('/api/findings?check=access_key_not_rotated');
    const one = open.body.items.find((f: { user_name: string }) => f.user_name.startsWith('user-100d'));
    const created = await app.post('/api/suppressions').send({ finding_id: one.id, reason: 'break-glass key, rotated by hand' });
    expect(created.status).toBe(201);
    const after = (await app.get('/metrics')).text;
    expect(sample(after, 'keywatch_open_findings', { check: 'access_key_not_rotated', severity: 'medium' })).toBe(1);
    expect(sample(after, 'keywatch_open_findings_suppressed', { check: 'access_key_not_rotated', severity: 'medium' })).toBe(1);
    expect((await app.get('/api/findings?check=access_key_not_rotated')).body.total).toBe(1);
  });

  test('when the database already has history, then the state gauges show it right after start', async () => {
    const first = await start({ account: accountWithKeyAges([100]) });
    const run = await first.scan();
    await first.ctx.close();
    const second = await start({ dbPath: first.dbPath });
    const text = (await second.get('/metrics')).text;
    expect(sample(text, 'keywatch_open_findings', { check: 'access_key_not_rotated', severity: 'medium' })).toBe(1);
    expect(sample(text, 'keywatch_last_successful_scan_timestamp_seconds', { target: 'default' })).toBeCloseTo(Date.parse(run.finished_at as string) / 1000, 0);
    // counters describe this process only
    expect(sample(text, 'keywatch_scans_total', { status: 'succeeded' })).toBeUndefined();
  });

  test('when no credentials are given, then /metrics answers 401 with the error shape', async () => {
    const app = await start();
    const res = await app.anon().get('/metrics');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
  });

  test('when KEYWATCH_METRICS_TOKEN is set, then the bearer token works, a wrong one is refused, and basic auth still works', async () => {
    const app = await start({ env: { KEYWATCH_METRICS_TOKEN: METRICS_TOKEN } });
    const bearer = await app.anon().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(bearer.status).toBe(200);
    expect(bearer.text).toContain('keywatch_scans_total');
    const wrong = await app.anon().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    const basic = await app.get('/metrics');
    expect(basic.status).toBe(200);
  });

  test('when the metrics token is set, then it does not open the API', async () => {
    const app = await start({ env: { KEYWATCH_METRICS_TOKEN: METRICS_TOKEN } });
    const res = await app.anon().get('/api/scans').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(401);
  });

  test('when no metrics token is configured, then a bearer token is refused', async () => {
    const app = await start();
    const res = await app.anon().get('/metrics').set('Authorization', 'Bearer anything-at-all-0123456789');
    expect(res.status).toBe(401);
  });

  test('when KEYWATCH_METRICS_TOKEN is shorter than 16 characters, then the configuration is refused without echoing it', async () => {
    await expect(start({ env: { KEYWATCH_METRICS_TOKEN: 'short-secret' } })).rejects.toThrow(/KEYWATCH_METRICS_TOKEN: must be at least 16 characters/);
    await expect(start({ env: { KEYWATCH_METRICS_TOKEN: 'short-secret' } })).rejects.not.toThrow(/short-secret/);
  });

  test('when two apps run in one process, then each has its own registry and counts only its own scans', async () => {
    const a = await start({ account: accountWithKeyAges([100]) });
    const b = await start({ account: accountWithKeyAges([100]) });
    await a.scan();
    await a.scan();
    await b.scan();
    expect(sample((await a.get('/metrics')).text, 'keywatch_scans_total', { status: 'succeeded' })).toBe(2);
    expect(sample((await b.get('/metrics')).text, 'keywatch_scans_total', { status: 'succeeded' })).toBe(1);
  });

  test('when run-finished listeners are given, then each is called besides the metrics, even if another throws', async () => {
    const seen: number[] = [];
    const listened: string[] = [];
    const app = await start({
      account: accountWithKeyAges([100]),
      build: {
        onRunFinished: (run: ScanRun) => seen.push(run.id),
        runFinishedListeners: [
          () => {
            throw new Error('listener bug');
          },
          (run: ScanRun) => listened.push(run.status),
        ],
      },
    });
    const run = await app.scan();
    expect(seen).toEqual([run.id]);
    expect(listened).toEqual(['succeeded']);
    expect(sample((await app.get('/metrics')).text, 'keywatch_scans_total', { status: 'succeeded' })).toBe(1);
  });

  test('when the OpenAPI document is fetched, then /metrics is not among the /api paths', async () => {
    const app = await start();
    const doc = await app.get('/api/openapi.json');
    expect(Object.keys(doc.body.paths)).not.toContain('/metrics');
    expect(Object.keys(doc.body.paths).every((p) => p.startsWith('/api/'))).toBe(true);
  });

  test('when wrong credentials are presented, then the auth-failure counter goes up', async () => {
    const app = await start();
    await app.anon().get('/api/scans').auth(TEST_USER, 'wrong');
    await app.anon().get('/api/scans').auth(TEST_USER, 'wrong');
    const text = (await app.anon().get('/metrics').auth(TEST_USER, TEST_PASSWORD)).text;
    expect(sample(text, 'keywatch_http_auth_failures_total')).toBe(2);
  });
});
