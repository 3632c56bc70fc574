/**
 * What a snapshot collector gets from the scan that runs it, and the one signature every scan
 * source implements. It lives in src/aws (not in the scan use case) so that collectors depend on
 * nothing above them.
 */
import type { Logger } from 'pino';
import type { KnownCredentials } from '../domain/known-credentials';
import type { DataNeed, IamSnapshot } from '../domain/snapshot';
import type { IamGateway } from './iam-gateway';

export interface CollectContext {
  /** Every AWS call of the run goes through it (the target's limiter, the run's call stats). */
  gateway: IamGateway;
  /** The data the enabled checks need from this source: collect that and nothing more. */
  needs: readonly DataNeed[];
  now: () => Date;
  logger: Logger;
  /** How long the credential report may take to generate (KEYWATCH_REPORT_TIMEOUT_S). */
  reportTimeoutMs: number;
  /**
   * The credential ids earlier runs of the target confirmed (the store's known_credentials): the
   * credential-report source resolves report slots from it instead of listing (undefined: nothing known).
   */
  knownCredentials?: KnownCredentials;
}

/** One scan source: collects an IamSnapshot of one account, or throws (never a partial snapshot). */
export type SnapshotCollector = (ctx: CollectContext) => Promise<IamSnapshot>;
