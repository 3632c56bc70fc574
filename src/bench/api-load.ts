/**
 * api_load: the HTTP API under a bounded load while scans of the same target run. A 5,000-user
 * simulated account (simulator in its own process) is scanned twice from the credential report (1% of
 * the users changed in between) so that findings, a diff and trends exist; then keywatch serves on
 * the loopback interface and autocannon (10 connections, `durationS` seconds per endpoint, default 20)
 * (in a worker thread, off keywatch's event loop) loads one endpoint at a time:
 *  - GET /api/findings?limit=100 (the first page of the current findings),
 *  - GET /api/scans/{first}/diff (the first page of the first run's diff: every finding new, ~17,500),
 *  - GET /api/trends,
 * while credential-report scans of the target run back to back (1% of the users change before each),
 * in the same process as the API, as in production. One JSON line per endpoint: requests per second,
 * latency p50 / p99, errors (connection errors, timeouts, non-2xx answers), the scans that ran
 * during its window and whether they all succeeded, how long keywatch's event loop stalled
 * (event_loop_delay_*: a scan's synchronous phases — parsing, evaluating, the one recording
 * transaction — hold every request), and the same load without a scan first (idle_*). Targets:
 * p99 under 100 ms, no errors, the scans succeed.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pino from 'pino';
import { buildAppContext } from '../app-context';
import { loadConfig } from '../config';
import { startStandaloneSimulator } from '../simulator/standalone';
import { BENCH_CREDENTIALS, peakRssMb, round } from './common';

const USER = 'bench';
const PASSWORD = 'bench-password';

export interface ApiLoadOptions {
  users?: number;
  /** Seconds of load per endpoint (default 20; `npm run bench -- api_load --load-seconds=5` for a quick run). */
  durationS?: number;
  connections?: number;
}

export async function runApiLoadScenario(options: ApiLoadOptions = {}): Promise<Record<string, unknown>[]> {
  const users = options.users ?? 5000;
  const durationS = options.durationS ?? 20;
  const connections = options.connections ?? 10;
  const sim = await startStandaloneSimulator({ users, seed: 2026 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-bench-'));
  const config = loadConfig({
    KEYWATCH_API_USER: USER,
    KEYWATCH_API_PASSWORD: PASSWORD,
    KEYWATCH_DB_PATH: path.join(dir, 'bench.db'),
    KEYWATCH_IAM_ENDPOINT: sim.url,
    KEYWATCH_SCAN_SCHEDULE: '',
    KEYWATCH_LOG_LEVEL: 'silent',
    KEYWATCH_IAM_RATE: '2000',
    KEYWATCH_IAM_CONCURRENCY: '16',
  });
  const ctx = buildAppContext(config, { logger: pino({ level: 'silent' }), awsCredentials: BENCH_CREDENTIALS });
  const server = ctx.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let seed = 100;
  try {
    // History to read: two runs, 1% of the users changed between them.
    const first = await ctx.scans.runToCompletion({ source: 'credential_report', trigger: 'cli' });
    await sim.churn(Math.round(users * 0.01), seed++);
    const second = await ctx.scans.runToCompletion({ source: 'credential_report', trigger: 'cli' });
    if (first.status !== 'succeeded' || second.status !== 'succeeded') throw new Error(`the preparation scans did not succeed: ${first.status}, ${second.status}`);

    const endpoints = [
      { name: 'GET /api/findings?limit=100', path: '/api/findings?limit=100' },
      { name: 'GET /api/scans/{id}/diff (first page)', path: `/api/scans/${first.id}/diff` },
      { name: 'GET /api/trends', path: '/api/trends' },
    ];
    const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
    /** autocannon (in a worker thread, off keywatch's event loop) and how long keywatch's event loop stalled meanwhile. */
    const load = async (url: string) => {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const result = await autocannon({ url, connections, duration: durationS, headers: auth, workers: 1 });
      delay.disable();
      return { result, loopDelayP99Ms: round(delay.percentile(99) / 1e6, 1), loopDelayMaxMs: round(delay.max / 1e6, 1) };
    };
    const lines: Record<string, unknown>[] = [];
    for (const endpoint of endpoints) {
      // The same load without a scan first: what the endpoint costs by itself on this machine.
      const idle = await load(`${base}${endpoint.path}`);
      // Scans of the same target, back to back, for the whole window.
      let loading = true;
      const scans: string[] = [];
      const scanLoop = (async () => {
        while (loading) {
          await sim.churn(Math.round(users * 0.01), seed++);
          const run = await ctx.scans.runToCompletion({ source: 'credential_report', trigger: 'cli' });
          scans.push(run.status);
        }
      })();
      const { result, loopDelayP99Ms, loopDelayMaxMs } = await load(`${base}${endpoint.path}`);
      loading = false;
      await scanLoop;
      lines.push({
        scenario: 'api_load',
        endpoint: endpoint.name,
        users,
        connections,
        duration_s: durationS,
        requests: result.requests.total,
        requests_per_s: round(result.requests.average, 1),
        latency_p50_ms: result.latency.p50,
        latency_p99_ms: result.latency.p99,
        latency_max_ms: result.latency.max,
        errors: result.errors + result.non2xx,
        connection_errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        event_loop_delay_p99_ms: loopDelayP99Ms,
        event_loop_delay_max_ms: loopDelayMaxMs,
        idle_requests_per_s: round(idle.result.requests.average, 1),
        idle_latency_p50_ms: idle.result.latency.p50,
        idle_latency_p99_ms: idle.result.latency.p99,
        idle_errors: idle.result.errors + idle.result.non2xx,
        scans_during_load: scans.length,
        scans_succeeded: scans.filter((s) => s === 'succeeded').length,
        scan_succeeded: scans.length > 0 && scans.every((s) => s === 'succeeded'),
        load_average_1m: round(os.loadavg()[0]!, 2),
        cpus: os.cpus().length,
        peak_rss_mb: peakRssMb(),
      });
    }
    return lines;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await sim.stop();
  }
}
