/**
 * IAM and STS clients for one target, and the gateway through which a scan sends every call:
 * limiter (rate, concurrency, retries) + per-run stats + errors that name the IAM action.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { classifyAwsError, describeAwsFailure } from './errors';
import type { CallStats, IamLimiter } from './limiter';

export interface IamClients {
  iam: IAMClient;
  sts: STSClient;
  destroy(): void;
}

export interface AwsClientOptions {
  region: string;
  endpoint?: string;
  /** Static credentials (tests, demo). Otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function createIamClients(options: AwsClientOptions): IamClients {
  const common = {
    region: options.region,
    // keywatch's limiter does the retrying, so that every throttle is seen, counted and slowed for.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const iam = new IAMClient(common);
  const sts = new STSClient(common);
  return {
    iam,
    sts,
    destroy: () => {
      iam.destroy();
      sts.destroy();
    },
  };
}

// The SDK's client `send` is overloaded; this is the shape we use.
type Sendable<Out> = { send(command: unknown): Promise<Out> };

export class IamGateway {
  /** Set on the first call that fails for good (or on cancel): every later call fails fast with it. */
  private failure: Error | null = null;

  constructor(
    private readonly clients: IamClients,
    private readonly limiter: IamLimiter,
    readonly stats: CallStats,
  ) {}

  /** Sends one IAM command. Failures become AppErrors naming `iam:<action>`. */
  async iam<Out>(action: string, command: unknown): Promise<Out> {
    return this.send<Out>(action, this.clients.iam as unknown as Sendable<Out>, command);
  }

  /** Like iam(), but NoSuchEntity answers null (GetLoginProfile for users without a password, …). */
  async iamOrNull<Out>(action: string, command: unknown): Promise<Out | null> {
    try {
      return await this.limiter.call(action, () => this.guarded(this.clients.iam as unknown as Sendable<Out>, command), this.stats);
    } catch (error) {
      if (classifyAwsError(error) === 'not_found') return null;
      throw this.fail(action, error);
    }
  }

  /**
   * An IAMClient whose `send` goes through this gateway (limiter, stats, errors naming the action),
   * for the SDK's paginators (paginateListUsers, …), which accept only an IAMClient. The action is
   * the command's name without "Command". With `notFoundAs: 'missing'`, NoSuchEntity rejects with
   * MissingEntity instead of failing the collection (a user deleted while we page their keys).
   */
  iamClient(options: { notFoundAs?: 'failure' | 'missing' } = {}): IAMClient {
    const view = Object.create(this.clients.iam) as IAMClient;
    view.send = (async (command: object) => {
      const action = command.constructor.name.replace(/Command$/, '');
      if (options.notFoundAs !== 'missing') return this.iam(action, command);
      const out = await this.iamOrNull(action, command);
      if (out === null) throw new MissingEntity(action);
      return out;
    }) as IAMClient['send'];
    return view;
  }

  /** Stops the collection: queued calls are not sent. */
  cancel(reason: Error): void {
    this.failure ??= reason;
  }

  async sts<Out>(action: string, command: unknown): Promise<Out> {
    return this.send<Out>(action, this.clients.sts as unknown as Sendable<Out>, command);
  }

  private async send<Out>(action: string, client: Sendable<Out>, command: unknown): Promise<Out> {
    try {
      return await this.limiter.call(action, () => this.guarded(client, command), this.stats);
    } catch (error) {
      throw this.fail(action, error);
    }
  }

  private guarded<Out>(client: Sendable<Out>, command: unknown): Promise<Out> {
    if (this.failure) return Promise.reject(new CancelledCall(this.failure));
    return client.send(command);
  }

  private fail(action: string, error: unknown): Error {
    if (error instanceof CancelledCall) return error.original;
    const described = describeAwsFailure(action, error);
    this.failure ??= described;
    return described;
  }
}

/** IAM answered NoSuchEntity to a call made through `iamClient({ notFoundAs: 'missing' })`. */
export class MissingEntity extends Error {
  constructor(readonly action: string) {
    super(`iam:${action}: no such entity`);
    this.name = 'MissingEntity';
  }
}

/** A call that was never sent because the collection had already failed. */
class CancelledCall extends Error {
  constructor(readonly original: Error) {
    super('cancelled: ' + original.message);
    this.name = 'CancelledCall';
  }
}
