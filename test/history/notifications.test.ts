import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkText } from '../../src/checks/catalog';
import { WebhookPayloadSchema } from '../../src/presenters/schemas';
import { getUser } from '../../src/simulator';
import { startHarness, type Harness } from '../support/harness';
import { accountWith, keyOf, scan } from './helpers';

const NOW = new Date('2025-07-01T06:00:00.000Z');

interface Receiver {
  url: string;
  requests: { headers: http.IncomingHttpHeaders; body: unknown }[];
  /** Status to answer for the n-th request (0-based); default 200. */
  respond: (n: number) => number;
  close(): Promise<void>;
}

/** A webhook receiver; with `hold`, it answers no request before that promise settles. */
async function startReceiver(respond: (n: number) => number = () => 200, hold: Promise<void> = Promise.resolve()): Promise<Receiver> {
  const receiver: Receiver = { url: '', requests: [], respond, close: async () => undefined };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const n = receiver.requests.length;
      receiver.requests.push({ headers: req.headers, body: JSON.parse(data) });
      void hold.then(() => {
        res.statusCode = receiver.respond(n);
        res.end('ok');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/SECRET`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

const account = () =>
  accountWith(
    [
      { user: 'alice', ageDays: 100 },
      { user: 'bob', ageDays: 200 },
      { user: 'carol', ageDays: 20 },
    ],
    NOW,
  );

const webhookEnv = (url: string, extra: Record<string, string> = {}) => ({
  KEYWATCH_WEBHOOK_URL: url,
  KEYWATCH_WEBHOOK_MAX_ATTEMPTS: '3',
  KEYWATCH_WEBHOOK_BACKOFF_BASE_MS: '5',
  KEYWATCH_WEBHOOK_TIMEOUT_MS: '2000',
  ...extra,
});

describe('webhook notifications after a run', () => {
  let h: Harness | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = undefined;
    receiver = undefined;
  });

  const runWith = async (h: Harness) => {
    const run = await scan(h);
    await h.ctx.postRun.idle();
    return (await h.get(`/api/scans/${run.id}`)).body;
  };

  test('when a run has new and resolved findings, then a JSON summary with the lists is posted once and the delivery is recorded on the run', async () => {
    receiver = await startReceiver();
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    const first = await runWith(h);
    expect(first.stats.notification).toMatchObject({ status: 'delivered', attempts: 1, http_status: 200, host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(JSON.stringify(first.stats.notification)).not.toContain('SECRET');
    expect(receiver.requests).toHaveLength(1); // the first run: everything is new

    const bobKey = keyOf(h, 'bob');
    getUser(h.sim.account, 'bob').accessKeys[0]!.status = 'Inactive';
    const second = await runWith(h);
    expect(second.stats.notification).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(receiver.requests).toHaveLength(2);
    const { headers, body } = receiver.requests[1]! as { headers: http.IncomingHttpHeaders; body: Record<string, any> };
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toMatch(/^keywatch\//);
    expect(body).toMatchObject({
      event: 'keywatch.run.findings_changed',
      target: 'default',
      account_id: '444455556666',
      run: { id: second.id, source: 'api', trigger: 'api' },
      base_run_id: first.id,
      counts: { new: 1, resolved: 1, changed: 0 },
      truncated: false,
    });
    expect(body.new).toEqual([expect.objectContaining({ check_id: 'access_key_inactive_lingering', user_name: 'bob', resource_id: bobKey, severity: 'low' })]);
    expect(body.resolved).toEqual([expect.objectContaining({ check_id: 'access_key_not_rotated', user_name: 'bob', resource_id: bobKey, severity: 'medium' })]);

    // nothing new or resolved: nothing posted, and the run says why
    const third = await runWith(h);
    expect(receiver.requests).toHaveLength(2);
    expect(third.stats.notification).toMatchObject({ status: 'skipped' });
  });

  test('when a run is notified as JSON, then its items are exactly the API diff items of that run, in the documented shape', async () => {
    receiver = await startReceiver();
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    await runWith(h);
    getUser(h.sim.account, 'bob').accessKeys[0]!.status = 'Inactive'; // one new, one resolved
    getUser(h.sim.account, 'alice').accessKeys[0]!.createDate = new Date(NOW.getTime() - 400 * 86_400_000); // one changed (past 365 days)
    const second = await runWith(h);
    expect(receiver.requests).toHaveLength(2);
    const body = receiver.requests[1]!.body as Record<string, unknown>;
    const diff = (await h.get(`/api/scans/${second.id}/diff`)).body;
    expect(diff.counts).toMatchObject({ new: 1, resolved: 1, changed: 1 });
    expect({ new: body.new, resolved: body.resolved, changed: body.changed }).toEqual({ new: diff.new, resolved: diff.resolved, changed: diff.changed });
    // the whole payload is the documented WebhookPayload, with nothing undocumented
    expect(WebhookPayloadSchema.strict().parse(body)).toEqual(body);
    expect((body.new as { title: string }[])[0]!.title).toBe(checkText('access_key_inactive_lingering').title);
  });

  test('when the receiver fails twice and then accepts, then the delivery is retried with backoff and recorded as delivered after 3 attempts', async () => {
    receiver = await startReceiver((n) => (n < 2 ? 503 : 200));
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    const run = await runWith(h);
    expect(run.status).toBe('succeeded');
    expect(run.stats.notification).toMatchObject({ status: 'delivered', attempts: 3, http_status: 200 });
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests[2]!.body).toEqual(receiver.requests[0]!.body);
  });

  test('when the receiver keeps failing, then the delivery gives up after the configured attempts, the failure is on the run and the scan still succeeded', async () => {
    receiver = await startReceiver(() => 500);
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    const run = await runWith(h);
    expect(run.status).toBe('succeeded');
    expect(run.stats.notification).toMatchObject({ status: 'failed', attempts: 3, http_status: 500, error: 'HTTP 500' });
    expect(receiver.requests).toHaveLength(3);
  });

  test('when the receiver answers 404, then the delivery is not retried', async () => {
    receiver = await startReceiver(() => 404);
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    const run = await runWith(h);
    expect(run.stats.notification).toMatchObject({ status: 'failed', attempts: 1, http_status: 404 });
  });

  test('when nothing listens at the URL, then the connection errors are retried and recorded, and the next scan is not blocked', async () => {
    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(url) });
    const run = await runWith(h);
    expect(run.stats.notification).toMatchObject({ status: 'failed', attempts: 3, error: expect.stringMatching(/ECONNREFUSED|fetch failed/) });
    expect((await scan(h)).status).toBe('succeeded');
  });

  test('when KEYWATCH_WEBHOOK_FORMAT=slack, then the message has Slack text and blocks listing the findings', async () => {
    receiver = await startReceiver();
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url, { KEYWATCH_WEBHOOK_FORMAT: 'slack' }) });
    await runWith(h);
    const body = receiver.requests[0]!.body as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(body.text).toMatch(/^keywatch: 3 new and 0 resolved IAM findings in target default \(account 444455556666\), run 1$/);
    expect(body.blocks[0]).toMatchObject({ type: 'header' });
    const newSection = body.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('*New*'));
    expect(newSection?.text?.text).toContain('alice');
    expect(newSection?.text?.text).toContain('bob');
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    // every finding shows its resource id, whatever the resource: keys, and the account (no user) too
    const lines = newSection!.text!.text.split('\n').slice(1);
    const items = (await h.get('/api/scans/1/diff')).body.new as { resource_type: string; resource_id: string; title: string }[];
    expect(new Set(items.map((i) => i.resource_type)).size).toBeGreaterThan(1);
    expect(lines).toHaveLength(items.length);
    items.forEach((item, n) => {
      expect(lines[n]).toContain(`\`${item.resource_id}\``);
      expect(lines[n]).toContain(item.title);
    });
  });

  test('when some changes of a run are suppressed, then the notification leaves them out, and when all are, nothing is posted', async () => {
    receiver = await startReceiver();
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    await runWith(h);
    await h.post('/api/suppressions').send({ check_id: 'access_key_inactive_lingering', user_pattern: 'b?b', reason: 'kept for the audit' });
    getUser(h.sim.account, 'bob').accessKeys[0]!.status = 'Inactive'; // resolves not_rotated (notified), opens lingering (suppressed)
    await runWith(h);
    expect(receiver.requests).toHaveLength(2);
    const body = receiver.requests[1]!.body as { new: unknown[]; resolved: { user_name: string }[] };
    expect(body.new).toEqual([]);
    expect(body.resolved.map((f) => f.user_name)).toEqual(['bob']);

    await h.post('/api/suppressions').send({ check_id: 'access_key_not_rotated', user_pattern: 'alice', reason: 'break-glass' });
    getUser(h.sim.account, 'alice').accessKeys[0]!.status = 'Inactive'; // both changes of alice are suppressed
    await h.post('/api/suppressions').send({ check_id: 'access_key_inactive_lingering', user_pattern: 'alice', reason: 'break-glass' });
    const third = await runWith(h);
    expect(receiver.requests).toHaveLength(2);
    expect(third.stats).toMatchObject({ new: 1, resolved: 1, unsuppressed: { new: 0, resolved: 0 }, notification: { status: 'skipped' } });
  });

  test('when the receiver does not answer yet, then the scan does not wait for it and the next scan can start at once', async () => {
    let answer!: () => void;
    receiver = await startReceiver(() => 200, new Promise<void>((resolve) => (answer = resolve)));
    h = await startHarness({ account: account(), clock: () => NOW, env: webhookEnv(receiver.url) });
    const first = await scan(h);
    const second = await scan(h);
    // Both scans finished while the receiver still holds the first delivery unanswered.
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect((await h.get(`/api/scans/${first.id}`)).body.stats.notification).toBeUndefined(); // still in flight
    answer();
    await h.ctx.postRun.idle();
    expect((await h.get(`/api/scans/${first.id}`)).body.stats.notification).toMatchObject({ status: 'delivered' });
  });
});
