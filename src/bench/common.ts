/** Shared pieces of the benchmarks: a real keywatch context on a temp database, RSS in MB. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildAppContext, type AppContext } from '../app-context';
import { loadConfig } from '../config';

export const BENCH_CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

export function peakRssMb(): number {
  // maxRSS is in kilobytes.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

export function benchContext(simUrl: string, env: Record<string, string> = {}): { ctx: AppContext; dir: string; cleanup(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-bench-'));
  const config = loadConfig({
    KEYWATCH_API_PASSWORD: 'bench',
    KEYWATCH_DB_PATH: path.join(dir, 'bench.db'),
    KEYWATCH_IAM_ENDPOINT: simUrl,
    KEYWATCH_SCAN_SCHEDULE: '',
    KEYWATCH_LOG_LEVEL: 'silent',
    ...env,
  });
  const ctx = buildAppContext(config, { logger: pino({ level: 'silent' }), awsCredentials: BENCH_CREDENTIALS });
  return {
    ctx,
    dir,
    cleanup: async () => {
      await ctx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
