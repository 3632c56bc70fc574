/**
 * report_scan: a 5,000-user simulated account (about 9,500 keys) scanned from the credential report
 * through the real ScanService (temp SQLite, real SDK over HTTP, simulator in its own process without
 * a rate limit), then — after about 1% of the users changed — scanned again from a new report, warm:
 * the key and certificate ids the first scan learned (known_credentials) spare the listings of every
 * user whose report slots did not change. Targets: warm_api_calls ≤ 5 + warm_changed_users plus the
 * account-level calls the other checks need (password policy, root MFA type, the pages of the
 * authorization details); the warm scan under 2 s beyond the report's generation; peak RSS under 300 MB.
 *
 * The phases are read from the collector's own log lines ("credential report downloaded" / "…
 * mapped", with pino's timestamps and the run's id), so nothing in the scan path exists only for the
 * benchmark:
 *  - report_s: scan start → GetCredentialReport returned (generation + download);
 *  - evaluate_store_s: GetCredentialReport returned → run finished (parse, the listings, evaluate,
 *    store); key_lookup_s is the part spent on the calls after the report (ListAccessKeys for users
 *    with unknown key slots, ListSigningCertificates for users with an unknown active certificate, and
 *    the account's password policy, root MFA type and authorization details, all at once), bounded by
 *    the limiter's rate, and evaluate_store_excluding_key_lookup_s the rest;
 *  - the same for the warm scan with the warm_ prefix (warm_report_s, warm_evaluate_store_s);
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

/** The phases of one run, read from its collector's log lines (see the module comment). */
function phasesOf(lines: LogLine[], runId: number, startedMs: number, finishedMs: number) {
  const ofRun = lines.filter((l) => l.run_id === runId);
  const downloaded = ofRun.find((l) => l.msg === 'credential report downloaded');
  const mapped = ofRun.find((l) => l.msg === 'credential report mapped');
  const keyLookupS = typeof mapped?.key_lookup_ms === 'number' ? mapped.key_lookup_ms / 1000 : null;
  const evaluateStoreS = downloaded ? (finishedMs - downloaded.time) / 1000 : null;
  return {
    report_s: downloaded ? round((downloaded.time - startedMs) / 1000) : null,
    evaluate_store_s: evaluateStoreS === null ? null : round(evaluateStoreS),
    key_lookup_s: keyLookupS === null ? null : round(keyLookupS),
    evaluate_store_excluding_key_lookup_s: evaluateStoreS === null || keyLookupS === null ? null : round(evaluateStoreS - keyLookupS),
    parse_s: typeof mapped?.parse_ms === 'number' ? round(mapped.parse_ms / 1000) : null,
    evaluate_store_after_mapping_s: mapped ? round((finishedMs - mapped.time) / 1000) : null,
    list_access_keys_users: mapped?.list_access_keys_users ?? null,
    known_key_users: mapped?.known_key_users ?? null,
  };
}

export async function runReportScanScenario(options: { users?: number; rate?: number; churnShare?: number } = {}): Promise<Record<string, unknown>> {
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
    const keys = sim.keys;
    const callsByAction = (run.stats.calls_by_action ?? {}) as Record<string, number>;
    const privilegeCalls = callsByAction.GetAccountAuthorizationDetails ?? 0;

    // About 1% of the users change (rotations, deactivations, a slot-1 key deleted, users re-created,
    // added and deleted); the report is generated again and scanned warm: only the users whose key
    // slots changed need ListAccessKeys.
    const changes = await sim.churn(Math.round(users * (options.churnShare ?? 0.01)), 7);
    const w0 = Date.now();
    const warm = await ctx.scans.runToCompletion({ source: 'credential_report', trigger: 'cli' });
    const warmFinished = Date.now();
    const warmCalls = (warm.stats.calls_by_action ?? {}) as Record<string, number>;
    const first = phasesOf(lines, run.id, t0, finished);
    const second = phasesOf(lines, warm.id, w0, warmFinished);
    return {
      scenario: 'report_scan',
      users,
      keys,
      api_calls: Number(run.stats.api_calls ?? 0),
      privilege_calls: privilegeCalls,
      wall_s: round((finished - t0) / 1000),
      live_api_calls_equivalent: liveApiCallsEquivalent(users, keys, privilegeCalls),
      ...first,
      warm_api_calls: Number(warm.stats.api_calls ?? 0),
      warm_changed_users: changes.length,
      warm_wall_s: round((warmFinished - w0) / 1000),
      warm_report_s: second.report_s,
      warm_evaluate_store_s: second.evaluate_store_s,
      warm_key_lookup_s: second.key_lookup_s,
      warm_parse_s: second.parse_s,
      warm_evaluate_store_after_mapping_s: second.evaluate_store_after_mapping_s,
      warm_list_access_keys_users: second.list_access_keys_users,
      warm_known_key_users: second.known_key_users,
      warm_calls_by_action: warmCalls,
      warm_status: warm.status,
      warm_stats: { new: warm.stats.new, resolved: warm.stats.resolved, changed: warm.stats.changed },
      peak_rss_mb: peakRssMb(),
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      ...(warm.error ? { warm_error: warm.error } : {}),
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
