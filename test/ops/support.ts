/**
 * Helpers for the operations tests: the real app (buildAppContext) on a temp SQLite file, the
 * real AWS SDK against the built-in simulator, and the app's log lines captured in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildAppContext, type AppContext, type BuildOptions } from '../../src/app-context';
import { loadConfig } from '../../src/config';
import { createLogger, memoryDestination } from '../../src/logger';
import { emptyAccount, startSimulator, type SimAccount, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator';
import { makeTempDir, SIM_CREDENTIALS, TEST_PASSWORD, TEST_USER, testEnv } from '../support/harness';

export { SIM_CREDENTIALS, TEST_PASSWORD, TEST_USER };

export interface OpsApp {
  ctx: AppContext;
  sim: SimulatorHandle;
  dir: string;
  dbPath: string;
  logs: ReturnType<typeof memoryDestination>;
  /** Authenticated requests (basic auth). */
  get(url: string): request.Test;
  post(url: string): request.Test;
  anon(): ReturnType<typeof request>;
  /** Starts a scan over the API, waits for it, returns the run JSON. */
  scan(source?: string): Promise<{ id: number; status: string; [k: string]: unknown }>;
  close(): Promise<void>;
}

export interface OpsAppOptions {
  account?: SimAccount;
  sim?: Omit<SimulatorOptions, 'account'>;
  env?: Record<string, string>;
  logLevel?: string;
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  build?: Partial<Pick<BuildOptions, 'onRunFinished' | 'runFinishedListeners' | 'clock'>>;
  /** Reuse this database file (and its folder) instead of a fresh one. */
  dbPath?: string;
}

export async function startOpsApp(options: OpsAppOptions = {}): Promise<OpsApp> {
  const sim = await startSimulator({ account: options.account ?? emptyAccount('111122223333'), port: 0, ...options.sim });
  const dir = options.dbPath ? path.dirname(options.dbPath) : makeTempDir('keywatch-ops-');
  const dbPath = options.dbPath ?? path.join(dir, 'keywatch.db');
  const logs = memoryDestination();
  let ctx: AppContext;
  try {
    const config = loadConfig(testEnv(dbPath, sim.url, { KEYWATCH_LOG_LEVEL: options.logLevel ?? 'silent', ...options.env }));
    ctx = buildAppContext(config, {
      logger: createLogger(config.logLevel, logs),
      awsCredentials: options.awsCredentials ?? SIM_CREDENTIALS,
      ...options.build,
    });
  } catch (error) {
    await sim.stop();
    if (!options.dbPath) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  const app: OpsApp = {
    ctx,
    sim,
    dir,
    dbPath,
    logs,
    get: (url) => request(ctx.app).get(url).auth(TEST_USER, TEST_PASSWORD),
    post: (url) => request(ctx.app).post(url).auth(TEST_USER, TEST_PASSWORD),
    anon: () => request(ctx.app),
    scan: async (source = 'api') => {
      const res = await request(ctx.app).post('/api/scans?wait=true').auth(TEST_USER, TEST_PASSWORD).send({ source });
      if (res.status !== 200) throw new Error(`scan answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await ctx.close();
      await sim.stop();
      if (!options.dbPath) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return app;
}

/** One sample of a Prometheus text exposition: the value of `name` whose labels include `labels`. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

/** Waits until `predicate` holds, polling; fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
