import { AuthFailureLimiter } from '../../src/http/middleware/auth-failure-limiter';
import { startOpsApp, TEST_PASSWORD, TEST_USER, type OpsApp } from './support';

describe('HTTP safety', () => {
  let app: OpsApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('when any response is sent, then helmet security headers are set and X-Powered-By is not', async () => {
    app = await startOpsApp();
    for (const res of [await app.anon().get('/api/health'), await app.get('/api/scans'), await app.anon().get('/api/scans'), await app.get('/nope')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-dns-prefetch-control']).toBe('off');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('when a JSON body is larger than 100 kB, then the answer is 413 with the error shape', async () => {
    app = await startOpsApp();
    const big = JSON.stringify({ source: 'api', padding: 'x'.repeat(110 * 1024) });
    const res = await app.post('/api/scans').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    // nothing was started
    expect((await app.get('/api/scans')).body.total).toBe(0);
  });

  test('when a JSON body is just under the limit, then it is parsed (and validated) normally', async () => {
    app = await startOpsApp();
    const body = JSON.stringify({ source: 'api', padding: 'x'.repeat(90 * 1024) });
    const res = await app.post('/api/scans').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  test('when one client fails basic auth 10 times, then it gets 429 with Retry-After — even with the right password', async () => {
    app = await startOpsApp({ env: { KEYWATCH_AUTH_MAX_FAILURES: '10', KEYWATCH_AUTH_FAILURE_WINDOW_S: '300' } });
    for (let i = 0; i < 10; i++) {
      const res = await app.anon().get('/api/scans').auth(TEST_USER, `guess-${i}`);
      expect(res.status).toBe(401);
    }
    const blocked = await app.anon().get('/api/scans').auth(TEST_USER, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ error: { code: 'too_many_requests', message: expect.stringMatching(/too many failed authentication attempts/i) } });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(290);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // /metrics shares the limit; health and ready stay open for probes
    expect((await app.anon().get('/metrics').auth(TEST_USER, TEST_PASSWORD)).status).toBe(429);
    expect((await app.anon().get('/api/health')).status).toBe(200);
    expect((await app.anon().get('/api/ready')).status).toBe(200);
  });

  test('when requests succeed or carry no credentials, then they do not count as failures', async () => {
    app = await startOpsApp({ env: { KEYWATCH_AUTH_MAX_FAILURES: '3' } });
    for (let i = 0; i < 5; i++) {
      expect((await app.get('/api/scans')).status).toBe(200);
      expect((await app.anon().get('/api/scans')).status).toBe(401); // a browser's first, credential-less request
    }
    expect((await app.anon().get('/api/scans').auth(TEST_USER, 'wrong-1')).status).toBe(401);
    expect((await app.anon().get('/api/scans').auth(TEST_USER, 'wrong-2')).status).toBe(401);
    expect((await app.get('/api/scans')).status).toBe(200);
    expect((await app.anon().get('/api/scans').auth(TEST_USER, 'wrong-3')).status).toBe(401);
    expect((await app.get('/api/scans')).status).toBe(429);
  });

  test('when KEYWATCH_TRUST_PROXY names the reverse proxy, then clients behind it are limited separately by their forwarded address', async () => {
    // supertest connects from 127.0.0.1: that peer plays the proxy
    app = await startOpsApp({ env: { KEYWATCH_AUTH_MAX_FAILURES: '2', KEYWATCH_TRUST_PROXY: 'loopback' } });
    const from = (forwarded: string) => app!.anon().get('/api/scans').set('X-Forwarded-For', forwarded);
    for (let i = 0; i < 2; i++) expect((await from('203.0.113.7').auth(TEST_USER, `guess-${i}`)).status).toBe(401);
    expect((await from('203.0.113.7').auth(TEST_USER, TEST_PASSWORD)).status).toBe(429); // the attacker
    expect((await from('198.51.100.20').auth(TEST_USER, TEST_PASSWORD)).status).toBe(200); // another user behind the same proxy
    // the proxy appends the real client to whatever the client sent: a made-up address in front changes nothing
    expect((await from('10.9.9.9, 203.0.113.7').auth(TEST_USER, TEST_PASSWORD)).status).toBe(429);
    expect((await from('198.51.100.20').auth(TEST_USER, TEST_PASSWORD)).status).toBe(200);
  });

  test('when KEYWATCH_TRUST_PROXY is a hop count, then the address that many hops in is the client', async () => {
    app = await startOpsApp({ env: { KEYWATCH_AUTH_MAX_FAILURES: '1', KEYWATCH_TRUST_PROXY: '1' } });
    expect((await app.anon().get('/api/scans').set('X-Forwarded-For', '203.0.113.7').auth(TEST_USER, 'wrong')).status).toBe(401);
    expect((await app.anon().get('/api/scans').set('X-Forwarded-For', '203.0.113.7').auth(TEST_USER, TEST_PASSWORD)).status).toBe(429);
    expect((await app.anon().get('/api/scans').set('X-Forwarded-For', '198.51.100.20').auth(TEST_USER, TEST_PASSWORD)).status).toBe(200);
  });

  test('when KEYWATCH_TRUST_PROXY is not set, then X-Forwarded-For is ignored: a spoofed header cannot dodge the limiter', async () => {
    app = await startOpsApp({ env: { KEYWATCH_AUTH_MAX_FAILURES: '2' } });
    expect((await app.anon().get('/api/scans').set('X-Forwarded-For', '203.0.113.1').auth(TEST_USER, 'guess-1')).status).toBe(401);
    expect((await app.anon().get('/api/scans').set('X-Forwarded-For', '203.0.113.2').auth(TEST_USER, 'guess-2')).status).toBe(401);
    for (const spoofed of ['203.0.113.3', '198.51.100.20', '10.0.0.1, 198.51.100.21']) {
      const res = await app.anon().get('/api/scans').set('X-Forwarded-For', spoofed).auth(TEST_USER, `guess-${spoofed}`);
      expect({ spoofed, status: res.status }).toEqual({ spoofed, status: 429 });
    }
  });

  test('when wrong metrics bearer tokens are presented, then they count towards the same limit', async () => {
    app = await startOpsApp({ env: { KEYWATCH_AUTH_MAX_FAILURES: '2', KEYWATCH_METRICS_TOKEN: 'the-right-token-0123456789' } });
    expect((await app.anon().get('/metrics').set('Authorization', 'Bearer wrong-token-000000000000')).status).toBe(401);
    expect((await app.anon().get('/api/scans').auth(TEST_USER, 'wrong')).status).toBe(401);
    expect((await app.anon().get('/metrics').set('Authorization', 'Bearer the-right-token-0123456789')).status).toBe(429);
  });

  test('when a client is blocked, then other clients are not (limits are per client IP)', () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowMs: 60_000, now: () => now });
    limiter.recordFailure('10.0.0.1');
    limiter.recordFailure('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(60_000);
    expect(limiter.blockedForMs('10.0.0.2')).toBe(0);
    now += 1_000;
    expect(limiter.blockedForMs('10.0.0.1')).toBe(59_000);
  });

  test('when the failure window has passed, then the client may try again with a fresh count', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 300_000, now: () => now });
    for (let i = 0; i < 3; i++) limiter.recordFailure('c');
    expect(limiter.blockedForMs('c')).toBeGreaterThan(0);
    now = 299_999;
    expect(limiter.blockedForMs('c')).toBe(1);
    now = 300_000;
    expect(limiter.blockedForMs('c')).toBe(0);
    expect(limiter.recordFailure('c')).toBe(1);
    expect(limiter.blockedForMs('c')).toBe(0);
  });

  test('when failures are spread over more than one window, then they do not add up', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 1_000, now: () => now });
    limiter.recordFailure('c');
    limiter.recordFailure('c');
    now = 1_500;
    limiter.recordFailure('c');
    limiter.recordFailure('c');
    expect(limiter.blockedForMs('c')).toBe(0);
  });

  test('when very many clients fail, then memory stays bounded', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 5, windowMs: 60_000, now: () => now, maxClients: 100 });
    for (let i = 0; i < 1_000; i++) {
      now++;
      limiter.recordFailure(`10.0.${Math.floor(i / 250)}.${i % 250}`);
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
