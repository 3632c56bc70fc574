/**
 * org_scan: an AWS Organization of 12 accounts (the management account and 11 members) of 300 users
 * each, discovered through Organizations ListAccounts and scanned with the `api` source through the
 * real ScanService: members through sts:AssumeRole, KEYWATCH_SCAN_PARALLELISM 4, keywatch's limiter at
 * R calls/s per account while the simulator (its own process, like AWS) throttles each account above R.
 *
 * Every account is scanned at once (startAll, wall_s), then one member account alone
 * (single_account_wall_s; warm, as the organization's accounts are after their first seconds).
 * efficiency = accounts × single_account_wall_s ÷ (parallelism × wall_s): 1.0 means the parallel scans
 * cost exactly what the same scans would cost one after the other divided by the parallelism; less
 * means time lost to contention (a shared limiter, the event loop, SQLite writes, the machine's CPU)
 * or to scan slots held idle (run_s_max far above run_s_min: a run waiting on something else).
 * Targets: efficiency ≥ 0.9, no failed run, peak RSS under 400 MB.
 *
 * Also printed for sizing (docs/organizations.md): the IAM calls made, keywatch's CPU time over the
 * organization scan (user + system, this process only: the simulator runs in its own), and the RSS
 * before the scans.
 */
import { startStandaloneSimulator } from '../simulator/standalone';
import { benchContext, peakRssMb, round } from './common';

export interface OrgScanOptions {
  accounts?: number;
  usersPerAccount?: number;
  parallelism?: number;
  /** R: keywatch's limiter per account, and the simulator's throttling threshold per account. */
  rate?: number;
  /** KEYWATCH_IAM_CONCURRENCY: calls in flight per account (default 8, as live_scan). */
  concurrency?: number;
}

/**
 * R: about 2,380 calls per 300-user account take 24 s at 100 calls/s, so the organization takes
 * about 80 s and the whole scenario under two minutes; R higher makes it CPU-bound on a small machine.
 */
export const ORG_SCAN_RATE = 100;

const ROLE_NAME = 'KeywatchAudit';

export async function runOrgScanScenario(options: OrgScanOptions = {}): Promise<Record<string, unknown>> {
  const accounts = options.accounts ?? 12;
  const usersPerAccount = options.usersPerAccount ?? 300;
  const parallelism = options.parallelism ?? 4;
  const rate = options.rate ?? ORG_SCAN_RATE;
  const concurrency = options.concurrency ?? 8;
  const sim = await startStandaloneSimulator({ users: usersPerAccount, seed: 2026, rateLimitPerSecond: rate, accounts, roleName: ROLE_NAME });
  const { ctx, cleanup } = benchContext(sim.url, {
    KEYWATCH_ORG_ROLE_NAME: ROLE_NAME,
    KEYWATCH_IAM_RATE: String(rate),
    KEYWATCH_SCAN_PARALLELISM: String(parallelism),
    KEYWATCH_IAM_CONCURRENCY: String(concurrency),
  });
  try {
    const discovery = await ctx.discovered;
    if (!discovery?.ok || discovery.accounts !== accounts) throw new Error(`discovery found ${discovery?.accounts ?? 0} of ${accounts} accounts: ${discovery?.error ?? ''}`);
    const rssBeforeMb = round(process.memoryUsage().rss / 1048576, 1);

    // Every account, `parallelism` at a time.
    const cpu0 = process.cpuUsage();
    const t1 = process.hrtime.bigint();
    const { started, refused } = ctx.scans.startAll({ source: 'api', trigger: 'cli' });
    const runs = await Promise.all(started.map((s) => s.done));
    const wallS = Number(process.hrtime.bigint() - t1) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;

    // Then one member alone (a member assumes its role, as 11 of the 12 accounts do). Measured after
    // the organization, warm: a first, cold scan would be slower and flatter the efficiency.
    const member = sim.accountIds[1]!;
    const t0 = process.hrtime.bigint();
    const single = await ctx.scans.runToCompletion({ target: member, source: 'api', trigger: 'cli' });
    const singleS = Number(process.hrtime.bigint() - t0) / 1e9;

    const durationsS = runs.map((r) => ((r.finishedAt ?? r.startedAt) - r.startedAt) / 1000);
    const apiCalls = runs.reduce((n, r) => n + Number(r.stats.api_calls ?? 0), 0);
    const failed = runs.filter((r) => r.status !== 'succeeded');
    const simStats = await sim.stats();
    return {
      scenario: 'org_scan',
      accounts,
      users_per_account: usersPerAccount,
      parallelism,
      wall_s: round(wallS),
      single_account_wall_s: round(singleS),
      efficiency: round((accounts * singleS) / (parallelism * wallS), 3),
      failed_runs: failed.length + refused.length + (single.status === 'succeeded' ? 0 : 1),
      peak_rss_mb: peakRssMb(),
      limiter_rate: rate,
      limiter_concurrency: concurrency,
      runs: runs.length,
      // The organization's runs, shortest and longest: a straggler (a run waiting on something else) shows here.
      run_s_min: round(Math.min(...durationsS)),
      run_s_max: round(Math.max(...durationsS)),
      api_calls: apiCalls,
      single_account_api_calls: Number(single.stats.api_calls ?? 0),
      throttled: runs.reduce((n, r) => n + Number(r.stats.throttled ?? 0), 0),
      simulator_throttled: simStats.throttled,
      cpu_s: round(cpuS),
      cpu_ms_per_1000_calls: apiCalls > 0 ? round((cpuS * 1e6) / apiCalls, 1) : null,
      rss_before_scans_mb: rssBeforeMb,
      ...(failed.length > 0 ? { errors: failed.map((r) => `${r.target}: ${r.error}`) } : {}),
    };
  } finally {
    await cleanup();
    await sim.stop();
  }
}
