/**
 * The gateway through which a scan sends every AWS call of a target: its limiter (rate,
 * concurrency, retries) + the run's call stats + errors that name the action and say what to do.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsClients } from './clients';
import { AssumeRoleError, classifyAwsError, describeAssumeRoleFailure, describeAwsFailure, type AwsService } from './errors';
import type { CallStats, IamLimiter } from './limiter';

// The SDK's client `send` is overloaded; this is the shape we use.
type Sendable<Out> = { send(command: unknown): Promise<Out> };

export class IamGateway {
  /** Set on the first call that fails for good (or on cancel): every later call fails fast with it. */
  private failure: Error | null = null;

  constructor(
    private readonly clients: AwsClients,
    private readonly limiter: IamLimiter,
    readonly stats: CallStats,
  ) {}

  /** Sends one IAM command. Failures become AppErrors naming `iam:<action>`. */
  async iam<Out>(action: string, command: unknown): Promise<Out> {
    return this.send<Out>(action, this.clients.iam as unknown as Sendable<Out>, command);
  }

  /** Sends one Organizations command (the management account's gateway). */
  async organizations<Out>(action: string, command: unknown): Promise<Out> {
    return this.send<Out>(action, this.clients.organizations as unknown as Sendable<Out>, command, 'organizations');
  }

  /**
   * Makes sure the target's credentials are there before the first call: a role target assumes its
   * role (through the management account's limiter, see clients.ts), so that a refused AssumeRole
   * fails the run with its own message.
   */
  async ensureCredentials(): Promise<void> {
    try {
      await this.clients.ensureCredentials();
    } catch (error) {
      throw this.fail('AssumeRole', error, 'sts');
    }
  }

  /** An OrganizationsClient whose `send` goes through this gateway, for paginateListAccounts. */
  organizationsClient(): OrganizationsClient {
    return routedView(this.clients.organizations, (action, command) => this.organizations(action, command));
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
    return routedView(this.clients.iam, async (action, command) => {
      if (options.notFoundAs !== 'missing') return this.iam(action, command);
      const out = await this.iamOrNull(action, command);
      if (out === null) throw new MissingEntity(action);
      return out;
    });
  }

  /** Stops the collection: queued calls are not sent. */
  cancel(reason: Error): void {
    this.failure ??= reason;
  }

  async sts<Out>(action: string, command: unknown): Promise<Out> {
    return this.send<Out>(action, this.clients.sts as unknown as Sendable<Out>, command, 'sts');
  }

  private async send<Out>(action: string, client: Sendable<Out>, command: unknown, service: AwsService = 'iam'): Promise<Out> {
    try {
      return await this.limiter.call(action, () => this.guarded(client, command), this.stats);
    } catch (error) {
      throw this.fail(action, error, service);
    }
  }

  private guarded<Out>(client: Sendable<Out>, command: unknown): Promise<Out> {
    if (this.failure) return Promise.reject(new CancelledCall(this.failure));
    return client.send(command);
  }

  private fail(action: string, error: unknown, service: AwsService = 'iam'): Error {
    if (error instanceof CancelledCall) return error.original;
    // A role target's credentials could not be had (sts:AssumeRole), whichever call asked for them.
    const described = error instanceof AssumeRoleError ? describeAssumeRoleFailure(error) : describeAwsFailure(action, error, service);
    this.failure ??= described;
    return described;
  }
}

/**
 * The SDK's paginators accept only an instance of the service's client: a view of the client (its
 * prototype) whose `send` goes through `send` instead, with the action named by the command's class
 * (ListUsersCommand → ListUsers).
 */
function routedView<C extends { send: unknown }>(client: C, send: (action: string, command: object) => Promise<unknown>): C {
  const view = Object.create(client) as C;
  view.send = ((command: object) => send(command.constructor.name.replace(/Command$/, ''), command)) as C['send'];
  return view;
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
