/**
 * How keywatch reaches each account: the base clients, one rate limiter per AWS account (IAM
 * throttles per account, so KEYWATCH_IAM_RATE and KEYWATCH_IAM_CONCURRENCY apply to each), and the
 * clients of one run of a target reached through a role.
 *
 * The base credentials' own account has the `base` limiter: its scans, and the organization's
 * calls made with the base credentials (sts:AssumeRole into members, Organizations ListAccounts), go
 * through it; a member's AssumeRole goes before the management account's own queued scan calls (a
 * member's scan slot would otherwise sit idle behind them). A member account's calls go through the
 * limiter of that account.
 */
import { createBaseClients, createRoleClients, type AwsClients, type AwsEndpoints } from '../aws/clients';
import { accountIdFromArn } from '../aws/collect-live';
import { IamLimiter, type CallStats, type LimiterOptions } from '../aws/limiter';
import type { TargetAccess } from '../domain/targets';

export interface ConnectionsOptions {
  region: string;
  endpoints: AwsEndpoints;
  /** Static base credentials (demo, tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  limiter: LimiterOptions;
}

/** What one run of a target sends its calls through. */
export interface RunConnection {
  clients: AwsClients;
  limiter: IamLimiter;
  /** Frees the run's own clients (a role target's); the base clients stay. */
  release(): void;
}

const BASE = 'base';

export class AccountConnections {
  readonly base: AwsClients;
  private readonly limiters = new Map<string, IamLimiter>();
  private readonly live = new Set<AwsClients>();

  constructor(private readonly options: ConnectionsOptions) {
    this.base = createBaseClients({ region: options.region, endpoints: options.endpoints, credentials: options.credentials });
  }

  /** The limiter of the base credentials' own account. */
  get baseLimiter(): IamLimiter {
    return this.limiterOf(BASE);
  }

  /** The limiter of a target's account: the account of its role, or the base account. */
  limiterFor(access: TargetAccess): IamLimiter {
    return this.limiterOf(access.roleArn ? (accountIdFromArn(access.roleArn) ?? access.roleArn) : BASE);
  }

  /**
   * The clients and limiter of one run. A role target gets clients of its own that assume the role
   * through the base limiter, counted in the run's stats; release() frees them.
   */
  forRun(access: TargetAccess, stats: CallStats): RunConnection {
    const limiter = this.limiterFor(access);
    if (!access.roleArn) return { clients: this.base, limiter, release: () => undefined };
    const clients = createRoleClients({
      region: this.options.region,
      endpoints: this.options.endpoints,
      credentials: this.options.credentials,
      access: { roleArn: access.roleArn, externalId: access.externalId },
      // First in the management account's queue: its own scan may have hundreds of calls waiting there.
      through: (call) => this.baseLimiter.call('AssumeRole', call, stats, { first: true }),
    });
    this.live.add(clients);
    return {
      clients,
      limiter,
      release: () => {
        if (this.live.delete(clients)) clients.destroy();
      },
    };
  }

  /** Aborts every request in flight, the base clients' and every run's (shutdown). */
  abortAll(): void {
    this.base.destroy();
    for (const clients of this.live) clients.destroy();
    this.live.clear();
  }

  async stop(): Promise<void> {
    this.abortAll();
    await Promise.all([...this.limiters.values()].map((l) => l.stop()));
  }

  private limiterOf(key: string): IamLimiter {
    let limiter = this.limiters.get(key);
    if (!limiter) this.limiters.set(key, (limiter = new IamLimiter(this.options.limiter)));
    return limiter;
  }
}
