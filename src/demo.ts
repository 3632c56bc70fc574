/**
 * Demo mode: keywatch against the built-in simulated AWS account (no AWS account needed). The
 * account changes a little after every scan (a key rotated, a user added, a key deactivated) so
 * the history and diffs show change.
 */
import type { Logger } from 'pino';
import { evolveAccount, generateAccount, startSimulator, type SimulatorHandle } from './simulator';

export const DEMO_CREDENTIALS = { accessKeyId: 'AKIDEMOKEYWATCH00000', secretAccessKey: 'demo-secret-not-real' };

export async function startDemoAccount(options: { users: number; seed: number; logger: Logger }): Promise<{
  simulator: SimulatorHandle;
  evolve(): void;
}> {
  const account = generateAccount({ seed: options.seed, users: options.users, now: new Date() });
  const simulator = await startSimulator({ account, port: 0, seed: options.seed });
  let generation = 0;
  return {
    simulator,
    evolve: () => {
      generation++;
      const changes = evolveAccount(simulator.account, { seed: options.seed + generation, now: new Date() });
      options.logger.info({ changes }, 'demo: the simulated account changed');
    },
  };
}

export interface DemoBannerInput {
  version: string;
  users: number;
  /** e.g. http://localhost:8000 */
  baseUrl: string;
  auth: { user: string; password: string; passwordGenerated: boolean };
  firstRunId: number;
}

/** Text between double quotes in a POSIX shell: ", $, ` and \ escaped. */
const inDoubleQuotes = (text: string): string => text.replace(/(["$`\\])/g, '\\$1');

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
  return [
    '',
    `keywatch ${b.version} — demo mode (simulated AWS account, ${b.users} users)`,
    `  Dashboard  : ${b.baseUrl}/ui/`,
    `  Swagger UI : ${b.baseUrl}/api/docs`,
    `  API        : ${b.baseUrl}/api/findings`,
    `  Metrics    : ${b.baseUrl}/metrics`,
    `  Login      : ${login}`,
    `  First scan : run ${b.firstRunId} started`,
    `  Try        : curl -u ${credentials} '${b.baseUrl}/api/findings?limit=5'`,
    '',
  ].join('\n');
}
