/**
 * report_scan: a 5,000-user simulated account (about 9,500 keys) scanned from the credential report
 * through the real ScanService (temp SQLite, real SDK over HTTP, simulator in its own process without
 * a rate limit). Targets: evaluate + store under 2 s beyond the report's generation; peak RSS under 300 MB.
 *
 * The phases are read from the collector's own log lines ("credential report downloaded" / "…
 * mapped", with pino's timestamps), so nothing in the scan path exists only for the benchmark:
 *  - report_s: scan start → GetCredentialReport returned (generation + download);
 *  - evaluate_store_s: GetCredentialReport returned → run finished (parse, ListAccessKeys per user with
 *    keys, evaluate, store); key_lookup_s is the part spent on the calls after the report (ListAccessKeys
 *    per user with keys, ListSigningCertificates per user with an active certificate, and the account's
 *    password policy, root MFA type and authorization details, all at once), bounded by the limiter's
 *    rate, and evaluate_store_excluding_key_lookup_s the rest.
 *  - privilege_calls: the calls spent on GetAccountAuthorizationDetails (all pages).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildAppContext } from '../app-context';
import { LIST_USERS_PAGE_SIZE } from '../aws/collect-live';
import { loadConfig } from '../config';
import { startStandaloneSimulator } from '../simulator/standalone';
import { BENCH_CREDENTIALS, peakRssMb, round } from './common';

interface LogLine {
  time: number;
  msg?: string;
  [k: string]: unknown;
}

/**
 * Calls the `api` source would need for the same account with every default check enabled;
 * `authorizationDetailsPages` is what GetAccountAuthorizationDetails takes (the same for both sources).
 */
export function liveApiCallsEquivalent(users: number, keys: number, authorizationDetailsPages: number): number {
  const listUsersPages = Math.max(1, Math.ceil(users / LIST_USERS_PAGE_SIZE));
  // ListAccessKeys, GetLoginProfile, ListMFADevices, ListSSHPublicKeys, ListSigningCertificates, ListServiceSpecificCredentials
  const perUser = 6;
  const perKey = 1; // GetAccessKeyLastUsed
  const account = 3; // GetAccountSummary + ListVirtualMFADevices + GetAccountPasswordPolicy
  return listUsersPages + users * perUser + keys * perKey + account + authorizationDetailsPages;
}

export async function runReportScanScenario(options: { users?: number; rate?: number } = {}): Promise<Record<string, unknown>> {
  const users = options.users ?? 5000;
  const rate = options.rate ?? 2000;
  const sim = await startStandaloneSimulator({ users, seed: 2026 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-bench-'));
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  const config = loadConfig({
    KEYWATCH_API_PASSWORD: 'bench',
    KEYWATCH_DB_PATH: path.join(dir, 'bench.db'),
    KEYWATCH_IAM_ENDPOINT: sim.url,
    KEYWATCH_SCAN_SCHEDULE: '',
    KEYWATCH_IAM_RATE: String(rate),
    KEYWATCH_IAM_CONCURRENCY: '16',
  });
  const ctx = buildAppContext(config, { logger, awsCredentials: BENCH_CREDENTIALS });
  try {
    const t0 = Date.now();
    const run = await ctx.scans.runToCompletion({ source: 'credential_report', trigger: 'cli' });
    const finished = Date.now();
    const downloaded = lines.find((l) => l.msg === 'credential report downloaded');
    const mapped = lines.find((l) => l.msg === 'credential report mapped');
    const keyLookupS = typeof mapped?.key_lookup_ms === 'number' ? mapped.key_lookup_ms / 1000 : null;
    const evaluateStoreS = downloaded ? (finished - downloaded.time) / 1000 : null;
    const keys = sim.keys;
    const callsByAction = (run.stats.calls_by_action ?? {}) as Record<string, number>;
    const privilegeCalls = callsByAction.GetAccountAuthorizationDetails ?? 0;
    return {
      scenario: 'report_scan',
      users,
      keys,
      api_calls: Number(run.stats.api_calls ?? 0),
      privilege_calls: privilegeCalls,
      wall_s: round((finished - t0) / 1000),
      live_api_calls_equivalent: liveApiCallsEquivalent(users, keys, privilegeCalls),
      report_s: downloaded ? round((downloaded.time - t0) / 1000) : null,
      evaluate_store_s: evaluateStoreS === null ? null : round(evaluateStoreS),
      key_lookup_s: keyLookupS === null ? null : round(keyLookupS),
      evaluate_store_excluding_key_lookup_s:
        evaluateStoreS === null || keyLookupS === null ? null : round(evaluateStoreS - keyLookupS),
      peak_rss_mb: peakRssMb(),
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      calls_by_action: callsByAction,
      findings: run.stats.findings,
      limiter_rate: rate,
    };
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await sim.stop();
  }
}
