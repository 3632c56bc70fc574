/**
 * An end-to-end harness: the real app (buildAppContext), a real SQLite file in a temp folder with
 * the real migrations, and the real AWS SDK talking to the built-in IAM simulator over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { buildAppContext, type AppContext, type BuildOptions } from '../../src/app-context';
import { loadConfig } from '../../src/config';
import { emptyAccount, startSimulator, type SimAccount, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator';

export const TEST_USER = 'keywatch';
export const TEST_PASSWORD = 'test-password-123';
export const SIM_CREDENTIALS = { accessKeyId: 'AKIDSIMTEST', secretAccessKey: 'sim-secret' };

export interface Harness {
  ctx: AppContext;
  sim: SimulatorHandle;
  dbPath: string;
  /** supertest against the real app, with valid basic auth. */
  get(url: string): request.Test;
  post(url: string): request.Test;
  /** No credentials. */
  anon: request.Agent;
  /** Simulates a process restart: closes the context and builds a new one on the same database. */
  restart(envOverrides?: Record<string, string>): Promise<void>;
  /**
   * Simulates a kill -9 and a restart: the old process stops at once (its database connection closes,
   * so it writes nothing more: no heartbeat, no end of its run), then a new one opens the same database.
   */
  crashAndRestart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  account?: SimAccount;
  sim?: Omit<SimulatorOptions, 'account'>;
  env?: Record<string, string>;
  clock?: () => Date;
  /** Scan sources in place of the AWS collectors (BuildOptions.collectors): for data the collectors do not gather yet. */
  collectors?: BuildOptions['collectors'];
  /** Start the scheduler (BuildOptions.schedule) with KEYWATCH_SCAN_SCHEDULE from `env`. */
  schedule?: boolean;
}

export function makeTempDir(prefix = 'keywatch-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testEnv(dbPath: string, simUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    KEYWATCH_API_PASSWORD: TEST_PASSWORD,
    KEYWATCH_DB_PATH: dbPath,
    KEYWATCH_IAM_ENDPOINT: simUrl,
    KEYWATCH_IAM_RATE: '2000',
    KEYWATCH_IAM_CONCURRENCY: '16',
    KEYWATCH_IAM_BACKOFF_BASE_MS: '2',
    KEYWATCH_IAM_BACKOFF_MAX_MS: '50',
    KEYWATCH_SCAN_SCHEDULE: '',
    KEYWATCH_LOG_LEVEL: 'silent',
    // Contract tests make many wrong-credential calls from one client; the auth rate limit has its own tests (test/ops).
    KEYWATCH_AUTH_MAX_FAILURES: '100000',
    ...overrides,
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ account: options.account ?? emptyAccount(), port: 0, ...options.sim });
  const dir = makeTempDir();
  const dbPath = path.join(dir, 'keywatch.db');
  const build = (env: Record<string, string>) =>
    buildAppContext(loadConfig(testEnv(dbPath, sim.url, env)), {
      logger: pino({ level: 'silent' }),
      awsCredentials: SIM_CREDENTIALS,
      clock: options.clock,
      collectors: options.collectors,
      schedule: options.schedule,
    });
  let ctx = build(options.env ?? {});
  const h: Harness = {
    get ctx() {
      return ctx;
    },
    sim,
    dbPath,
    get: (url) => request(ctx.app).get(url).auth(TEST_USER, TEST_PASSWORD),
    post: (url) => request(ctx.app).post(url).auth(TEST_USER, TEST_PASSWORD),
    get anon() {
      return request.agent(ctx.app);
    },
    restart: async (envOverrides) => {
      await ctx.close();
      ctx = build({ ...(options.env ?? {}), ...(envOverrides ?? {}) });
    },
    crashAndRestart: async () => {
      const old = ctx;
      old.store.close();
      // Stops its work; with the database closed, nothing of it is written (not even `interrupted`).
      await old.close().catch(() => undefined);
      ctx = build(options.env ?? {});
    },
    close: async () => {
      await ctx.close();
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Runs a scan through the API with ?wait=true and returns the finished run's JSON. */
export async function scanViaApi(h: Harness, source = 'api'): Promise<{ id: number; status: string; [k: string]: unknown }> {
  const res = await h.post('/api/scans?wait=true').send({ source });
  if (res.status !== 200) throw new Error(`scan answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
