import request from 'supertest';
import { accountWithKeyAges } from '../support/accounts';
import { scanViaApi, startHarness, TEST_PASSWORD, TEST_USER, type Harness } from '../support/harness';

describe('the HTTP contract', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when health and ready are called without credentials, then they answer 200', async () => {
    h = await startHarness();
    const health = await request(h.ctx.app).get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', version: expect.any(String), next_scheduled_scan: null, scan_interval_seconds: null });
    const ready = await request(h.ctx.app).get('/api/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready' });
  });

  test('when the database is gone, then ready answers 503 and health still 200', async () => {
    h = await startHarness();
    h.ctx.store.handle.sqlite.close();
    const ready = await request(h.ctx.app).get('/api/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready' });
    expect((await request(h.ctx.app).get('/api/health')).status).toBe(200);
  });

  test('when any documented route but health and ready is called without or with wrong credentials, then it answers 401', async () => {
    h = await startHarness();
    const doc = await h.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method, path: path.replace(/\{[^}]+\}/g, '1') })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(8);
    const open = new Set(['/api/health', '/api/ready']);
    for (const { method, path } of operations) {
      const call = (request(h.ctx.app) as unknown as Record<string, (p: string) => request.Test>)[method](path);
      const anon = await call;
      if (open.has(path)) {
        expect(anon.status).toBe(200);
        continue;
      }
      expect({ method, path, status: anon.status }).toEqual({ method, path, status: 401 });
      expect(anon.body.error.code).toBe('unauthorized');
      expect(anon.headers['www-authenticate']).toMatch(/^Basic/);
      const wrong = await (request(h.ctx.app) as unknown as Record<string, (p: string) => request.Test>)[method](path).auth(TEST_USER, 'wrong');
      expect({ method, path, status: wrong.status }).toEqual({ method, path, status: 401 });
    }
    // The docs themselves are protected as well.
    expect((await request(h.ctx.app).get('/api/docs/')).status).toBe(401);
    expect((await request(h.ctx.app).get('/api/openapi.json')).status).toBe(401);
  });

  test('when the OpenAPI document is fetched, then it is generated from the routes and lists every endpoint', async () => {
    h = await startHarness();
    const doc = (await h.get('/api/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/health', '/api/ready', '/api/checks', '/api/scans', '/api/scans/{id}', '/api/scans/{id}/findings', '/api/findings', '/api/v1/iam/old-access-keys/list-users']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const hours = doc.paths['/api/v1/iam/old-access-keys/list-users'].get.parameters.find((p: { name: string }) => p.name === 'hours');
    expect(hours).toMatchObject({ in: 'query', required: true });
  });

  test('when Swagger UI is opened, then it is served from the package, not a CDN', async () => {
    h = await startHarness();
    const page = await h.get('/api/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    const bundle = await h.get('/api/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
  });

  test('when input is invalid, then the answer is 400 naming the field, never a 500 or a stack trace', async () => {
    h = await startHarness();
    const cases: [request.Test, string][] = [
      [h.post('/api/scans').send({ source: 'carrier-pigeon' }), 'source'],
      [h.post('/api/scans').send({ source: 'api', extra: 1 }), 'body'],
      [h.post('/api/scans').send({ source: 'api', target: 'other' }), 'target'],
      [h.post('/api/scans?wait=maybe').send({ source: 'api' }), 'wait'],
      [h.get('/api/scans?limit=0'), 'limit'],
      [h.get('/api/scans?limit=abc'), 'limit'],
      [h.get('/api/scans?status=done'), 'status'],
      [h.get('/api/scans/abc'), 'id'],
      [h.get('/api/findings?severity=urgent'), 'severity'],
      [h.get('/api/findings?offset=-1'), 'offset'],
    ];
    for (const [req, field] of cases) {
      const res = await req;
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
    const badId = await h.get('/api/scans/abc');
    expect(badId.body.error.details).toEqual([{ field: 'id', message: 'must be a positive whole number' }]);
    const malformed = await h.post('/api/scans').set('Content-Type', 'application/json').send('{"source":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].field).toBe('body');
    expect((await h.get('/api/scans')).body.total).toBe(0); // nothing was started by bad input
  });

  test('when a number in a query string or path is not plain decimal digits, then the answer is 400 naming the field', async () => {
    h = await startHarness();
    const run = await scanViaApi(h);
    const queries: [string, string][] = [];
    for (const value of ['0x10', '0b11', '0o7', '1e2', '', '%2010', '10%20', '%2B5', '+5', '010', '00', '1.0', '1_000', 'Infinity', '-0']) {
      queries.push([`/api/scans?limit=${value}`, 'limit'], [`/api/findings?offset=${value}`, 'offset'], [`/api/trends?limit=${value}`, 'limit']);
    }
    queries.push(['/api/scans?offset=', 'offset'], ['/api/findings?limit=5&limit=6', 'limit']);
    for (const id of ['0x1', '1e0', '01', '%2B1', '1.0', '0', '-1', '9007199254740993']) {
      queries.push([`/api/scans/${id}`, 'id'], [`/api/findings/${id}`, 'id'], [`/api/suppressions/${id}`, 'id'], [`/api/scans/${run.id}/diff?base=${id}`, 'base']);
    }
    for (const [url, field] of queries) {
      const res = await h.get(url);
      expect({ url, status: res.status, fields: res.body.error?.details?.map((d: { field: string }) => d.field) }).toEqual({ url, status: 400, fields: [field] });
    }
    expect((await h.get('/api/scans/0x1')).body.error.details).toEqual([{ field: 'id', message: 'must be a positive whole number' }]);
    expect((await h.get('/api/scans?limit=0x10')).body.error.details).toEqual([{ field: 'limit', message: 'must be a whole number in plain decimal digits, e.g. 10' }]);
    expect((await h.get('/api/findings?offset=-1')).body.error.details).toEqual([{ field: 'offset', message: 'must be at least 0' }]);
    // plain decimal numbers still work
    expect((await h.get('/api/scans?limit=10&offset=0')).body).toMatchObject({ limit: 10, offset: 0, total: 1 });
    expect((await h.get(`/api/scans/${run.id}`)).status).toBe(200);
    expect((await h.get(`/api/scans/${run.id}/diff?base=${run.id}`)).status).toBe(200);
  });

  test('when an id is unknown, then the answer is 404 in the error shape', async () => {
    h = await startHarness();
    for (const path of ['/api/scans/999', '/api/scans/999/findings', '/api/nothing-here']) {
      const res = await h.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body.error.code).toBe('not_found');
    }
  });

  test('when the catalog is listed, then every check shows its effective settings and the sources that can evaluate it', async () => {
    h = await startHarness({ env: { KEYWATCH_CHECK_ACCESS_KEY_UNUSED_MAX_UNUSED_DAYS: '30' } });
    const res = await h.get('/api/checks');
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.items.map((c: { id: string }) => [c.id, c]));
    expect(Object.keys(byId)).toHaveLength(18);
    expect(byId.access_key_unused).toMatchObject({ enabled: true, settings: { max_unused_days: 30 }, sources: ['api', 'credential_report'] });
    expect(byId.access_key_not_rotated.settings).toMatchObject({ max_age_days: 90, high_after_days: 365 });
    expect(byId.root_recently_used.sources).toEqual(['credential_report']);
    expect(byId.ssh_key_not_rotated).toMatchObject({ resource_type: 'ssh_key', sources: ['api'] });
    expect(byId.signing_certificate_active.sources).toEqual(['api', 'credential_report']);
    expect(byId.canary_key_used.enabled).toBe(false);
  });
});

describe('the v1 compatibility endpoint', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when list-users is called with hours, then it scans live and answers the original shape with active keys older than N hours', async () => {
    h = await startHarness({ account: accountWithKeyAges([0, 2, 100]) });
    // make one of the old keys inactive: it must not be listed
    const inactive = h.sim.account.users[2].accessKeys[0];
    const res = await h.get('/api/v1/iam/old-access-keys/list-users?hours=24');
    expect(res.status).toBe(200);
    // AWS (and the simulator) answer creation dates to the whole second
    const awsDate = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
    expect(Object.keys(res.body)).toEqual(['old_access_keys']);
    expect(res.body.old_access_keys).toEqual([
      { user_name: 'user-100d-2', access_key_id: inactive.accessKeyId, created_date: awsDate(inactive.createDate) },
      { user_name: 'user-2d-1', access_key_id: h.sim.account.users[1].accessKeys[0].accessKeyId, created_date: awsDate(h.sim.account.users[1].accessKeys[0].createDate) },
    ]);
    inactive.status = 'Inactive';
    const again = await h.get('/api/v1/iam/old-access-keys/list-users?hours=24');
    expect(again.body.old_access_keys.map((k: { user_name: string }) => k.user_name)).toEqual(['user-2d-1']);
    // every call is a stored run with trigger v1
    const runs = await h.get('/api/scans');
    expect(runs.body.items.map((r: { trigger: string; status: string }) => [r.trigger, r.status])).toEqual([
      ['v1', 'succeeded'],
      ['v1', 'succeeded'],
    ]);
  });

  test('when hours is missing or not a positive integer, then the answer is 400 naming hours', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]) });
    for (const q of ['', '?hours=', '?hours=0', '?hours=-5', '?hours=1.5', '?hours=abc', '?hours=1e3', '?hours=24&hours=48']) {
      const res = await h.get(`/api/v1/iam/old-access-keys/list-users${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['hours']);
    }
    expect((await h.get('/api/scans')).body.total).toBe(0);
  });

  test('when the live scan fails, then v1 answers 502 with the reason', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]) });
    h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const res = await h.get('/api/v1/iam/old-access-keys/list-users?hours=1');
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain('iam:ListUsers');
  });

  test('when a scan is already running, then v1 waits for it and runs its own', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]), sim: { latencyMs: 15 } });
    const first = await h.post('/api/scans').send({ source: 'api' });
    expect(first.status).toBe(202);
    const res = await h.get('/api/v1/iam/old-access-keys/list-users?hours=1');
    expect(res.status).toBe(200);
    expect(res.body.old_access_keys).toHaveLength(1);
    await scanViaApi(h);
  });
});
