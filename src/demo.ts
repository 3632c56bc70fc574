/**
 * Demo mode: keywatch against a built-in simulated AWS Organization (no AWS account needed) — the
 * management account and two members of different sizes, scanned the way a real organization is:
 * discovered through Organizations ListAccounts, each member through the role keywatch assumes in it
 * (with an ExternalId). After each run the account it scanned changes a little (a key rotated, a user
 * added, a key deactivated, a user made admin, an SSH key rotated), so that every account's history
 * and diffs show change.
 */
import type { Logger } from 'pino';
import { organizationTargets } from './config-targets';
import type { Config } from './config';
import type { ScanRun } from './domain/runs';
import { evolveOrganization, generateOrganization, startSimulator, type SimulatorHandle } from './simulator';

export const DEMO_CREDENTIALS = { accessKeyId: 'AKIDEMOKEYWATCH00000', secretAccessKey: 'demo-secret-not-real' };

/** The role the demo's members have, and what demo mode configures as KEYWATCH_ORG_ROLE_NAME would. */
export const DEMO_ROLE_NAME = 'KeywatchAudit';
/** The members' roles require it, as docs/organizations.md recommends (not a secret: the demo's own). */
export const DEMO_EXTERNAL_ID = 'keywatch-demo';

/**
 * KEYWATCH_DEMO_USERS is the organization's total: half in the management account, 30 % in
 * Production, 20 % in Staging, every account at least one user (so at least 3 in all).
 */
export function demoAccountSizes(totalUsers: number): [management: number, production: number, staging: number] {
  const production = Math.max(1, Math.round(totalUsers * 0.3));
  const staging = Math.max(1, Math.round(totalUsers * 0.2));
  return [Math.max(1, totalUsers - production - staging), production, staging];
}

export interface DemoOrganization {
  simulator: SimulatorHandle;
  /** How many accounts the organization has. */
  accounts: number;
  /** A run finished (one per target and cycle): the account it scanned changes a little. */
  evolveAfter(run: ScanRun): void;
}

export async function startDemoOrganization(options: { users: number; seed: number; logger: Logger }): Promise<DemoOrganization> {
  const organization = generateOrganization({
    seed: options.seed,
    now: new Date(),
    accounts: demoAccountSizes(options.users).map((users) => ({ users })),
    roleName: DEMO_ROLE_NAME,
    externalId: DEMO_EXTERNAL_ID,
  });
  const simulator = await startSimulator({ organization, port: 0, seed: options.seed });
  // Each account drifts after its own runs, with a seed of its own per change: the same demo seed
  // replays the same history. Only the scanned account changes, never one whose scan is under way.
  const generations = new Map<string, number>();
  return {
    simulator,
    accounts: organization.accounts.length,
    evolveAfter: (run) => {
      if (!run.accountId) return;
      const generation = (generations.get(run.accountId) ?? 0) + 1;
      generations.set(run.accountId, generation);
      const changes = evolveOrganization(organization, { seed: options.seed + generation, now: new Date(), accountIds: [run.accountId] });
      options.logger.info({ account_id: run.accountId, changes }, 'demo: a simulated account changed');
    },
  };
}

/**
 * The configuration demo mode runs with: every client pointed at the simulator, and organization
 * discovery exactly as KEYWATCH_ORG_ROLE_NAME / KEYWATCH_ORG_EXTERNAL_ID would set it (src/config.ts
 * reads the environment; this only replaces what the demo decides).
 */
export function demoConfig(config: Config, simulatorUrl: string): Config {
  const url = simulatorUrl;
  return {
    ...config,
    aws: { ...config.aws, endpoints: { iam: url, sts: url, organizations: url } },
    targets: organizationTargets(DEMO_ROLE_NAME, DEMO_EXTERNAL_ID, 'api'),
  };
}

export interface DemoBannerInput {
  version: string;
  /** Accounts in the simulated organization. */
  accounts: number;
  users: number;
  /** e.g. http://localhost:8000 */
  baseUrl: string;
  auth: { user: string; password: string; passwordGenerated: boolean };
  /** The first scan's runs, one per account. */
  firstRunIds: number[];
  /** Why nothing was scanned (the organization could not be discovered), when firstRunIds is empty. */
  notStarted?: string;
}

/** Text between double quotes in a POSIX shell: ", $, ` and \ escaped. */
const inDoubleQuotes = (text: string): string => text.replace(/(["$`\\])/g, '\\$1');

/** "run 1", "runs 1, 2 and 3" */
function runList(ids: number[]): string {
  if (ids.length === 1) return `run ${ids[0]}`;
  return `runs ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/**
 * What demo mode prints on stdout. It shows the password only when keywatch generated it (nobody
 * else knows it); a password from KEYWATCH_API_PASSWORD is the operator's secret and is never
 * echoed — the banner and its curl example refer to the variable instead.
 */
export function demoBanner(b: DemoBannerInput): string {
  const { user, password, passwordGenerated } = b.auth;
  const login = passwordGenerated
    ? `${user} / ${password}   (generated; set KEYWATCH_API_PASSWORD to choose one)`
    : `${user} / the password in KEYWATCH_API_PASSWORD`;
  const credentials = passwordGenerated ? `"${inDoubleQuotes(`${user}:${password}`)}"` : `"${inDoubleQuotes(user)}:$KEYWATCH_API_PASSWORD"`;
  const firstScan = b.firstRunIds.length > 0 ? `${runList(b.firstRunIds)} started, one per account` : `not started: ${b.notStarted ?? 'no account found'}`;
  return [
    '',
    `keywatch ${b.version} — demo mode (simulated AWS Organization of ${b.accounts} accounts, ${b.users} users)`,
    `  Dashboard  : ${b.baseUrl}/ui/`,
    `  Swagger UI : ${b.baseUrl}/api/docs`,
    `  API        : ${b.baseUrl}/api/findings`,
    `  Metrics    : ${b.baseUrl}/metrics`,
    `  Login      : ${login}`,
    `  First scan : ${firstScan}`,
    `  Try        : curl -u ${credentials} '${b.baseUrl}/api/findings?limit=5'`,
    '',
  ].join('\n');
}

/** The line printed when the first scan's runs have finished: what succeeded with its findings, and any other end. */
export function demoFirstScanResult(runs: ScanRun[]): string {
  const succeeded = runs.filter((r) => r.status === 'succeeded');
  const parts: string[] = [];
  if (succeeded.length > 0) {
    const findings = succeeded.reduce((n, r) => n + Number(r.stats.findings ?? 0), 0);
    const accounts = new Set(succeeded.map((r) => r.accountId ?? r.target)).size;
    parts.push(`${runList(succeeded.map((r) => r.id))} succeeded, ${findings} findings in ${accounts} account${accounts === 1 ? '' : 's'}`);
  }
  for (const r of runs.filter((run) => run.status !== 'succeeded')) parts.push(`run ${r.id} (${r.target}) ${r.status}${r.error ? `: ${r.error}` : ''}`);
  return `  First scan : ${parts.join('; ')}\n\n`;
}
