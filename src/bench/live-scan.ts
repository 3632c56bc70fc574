/**
 * live_scan: a 1,000-user simulated account (about 2,000 keys, with groups, policies, SSH keys,
 * certificates and service credentials) scanned with the `api` source and every default check,
 * while the simulator throttles above R calls/s and keywatch's limiter is set to R. Targets: a
 * rate_ratio (achieved calls/s ÷ R) of at least 0.9 with no failed run; privilege_calls (the calls
 * spent on GetAccountAuthorizationDetails) under 1% of the scan's calls (privilege_call_share < 0.01).
 */
import { startStandaloneSimulator } from '../simulator/standalone';
import { benchContext, peakRssMb, round } from './common';

export async function runLiveScanScenario(options: { users?: number; rate?: number } = {}): Promise<Record<string, unknown>> {
  const users = options.users ?? 1000;
  const rate = options.rate ?? 200;
  // The simulated AWS runs in its own process, as AWS would: its throttling sees what keywatch sends.
  const sim = await startStandaloneSimulator({ users, seed: 2026, rateLimitPerSecond: rate });
  const keys = sim.keys;
  const { ctx, cleanup } = benchContext(sim.url, { KEYWATCH_IAM_RATE: String(rate), KEYWATCH_IAM_CONCURRENCY: '8' });
  try {
    const t0 = process.hrtime.bigint();
    const run = await ctx.scans.runToCompletion({ source: 'api', trigger: 'cli' });
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const apiCalls = Number(run.stats.api_calls ?? 0);
    const callsByAction = (run.stats.calls_by_action ?? {}) as Record<string, number>;
    const privilegeCalls = callsByAction.GetAccountAuthorizationDetails ?? 0;
    return {
      scenario: 'live_scan',
      users,
      keys,
      api_calls: apiCalls,
      throttled: run.stats.throttled ?? 0,
      wall_s: round(wallS),
      rate_ratio: round(apiCalls / wallS / rate, 3),
      privilege_calls: privilegeCalls,
      privilege_call_share: apiCalls > 0 ? round(privilegeCalls / apiCalls, 5) : null,
      calls_by_action: callsByAction,
      peak_rss_mb: peakRssMb(),
      status: run.status,
      limiter_rate: rate,
      simulator_throttled: (await sim.stats()).throttled,
    };
  } finally {
    await cleanup();
    await sim.stop();
  }
}
