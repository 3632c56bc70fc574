import { configSecrets, createLogger, memoryDestination, REDACTED } from '../../src/logger';
import { accountWithKeyAges } from '../support/accounts';
import { startOpsApp, TEST_USER, type OpsApp } from './support';

const PASSWORD = 'Sup3r-Secret-Api-Pa55word!';
const WRONG_PASSWORD = 'Wr0ng-Guess-Pa55word?';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY99';
const METRICS_TOKEN = 'metrics-token-abcdefghijklmnop';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

type LogLine = Record<string, unknown> & { msg?: string; req?: { id?: string }; run_id?: number };

describe('structured logs', () => {
  let app: OpsApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const forbidden = [PASSWORD, b64(`${TEST_USER}:${PASSWORD}`), WRONG_PASSWORD, b64(`${TEST_USER}:${WRONG_PASSWORD}`), AWS_SECRET, METRICS_TOKEN];

  test('when requests authenticate, fail to, scrape metrics and run scans, then no password, basic-auth value, secret key or token reaches the log', async () => {
    app = await startOpsApp({
      account: accountWithKeyAges([100, 400]),
      logLevel: 'trace',
      env: { KEYWATCH_API_PASSWORD: PASSWORD, KEYWATCH_METRICS_TOKEN: METRICS_TOKEN },
      awsCredentials: { accessKeyId: 'AKIDLOGTEST', secretAccessKey: AWS_SECRET },
    });
    const { ctx } = app;
    const ok = await app.anon().get('/api/scans').auth(TEST_USER, PASSWORD);
    expect(ok.status).toBe(200);
    expect((await app.anon().get('/api/scans').auth(TEST_USER, WRONG_PASSWORD)).status).toBe(401);
    expect((await app.anon().get('/api/scans').set('Authorization', `Basic ${b64(`${TEST_USER}:${WRONG_PASSWORD}`)}`)).status).toBe(401);
    expect((await app.anon().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(200);
    expect((await app.anon().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}-wrong`)).status).toBe(401);
    const scan = await app.anon().post('/api/scans?wait=true').auth(TEST_USER, PASSWORD).send({ source: 'api' });
    expect(scan.body.status).toBe('succeeded');
    app.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await app.anon().post('/api/scans?wait=true').auth(TEST_USER, PASSWORD).send({ source: 'api' });
    expect(failed.body.status).toBe('failed');
    // a body that fails validation and one that is not JSON (error paths log too)
    await app.anon().post('/api/scans').auth(TEST_USER, PASSWORD).set('Content-Type', 'application/json').send('{"source":');
    // code that logs a configuration, credentials or an environment by mistake
    ctx.logger.info({ config: ctx.config }, 'configuration');
    ctx.logger.info({ credentials: { accessKeyId: 'AKIDLOGTEST', secretAccessKey: AWS_SECRET } }, 'credentials');
    ctx.logger.info({ env: { KEYWATCH_API_PASSWORD: PASSWORD, KEYWATCH_METRICS_TOKEN: METRICS_TOKEN, AWS_SECRET_ACCESS_KEY: AWS_SECRET } }, 'env');
    ctx.logger.info({ req: { headers: { authorization: `Basic ${b64(`${TEST_USER}:${PASSWORD}`)}` } } }, 'headers');

    const text = app.logs.text();
    expect(app.logs.lines.length).toBeGreaterThan(10);
    for (const secret of forbidden) expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
  });

  test('when requests are served, then every request line is JSON with the request id, which is echoed in X-Request-Id', async () => {
    app = await startOpsApp({ logLevel: 'info' });
    const own = await app.get('/api/scans').set('X-Request-Id', 'trace-abc-123');
    expect(own.headers['x-request-id']).toBe('trace-abc-123');
    const generated = await app.get('/api/checks');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await app.get('/api/scans').set('X-Request-Id', 'no spaces or "quotes" allowed');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.anon().get('/api/scans');

    const lines = app.logs.lines.map((l) => JSON.parse(l) as LogLine);
    const requestLines = lines.filter((l) => l.req !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(4);
    for (const line of requestLines) expect(typeof line.req!.id).toBe('string');
    const ids = requestLines.map((l) => l.req!.id);
    expect(ids).toContain('trace-abc-123');
    expect(ids).toContain(generated.headers['x-request-id']);
    expect(ids).toContain(bad.headers['x-request-id']);
    for (const line of lines) expect(line).toMatchObject({ service: 'keywatch', level: expect.any(Number), time: expect.any(String) });
  });

  test('when a scan runs, then every line it logs carries its run id', async () => {
    app = await startOpsApp({ account: accountWithKeyAges([100]), logLevel: 'debug' });
    const run = await app.scan();
    app.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await app.scan();
    const lines = app.logs.lines.map((l) => JSON.parse(l) as LogLine);
    const scanLines = lines.filter((l) => /^scan /.test(l.msg ?? ''));
    expect(scanLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['scan started', 'scan succeeded', 'scan failed']));
    for (const line of scanLines) expect([run.id, failed.id]).toContain(line.run_id);
    // every line that is neither a request line nor start-up carries a run id
    for (const line of lines.filter((l) => l.req === undefined)) expect(line.run_id).toEqual(expect.any(Number));
  });

  test('when secrets are configured on the logger, then a line that contains one verbatim is scrubbed', () => {
    const logs = memoryDestination();
    const config = { auth: { user: TEST_USER, password: PASSWORD }, metricsToken: METRICS_TOKEN };
    const logger = createLogger('info', logs, { secrets: configSecrets(config, { AWS_SECRET_ACCESS_KEY: AWS_SECRET }) });
    logger.error(`connection string had ${PASSWORD} in it`);
    logger.warn({ detail: `token ${METRICS_TOKEN}`, nested: { deep: { aws: AWS_SECRET } } }, 'oops');
    logger.info({ header: `Basic ${b64(`${TEST_USER}:${PASSWORD}`)}` }, 'forwarded');
    const text = logs.text();
    for (const secret of [PASSWORD, METRICS_TOKEN, AWS_SECRET, b64(`${TEST_USER}:${PASSWORD}`)]) expect(text).not.toContain(secret);
    expect(logs.lines).toHaveLength(3);
    for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
