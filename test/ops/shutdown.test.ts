/**
 * Graceful shutdown of the real server process: `node main.js` built from the current sources
 * (server-build.ts), against the simulator running in this test process, signalled with SIGTERM /
 * SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { addAccessKey, addUser, mulberry32, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { openStore } from '../../src/store';
import { accountWithUsers } from '../support/accounts';
import { makeTempDir, TEST_PASSWORD, TEST_USER } from '../support/harness';
import { buildServer, removeBuild } from './server-build';
import { waitFor } from './support';

let buildDir: string;

/** A webhook receiver that reads each request and never answers it. */
async function startSilentReceiver(): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const held: http.ServerResponse[] = [];
  const receiver = { url: '', requests: 0, close: async () => undefined as void };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      receiver.requests++;
      held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

beforeAll(async () => {
  buildDir = await buildServer();
}, 150_000);

afterAll(() => removeBuild(buildDir));

interface Server {
  child: ChildProcess;
  port: number;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('graceful shutdown of the server process', () => {
  let sim: SimulatorHandle | undefined;
  let server: Server | undefined;
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('keywatch-shutdown-');
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
    await sim?.stop();
    sim = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const dbPath = () => path.join(dir, 'keywatch.db');

  async function startServer(env: Record<string, string>): Promise<Server> {
    const child = spawn(process.execPath, [path.join(buildDir, 'dist', 'main.js')], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        PORT: '0',
        KEYWATCH_HOST: '127.0.0.1',
        KEYWATCH_API_PASSWORD: TEST_PASSWORD,
        KEYWATCH_DB_PATH: dbPath(),
        KEYWATCH_IAM_ENDPOINT: sim!.url,
        KEYWATCH_IAM_RATE: '500',
        KEYWATCH_IAM_CONCURRENCY: '2',
        KEYWATCH_SCAN_SCHEDULE: '',
        KEYWATCH_LOG_LEVEL: 'info',
        AWS_ACCESS_KEY_ID: 'AKIDSHUTDOWNTEST',
        AWS_SECRET_ACCESS_KEY: 'shutdown-test-secret',
        AWS_REGION: 'us-east-1',
        AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
    });
    const lines: string[] = [];
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
    });
    child.stderr!.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString('utf8')}`));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const s: Server = { child, port: 0, lines, exited };
    server = s;
    await waitFor(() => logLine(s, 'keywatch listening') !== undefined || child.exitCode !== null, 20_000, 'the server to listen');
    const listening = logLine(s, 'keywatch listening');
    if (!listening) throw new Error(`the server did not start:\n${lines.join('\n')}`);
    s.port = listening.port as number;
    return s;
  }

  function logLine(s: Server, msg: string): Record<string, unknown> | undefined {
    for (const line of s.lines) {
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === msg) return parsed;
    }
    return undefined;
  }

  /** For each consecutive pair of messages: whether the first was logged before the second. */
  function logOrder(s: Server, messages: string[]): boolean[] {
    const index = (msg: string) => s.lines.findIndex((l) => l.startsWith('{') && (JSON.parse(l) as { msg?: string }).msg === msg);
    const at = messages.map(index);
    return at.slice(1).map((i, n) => at[n]! >= 0 && i > at[n]!);
  }

  async function api(s: Server, method: string, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${s.port}${url}`, {
      method,
      headers: { Authorization: `Basic ${Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ source: 'api' }) : undefined,
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function exitWithin(s: Server, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms:\n${s.lines.join('\n')}`)), ms);
    });
    try {
      return await Promise.race([s.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function readRun(id: number) {
    const store = openStore(dbPath());
    try {
      return store.runs.get(id);
    } finally {
      store.close();
    }
  }

  test('when SIGTERM arrives during a scan that finishes within the grace period, then the run succeeds, new connections are refused and the process exits 0', async () => {
    // 40 users, ~5 calls each, 60 ms per call, 2 at a time: a scan of several seconds
    sim = await startSimulator({ account: accountWithUsers(40), port: 0, latencyMs: 60 });
    const s = await startServer({ KEYWATCH_SHUTDOWN_GRACE_S: '25' });
    const started = await api(s, 'POST', '/api/scans');
    expect(started.status).toBe(202);
    const runId = started.body.id as number;
    await waitFor(() => sim!.stats.calls >= 3, 10_000, 'the scan to be under way');

    s.child.kill('SIGTERM');
    await waitFor(() => logLine(s, 'shutting down') !== undefined, 5_000, 'the shutdown to begin');
    expect(logLine(s, 'shutting down')).toMatchObject({ signal: 'SIGTERM', grace_ms: 25_000, running_run_ids: [runId] });
    // no new connections while the scan finishes
    await expect(fetch(`http://127.0.0.1:${s.port}/api/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    expect(s.child.exitCode).toBeNull();

    const exit = await exitWithin(s, 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(logLine(s, 'stopped')).toMatchObject({ exit_code: 0 });
    expect(logLine(s, 'scan succeeded')).toMatchObject({ run_id: runId });
    expect(readRun(runId)).toMatchObject({ id: runId, status: 'succeeded' });
    // SQLite was closed cleanly: the WAL was checkpointed and removed
    expect(fs.existsSync(`${dbPath()}-wal`)).toBe(false);
  }, 60_000);

  test('when SIGTERM arrives during a scan that cannot finish within the grace period, then the run is interrupted and the process exits 0 promptly', async () => {
    // every IAM answer takes 4 s; the grace period is 1 s
    sim = await startSimulator({ account: accountWithUsers(20), port: 0, latencyMs: 4_000 });
    const s = await startServer({ KEYWATCH_SHUTDOWN_GRACE_S: '1' });
    const started = await api(s, 'POST', '/api/scans');
    expect(started.status).toBe(202);
    const runId = started.body.id as number;
    await waitFor(() => sim!.stats.calls >= 1, 10_000, 'the first IAM call');

    s.child.kill('SIGTERM');
    // The requirement: out within the grace period + 2 s (the in-flight 4 s call is aborted, not waited for).
    const exit = await exitWithin(s, 1_000 + 2_000);
    expect(exit).toEqual({ code: 0, signal: null });

    // The scan had its grace period: interrupted at the deadline, not before; then the database closed.
    const deadline = Date.parse(logLine(s, 'shutting down')!.deadline as string);
    const run = readRun(runId);
    expect(run).toMatchObject({ id: runId, status: 'interrupted', errorCode: 'interrupted' });
    expect(run!.error).toMatch(/shut down before the scan finished/);
    expect(run!.finishedAt).toBeGreaterThanOrEqual(deadline);
    expect(logOrder(s, ['shutting down', 'scan interrupted by shutdown', 'stopped'])).toEqual([true, true]);
    expect(fs.existsSync(`${dbPath()}-wal`)).toBe(false);
  }, 60_000);

  test('when SIGTERM arrives while a scan runs and a webhook delivery hangs, then both share one deadline: the process exits within the grace period + 2 s, the run is interrupted, the delivery is recorded as cancelled and the database is intact', async () => {
    const receiver = await startSilentReceiver();
    try {
      // every IAM answer takes 300 ms, one at a time: one user scans in a few seconds, 30 in many more
      sim = await startSimulator({ account: accountWithUsers(1), port: 0, latencyMs: 300 });
      const graceS = 3;
      const s = await startServer({
        KEYWATCH_SHUTDOWN_GRACE_S: String(graceS),
        KEYWATCH_IAM_CONCURRENCY: '1',
        KEYWATCH_WEBHOOK_URL: receiver.url,
        KEYWATCH_WEBHOOK_TIMEOUT_MS: '10000',
      });
      // A first run: everything is new, so its notification goes out, and the receiver never answers it.
      const first = (await api(s, 'POST', '/api/scans')).body.id as number;
      await waitFor(() => receiver.requests >= 1, 20_000, 'the first run to be notified');
      // A second, long scan.
      const rng = mulberry32(5);
      for (let i = 0; i < 30; i++) {
        addUser(sim.account, { userName: `late-${i}`, createDate: new Date(Date.now() - 400 * 86_400_000), rng });
        addAccessKey(sim.account, `late-${i}`, { ageDays: 200, now: new Date(), rng });
      }
      const started = await api(s, 'POST', '/api/scans');
      expect(started.status).toBe(202);
      const second = started.body.id as number;
      const callsBefore = sim.stats.calls;
      await waitFor(() => sim!.stats.calls >= callsBefore + 2, 10_000, 'the second scan to be under way');

      s.child.kill('SIGTERM');
      // One deadline for every stage: not the grace period for the scan and then again for the webhook.
      const exit = await exitWithin(s, (graceS + 2) * 1_000);
      expect(exit).toEqual({ code: 0, signal: null });

      const deadline = Date.parse(logLine(s, 'shutting down')!.deadline as string);
      expect(logLine(s, 'shutting down')).toMatchObject({ running_run_ids: [second] });
      const run = readRun(second)!;
      expect(['interrupted', 'succeeded']).toContain(run.status);
      if (run.status === 'interrupted') expect(run.finishedAt).toBeGreaterThanOrEqual(deadline);
      // The hanging delivery was cancelled at the deadline and that is recorded on its run.
      expect(readRun(first)!.stats.notification).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/cancelled: keywatch shut down/) });
      expect(receiver.requests).toBe(1);
      // SQLite was closed cleanly and the file is intact.
      expect(fs.existsSync(`${dbPath()}-wal`)).toBe(false);
      const db = new Database(dbPath(), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    } finally {
      await receiver.close();
    }
  }, 60_000);

  test('when SIGINT arrives while idle, then the process exits 0 at once with the database closed', async () => {
    sim = await startSimulator({ account: accountWithUsers(2), port: 0 });
    const s = await startServer({});
    expect((await api(s, 'GET', '/api/ready')).status).toBe(200);
    s.child.kill('SIGINT');
    const exit = await exitWithin(s, 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(logLine(s, 'shutting down')).toMatchObject({ signal: 'SIGINT', running_run_ids: [] });
    // Nothing to wait for: stopped long before the deadline (the default grace period is 25 s).
    expect(Date.parse(logLine(s, 'stopped')!.time as string)).toBeLessThan(Date.parse(logLine(s, 'shutting down')!.deadline as string));
    expect(fs.existsSync(`${dbPath()}-wal`)).toBe(false);
  }, 30_000);

  test('when the server is killed with SIGKILL during a scan, then the next server marks that run interrupted at its last heartbeat once its lease times out, and can scan again', async () => {
    // every IAM answer takes 300 ms, one at a time: the scan would take many seconds
    sim = await startSimulator({ account: accountWithUsers(20), port: 0, latencyMs: 300 });
    const env = { KEYWATCH_SCAN_LEASE_TIMEOUT_S: '2', KEYWATCH_IAM_CONCURRENCY: '1' };
    const first = await startServer(env);
    const started = await api(first, 'POST', '/api/scans');
    expect(started.status).toBe(202);
    const runId = started.body.id as number;
    await waitFor(() => sim!.stats.calls >= 5, 10_000, 'the scan to be under way');
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const second = await startServer(env);
    await waitFor(async () => (await api(second, 'GET', `/api/scans/${runId}`)).body.status === 'interrupted', 15_000, 'the run to read interrupted');
    const run = (await api(second, 'GET', `/api/scans/${runId}`)).body;
    // Finished when it was last known alive (a heartbeat at most 500 ms before the kill), not when it was noticed.
    const finishedAt = Date.parse(run.finished_at as string);
    expect(finishedAt).toBeLessThanOrEqual(killedAt);
    expect(finishedAt).toBeGreaterThanOrEqual(Date.parse(run.started_at as string));
    expect(run.duration_ms).toBe(finishedAt - Date.parse(run.started_at as string));
    expect((run.error as { message: string }).message).toMatch(/stopped while the scan was running \(pid \d+ on /);

    sim!.setFaults([{ action: '*', error: 'AccessDenied' }]); // the next scan ends at once
    const next = await api(second, 'POST', '/api/scans');
    expect(next.status).toBe(202);
  }, 60_000);

  test('when the database cannot be opened, then the server exits 2 naming KEYWATCH_DB_PATH, the path and the SQLite code', async () => {
    sim = await startSimulator({ account: accountWithUsers(1), port: 0 });
    fs.writeFileSync(dbPath(), 'not an SQLite database\n'.repeat(300));
    await expect(startServer({})).rejects.toThrow(/did not start/);
    expect(await server!.exited).toEqual({ code: 2, signal: null });
    const stderr = server!.lines.filter((l) => l.startsWith('stderr: ')).join('');
    expect(stderr).toContain('KEYWATCH_DB_PATH');
    expect(stderr).toContain(dbPath());
    expect(stderr).toContain('SQLITE_NOTADB');
  }, 30_000);

  test('when the server logs, then its lines are JSON and never contain the API password or the AWS secret key', async () => {
    sim = await startSimulator({ account: accountWithUsers(3), port: 0 });
    const s = await startServer({});
    await api(s, 'POST', '/api/scans');
    await waitFor(() => logLine(s, 'scan succeeded') !== undefined, 10_000, 'the scan');
    s.child.kill('SIGTERM');
    await exitWithin(s, 10_000);
    const out = s.lines.filter((l) => !l.startsWith('stderr: '));
    for (const line of out) expect(() => JSON.parse(line)).not.toThrow();
    const all = s.lines.join('\n');
    expect(all).not.toContain(TEST_PASSWORD);
    expect(all).not.toContain(Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64'));
    expect(all).not.toContain('shutdown-test-secret');
  }, 30_000);
});
