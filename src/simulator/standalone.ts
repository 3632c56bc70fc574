/**
 * The simulator in a process of its own (benchmarks): like real AWS, its clock and event loop are
 * not shared with keywatch's, so its rate limiting measures what keywatch actually sends.
 *
 * Forked with an IPC channel; receives { users, seed, rateLimitPerSecond?, accounts?, roleName?,
 * externalId? } and answers { url, keys, accountIds } once listening, then { stats } (the total, or one
 * account's with { accountId }) on request, and changes users of the home account on request ({ type:
 * 'churn' }, answered with the changes). With `accounts` > 1 it serves a generated organization:
 * the management account and accounts − 1 members of `users` users each, every member with the role
 * `roleName` trusting the management account; the rate limit then applies to each account separately.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { churnAccount, generateAccount } from './generate';
import { generateOrganization } from './generate-organization';
import { startSimulator, type SimulatorHandle, type SimulatorStats } from './server';

interface StartMessage {
  type: 'start';
  users: number;
  seed: number;
  rateLimitPerSecond?: number;
  /** How many accounts (1 = one account, no organization; the default). */
  accounts?: number;
  /** The members' role (default 'KeywatchAudit'). */
  roleName?: string;
  externalId?: string;
}

interface ReadyMessage {
  url: string;
  keys: number;
  accountIds: string[];
}

export interface StandaloneSimulator {
  url: string;
  users: number;
  /** Access keys over all accounts. */
  keys: number;
  /** The management (or only) account first. */
  accountIds: string[];
  /** The total over all accounts, or one account's. */
  stats(accountId?: string): Promise<SimulatorStats>;
  /** About `users` users of the (home) account change at once (churnAccount); one line per change. */
  churn(users: number, seed: number): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startStandaloneSimulator(options: Omit<StartMessage, 'type'>): Promise<StandaloneSimulator> {
  const child: ChildProcess = fork(__filename, ['--standalone-simulator'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ReadyMessage));
    child.once('exit', (code) => reject(new Error(`simulator process exited with code ${code}`)));
    child.send({ type: 'start', ...options } satisfies StartMessage);
  });
  return {
    url: ready.url,
    users: options.users,
    keys: ready.keys,
    accountIds: ready.accountIds,
    stats: (accountId) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { stats: SimulatorStats }).stats));
        child.send({ type: 'stats', accountId });
      }),
    churn: (users, seed) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { changes: string[] }).changes));
        child.send({ type: 'churn', users, seed });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (require.main === module && process.argv.includes('--standalone-simulator')) {
  let sim: SimulatorHandle | null = null;
  process.on('message', async (raw) => {
    const message = raw as StartMessage | { type: 'stats'; accountId?: string } | { type: 'churn'; users: number; seed: number };
    if (message.type === 'start') {
      const now = new Date();
      const accounts = message.accounts ?? 1;
      if (accounts > 1) {
        const organization = generateOrganization({
          seed: message.seed,
          now,
          accounts: Array.from({ length: accounts }, () => ({ users: message.users })),
          roleName: message.roleName ?? 'KeywatchAudit',
          externalId: message.externalId,
        });
        sim = await startSimulator({ organization, port: 0, rateLimitPerSecond: message.rateLimitPerSecond });
      } else {
        const account = generateAccount({ seed: message.seed, users: message.users, now });
        sim = await startSimulator({ account, port: 0, rateLimitPerSecond: message.rateLimitPerSecond });
      }
      const served = sim.organization ? sim.organization.accounts.map((a) => a.account) : [sim.account];
      process.send!({
        url: sim.url,
        keys: served.reduce((n, a) => n + a.users.reduce((m, u) => m + u.accessKeys.length, 0), 0),
        accountIds: served.map((a) => a.accountId),
      } satisfies ReadyMessage);
    } else if (message.type === 'stats' && sim) {
      process.send!({ stats: message.accountId ? sim.accountStats(message.accountId) : sim.stats });
    } else if (message.type === 'churn' && sim) {
      process.send!({ changes: churnAccount(sim.account, { users: message.users, seed: message.seed, now: new Date() }) });
    }
  });
  process.on('SIGTERM', () => {
    void (sim?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  });
}
