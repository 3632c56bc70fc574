/**
 * Request bodies are read only after authentication, and nothing a client sends — a charset, a
 * Content-Encoding, a broken compressed stream, bad JSON, a path that is not valid percent-encoding —
 * answers 500 or reaches the log as an internal error.
 */
import zlib from 'node:zlib';
import { startOpsApp, TEST_PASSWORD, TEST_USER, type OpsApp } from './support';

interface HostileBody {
  name: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** What an authenticated client gets. */
  status: number;
  code: string;
}

const JSON_TYPE = 'application/json';
const valid = JSON.stringify({ check_id: 'access_key_unused', reason: 'accepted' });

const HOSTILE: HostileBody[] = [
  { name: 'charset=bogus', headers: { 'Content-Type': `${JSON_TYPE}; charset=bogus` }, body: valid, status: 415, code: 'unsupported_media_type' },
  { name: 'charset=latin1', headers: { 'Content-Type': `${JSON_TYPE}; charset=latin1` }, body: valid, status: 415, code: 'unsupported_media_type' },
  { name: 'charset=utf-bogus', headers: { 'Content-Type': `${JSON_TYPE}; charset=utf-bogus` }, body: valid, status: 415, code: 'unsupported_media_type' },
  { name: 'unknown Content-Encoding', headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'snappy' }, body: valid, status: 415, code: 'unsupported_media_type' },
  { name: 'stacked Content-Encoding', headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip, gzip' }, body: valid, status: 415, code: 'unsupported_media_type' },
  { name: 'invalid gzip', headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' }, body: 'this is not gzip', status: 400, code: 'validation_failed' },
  { name: 'truncated gzip', headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(valid).subarray(0, 12), status: 400, code: 'validation_failed' },
  { name: 'invalid deflate', headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'deflate' }, body: 'xx', status: 400, code: 'validation_failed' },
  { name: 'invalid brotli', headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'br' }, body: 'xx', status: 400, code: 'validation_failed' },
  { name: 'not JSON', headers: { 'Content-Type': JSON_TYPE }, body: '{"check_id":', status: 400, code: 'validation_failed' },
  {
    name: 'a gzip bomb (5 MB of JSON in a few kB)',
    headers: { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' },
    body: zlib.gzipSync(JSON.stringify({ reason: 'x'.repeat(5_000_000) })),
    status: 413,
    code: 'payload_too_large',
  },
];

/** Sends the body byte for byte (superagent would JSON-serialise a Buffer under a JSON Content-Type). */
const raw = <T extends { serialize(fn: (body: unknown) => string): T }>(req: T): T => req.serialize((body) => body as string);

type LogLine = { level: number; msg?: string; err?: { stack?: string }; [k: string]: unknown };

describe('request bodies', () => {
  let app: OpsApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const logLines = (a: OpsApp) => a.logs.lines.map((l) => JSON.parse(l) as LogLine);
  /** Error-level lines (pino: error 50, fatal 60) and anything with a stack trace. */
  const internalErrors = (a: OpsApp) => logLines(a).filter((l) => l.level >= 50 || JSON.stringify(l).includes('"stack"'));

  test('when an unauthenticated client sends any hostile body, then it gets 401 before the body is read, and nothing is logged as an error', async () => {
    app = await startOpsApp({ logLevel: 'info' });
    for (const c of HOSTILE) {
      const res = await raw(app.anon().post('/api/suppressions').set(c.headers)).send(c.body);
      expect({ case: c.name, status: res.status, code: res.body.error?.code }).toEqual({ case: c.name, status: 401, code: 'unauthorized' });
      const wrong = await raw(app.anon().post('/api/scans').auth(TEST_USER, 'wrong-password').set(c.headers)).send(c.body);
      expect({ case: c.name, status: wrong.status }).toEqual({ case: c.name, status: 401 });
    }
    expect(internalErrors(app)).toEqual([]);
  });

  test('when an authenticated client sends a bad charset, encoding or body, then it gets 415, 400 or 413 with the error shape, nothing is stored, and nothing is logged as an error', async () => {
    app = await startOpsApp({ logLevel: 'info' });
    for (const c of HOSTILE) {
      const res = await raw(app.post('/api/suppressions').set(c.headers)).send(c.body);
      expect({ case: c.name, status: res.status, code: res.body.error?.code }).toEqual({ case: c.name, status: c.status, code: c.code });
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(js|ts):\d+/); // no stack trace
    }
    const charset = await app.post('/api/suppressions').set('Content-Type', `${JSON_TYPE}; charset=latin1`).send(valid);
    expect(charset.body.error.message).toMatch(/charset "latin1".*UTF-8/);
    const encoding = await app.post('/api/suppressions').set({ 'Content-Type': JSON_TYPE, 'Content-Encoding': 'snappy' }).send(valid);
    expect(encoding.body.error.message).toMatch(/Content-Encoding "snappy"/);
    const gzip = await app.post('/api/suppressions').set({ 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' }).send('this is not gzip');
    expect(gzip.body.error.details).toEqual([{ field: 'body', message: expect.stringMatching(/could not be read/) }]);

    expect((await app.get('/api/suppressions')).body.total).toBe(0);
    expect(internalErrors(app)).toEqual([]);
    // the refusals are still logged, as client errors (warn)
    const requestLines = logLines(app).filter((l) => l.req !== undefined && (l.res as { statusCode?: number } | undefined)?.statusCode === 415);
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) expect(line.level).toBe(40);
  });

  test('when an authenticated client sends a well-formed body, compressed or not, then it is parsed as before', async () => {
    app = await startOpsApp();
    const plain = await app.post('/api/suppressions').set('Content-Type', `${JSON_TYPE}; charset=utf-8`).send(valid);
    expect(plain.status).toBe(201);
    const gzipped = await raw(app.post('/api/suppressions').set({ 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' })).send(zlib.gzipSync(JSON.stringify({ check_id: 'access_key_not_rotated', reason: 'gzip works' })));
    expect(gzipped.status).toBe(201);
    expect(gzipped.body).toMatchObject({ check_id: 'access_key_not_rotated', reason: 'gzip works' });
    expect((await app.get('/api/suppressions')).body.total).toBe(2);
  });

  test('when a path is not valid percent-encoding, then an authenticated client gets 400 naming the path, an anonymous one 401, and nothing is logged as an error', async () => {
    app = await startOpsApp({ logLevel: 'info' });
    for (const url of ['/api/scans/%E0%A4%A', '/api/findings/%', '/api/suppressions/%ZZ']) {
      const res = await app.get(url);
      expect({ url, status: res.status, body: res.body }).toEqual({
        url,
        status: 400,
        body: { error: { code: 'validation_failed', message: expect.any(String), details: [{ field: 'path', message: 'is not valid percent-encoding' }] } },
      });
      expect((await app.anon().get(url)).status).toBe(401);
    }
    expect(internalErrors(app)).toEqual([]);
  });

  test('when probes call health and ready, then they need no credentials, and bodies sent to them are ignored', async () => {
    app = await startOpsApp();
    expect((await app.anon().get('/api/health')).status).toBe(200);
    expect((await app.anon().get('/api/ready')).status).toBe(200);
    const withBody = await app.anon().get('/api/health').set('Content-Type', `${JSON_TYPE}; charset=bogus`).send('{');
    expect(withBody.status).toBe(200);
    expect((await app.anon().get('/api/scans').auth(TEST_USER, TEST_PASSWORD)).status).toBe(200);
  });
});
