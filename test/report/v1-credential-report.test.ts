/**
 * POST /api/v1/iam/old-access-keys/credential-report?hours=N (hours also in a JSON body).
 */
import { addAccessKey, addUser, daysBefore, emptyAccount, mulberry32, type SimAccount } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { wholeSecondNow } from './helpers';

const PATH = '/api/v1/iam/old-access-keys/credential-report';

/** Keys of 2 h (created 2 hours ago), 3 days and 100 days (active), and 50 days (inactive). */
function account(now: Date): SimAccount {
  const a = emptyAccount('123456789012');
  const rng = mulberry32(8);
  for (const [name, hoursOld, status] of [
    ['fresh', 2, 'Active'],
    ['three-days', 72, 'Active'],
    ['old', 2400, 'Active'],
    ['parked', 1200, 'Inactive'],
  ] as const) {
    addUser(a, { userName: name, createDate: daysBefore(now, 200), rng });
    addAccessKey(a, name, { ageDays: hoursOld / 24, now, status, lastUsedDaysAgo: null, rng });
  }
  return a;
}

describe('the v1 credential-report endpoint', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const keyOf = (name: string) => {
    const user = h.sim.account.users.find((u) => u.userName === name)!;
    const key = user.accessKeys[0]!;
    return { user_name: name, access_key_id: key.accessKeyId, created_date: key.createDate.toISOString() };
  };

  test('when hours is in the query, then it runs a credential_report scan and answers the list-users shape with active keys older than N hours, oldest first', async () => {
    h = await startHarness({ account: account(wholeSecondNow()) });
    const res = await h.post(`${PATH}?hours=24`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['old_access_keys']);
    expect(res.body.old_access_keys).toEqual([keyOf('old'), keyOf('three-days')]);
    const runs = await h.get('/api/scans');
    expect(runs.body.items.map((r: { source: string; trigger: string; status: string }) => [r.source, r.trigger, r.status])).toEqual([
      ['credential_report', 'v1', 'succeeded'],
    ]);
    expect(runs.body.items[0].report_generated_at).toEqual(expect.any(String));
  });

  test('when hours is in a JSON body, as a number or a numeric string, then it is used', async () => {
    h = await startHarness({ account: account(wholeSecondNow()) });
    const asNumber = await h.post(PATH).send({ hours: 1 });
    expect(asNumber.status).toBe(200);
    expect(asNumber.body.old_access_keys.map((k: { user_name: string }) => k.user_name)).toEqual(['old', 'three-days', 'fresh']);
    const asString = await h.post(PATH).send({ hours: '100' });
    expect(asString.status).toBe(200);
    expect(asString.body.old_access_keys.map((k: { user_name: string }) => k.user_name)).toEqual(['old']);
  });

  test('when hours is both in the query and the body, then the query wins', async () => {
    h = await startHarness({ account: account(wholeSecondNow()) });
    const res = await h.post(`${PATH}?hours=1`).send({ hours: 100 });
    expect(res.status).toBe(200);
    expect(res.body.old_access_keys).toHaveLength(3);
  });

  test('when hours is missing or not a positive whole number, then the answer is 400 naming hours and no scan runs', async () => {
    h = await startHarness({ account: account(wholeSecondNow()) });
    const cases: Array<[string, unknown]> = [
      ['', undefined],
      ['', {}],
      ['?hours=', undefined],
      ['?hours=0', { hours: 5 }],
      ['?hours=-5', undefined],
      ['?hours=1.5', undefined],
      ['?hours=abc', undefined],
      ['?hours=24&hours=48', undefined],
      ['', { hours: 0 }],
      ['', { hours: -3 }],
      ['', { hours: 1.5 }],
      ['', { hours: 'abc' }],
      ['', { hours: '' }],
      ['', { hours: true }],
      ['', { hours: null }],
      ['', { hours: [24] }],
      ['', { hours: 1e21 }],
    ];
    for (const [query, body] of cases) {
      const req = h.post(`${PATH}${query}`);
      const res = body === undefined ? await req : await req.send(body as object);
      expect({ query, body, status: res.status }).toEqual({ query, body, status: 400 });
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['hours']);
    }
    expect((await h.get('/api/scans')).body.total).toBe(0);
  });

  test('when the report cannot be fetched, then the endpoint answers 502 naming the IAM action', async () => {
    h = await startHarness({ account: account(wholeSecondNow()) });
    h.sim.setFaults([{ action: 'GenerateCredentialReport', error: 'AccessDenied' }]);
    const res = await h.post(`${PATH}?hours=1`);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain('iam:GenerateCredentialReport');
  });

  test('when the OpenAPI document is read, then it lists the POST with hours in the query and the JSON body', async () => {
    h = await startHarness();
    const doc = (await h.get('/api/openapi.json')).body;
    const op = doc.paths[PATH].post;
    expect(op).toBeDefined();
    expect(op.parameters.find((p: { name: string; in: string }) => p.name === 'hours' && p.in === 'query')).toBeDefined();
    expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/HoursBody' });
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '502']));
  });
});
