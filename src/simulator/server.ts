/**
 * The built-in IAM simulator: a node:http server speaking the AWS Query protocol (form-encoded
 * `Action=...&Version=...` POSTs, XML answers) for the IAM and STS actions keywatch uses, and the JSON
 * 1.1 protocol for AWS Organizations (organizations-api.ts). The real @aws-sdk/client-iam, client-sts,
 * client-organizations and credential-providers' fromTemporaryCredentials work against it with
 * `endpoint: handle.url`.
 *
 * It serves one account (`account`) or an AWS Organization of several (`organization`, management
 * account first). A request's account is the one its SigV4 access key id belongs to (sessions.ts):
 * the base credentials are the management (home) account's, AssumeRole's temporary credentials the
 * assumed role's account's. Each account has its own data, credential report, rate-limit window and
 * stats; `handle.stats` is the total over all of them.
 *
 * Per request, in this order: stats are counted; the credentials are resolved (InvalidClientTokenId /
 * ExpiredToken, 403); the rate limit of the request's account (sliding 1 s window over the calls that
 * were let through) and the random throttle may answer 400 Throttling; an injected fault may answer
 * AccessDenied (403) / InternalError (500) / ServiceUnavailable (503); otherwise the action runs.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { ActionContext, SimError, SimWorld } from './action-context';
import { ACTIONS, callerArn, deniedResource } from './actions';
import { SimAccount, SimRoleTrust, mulberry32, Rng } from './model';
import {
  ORGANIZATIONS_CONTENT_TYPE,
  ORGANIZATIONS_OPERATIONS,
  ORGANIZATIONS_TARGET_PREFIX,
  organizationsErrorBody,
  toOrganizationsError,
} from './organizations-api';
import {
  ACCOUNT_STATUSES,
  OrgAccountInput,
  SimAccountStatus,
  SimOrgAccount,
  SimOrganization,
  addOrgAccount,
  findOrgAccount,
  managementAccount,
  removeOrgAccount,
} from './organization';
import { CredentialReportState } from './report-state';
import { setRoleTrust } from './roles';
import { SessionStore, SimCaller, TEMPORARY_KEY_PREFIX, accessKeyIdOf } from './sessions';
import { IAM_XMLNS, STS_XMLNS, errorResponse, successResponse } from './xml';

export interface SimFault {
  /** The action to fail (e.g. 'ListAccessKeys', 'AssumeRole', 'ListAccounts'), or '*' for every action. */
  action: string;
  /**
   * AccessDenied (403), InternalError (500), ServiceUnavailable (503) for any action; the credential
   * report's own errors: LimitExceeded (409, GenerateCredentialReport), ReportInProgress (404),
   * ReportExpired (410), ReportNotPresent (410) (GetCredentialReport). Organizations calls answer the
   * JSON protocol's names (AccessDeniedException, ServiceException). NoSuchEntity (404) on a per-user
   * call answers as if the user named in the request had just been deleted (the user stays in the
   * model: a deletion between two of a scan's calls).
   */
  error:
    | 'AccessDenied'
    | 'InternalError'
    | 'ServiceUnavailable'
    | 'LimitExceeded'
    | 'ReportInProgress'
    | 'ReportExpired'
    | 'ReportNotPresent'
    | 'NoSuchEntity';
  /** How many calls to fail; undefined = always. */
  times?: number;
  /** Only calls made with this account's credentials fail; undefined = any account. */
  accountId?: string;
}

export interface SimulatorOptions {
  /** The one account served (when there is no organization). */
  account?: SimAccount;
  /**
   * An organization of several accounts, the management account first. When both are given, `account`
   * must be the management account's SimAccount.
   */
  organization?: SimOrganization;
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Throttle each account's calls above this rate (sliding 1 s window per account); undefined = no limit. */
  rateLimitPerSecond?: number;
  /** 0..1: throttle this share of calls at random (seeded by `seed`). */
  throttleProbability?: number;
  seed?: number;
  faults?: SimFault[];
  /** How long (wall clock) a credential report takes to generate. Default 0. */
  reportGenerationMs?: number;
  /**
   * A completed credential report younger than this is reused by GenerateCredentialReport (AWS: 4 h).
   * Default 0: every GenerateCredentialReport after a completed report starts a fresh one.
   */
  reportMaxAgeMs?: number;
  /** Clock for the credential report (GeneratedTime). Default: the real clock. */
  now?: () => Date;
  /**
   * The credential report answers N/A for cert_N_last_rotated (cert_N_active stays true/false), as
   * LocalStack and moto do. Default false: the certificate's upload date, as AWS does.
   */
  reportOmitsCertificateDates?: boolean;
  /**
   * The credential report has no `<root_account>` row, as LocalStack, moto and some partitions answer.
   * Default false: the root row comes first, as AWS writes it.
   */
  reportOmitsRootRow?: boolean;
  /** Delay added to every answer. */
  latencyMs?: number;
  /** The IAM user name the base credentials stand for (GetCallerIdentity, AccessDenied messages). Default 'keywatch'. */
  callerUserName?: string;
  /**
   * The access key ids accepted as the base credentials; any other non-temporary key id answers
   * InvalidClientTokenId. Default: every key id that is not a temporary (ASIA…) one.
   */
  baseAccessKeyIds?: string[];
  /** Clock for temporary credentials (AssumeRole's Expiration, ExpiredToken). Default: the real clock. */
  sessionClock?: () => Date;
}

export interface SimulatorStats {
  /** Every request received, including throttled and failed ones. */
  calls: number;
  byAction: Record<string, number>;
  throttled: number;
  faults: number;
}

export interface SimulatorHandle {
  url: string;
  port: number;
  /** The home account (the single account, or the organization's management account). Live and mutable: tests change it between scans. */
  account: SimAccount;
  /** The organization (live; change it through the methods below), or null for a single account. */
  readonly organization: SimOrganization | null;
  /** Every request, over all accounts (requests refused for their credentials included). */
  stats: SimulatorStats;
  /** The requests made with one account's credentials (zeros for an account never called). */
  accountStats(accountId: string): SimulatorStats;
  /** An account the simulator serves, by id (throws for an unknown one). */
  getAccount(accountId: string): SimAccount;
  /** A new member joins the organization: listed by ListAccounts, its roles assumable. */
  addAccount(account: SimAccount, input?: OrgAccountInput): SimOrgAccount;
  /** The member leaves the organization: no longer listed, AssumeRole into it is refused, its sessions stop working. */
  removeAccount(accountId: string): void;
  /** ACTIVE, SUSPENDED or PENDING_CLOSURE: ListAccounts shows it; AssumeRole into a non-ACTIVE account is refused. */
  setAccountStatus(accountId: string, status: SimAccountStatus): void;
  suspendAccount(accountId: string): void;
  /** Replaces who may assume a role of an account (and the ExternalId it requires). */
  setRoleTrust(accountId: string, roleName: string, trust: SimRoleTrust): void;
  resetStats(): void;
  /**
   * Every account's completed credential report expires (as an AWS report does after 4 hours): the
   * next GenerateCredentialReport starts a new generation, whatever reportMaxAgeMs says.
   */
  expireCredentialReports(): void;
  setFaults(f: SimFault[]): void;
  setRateLimit(perSecond: number | undefined): void;
  setThrottleProbability(p: number): void;
  stop(): Promise<void>;
}

const FAULT_STATUS: Record<SimFault['error'], number> = {
  AccessDenied: 403,
  InternalError: 500,
  ServiceUnavailable: 503,
  LimitExceeded: 409,
  ReportInProgress: 404,
  ReportExpired: 410,
  ReportNotPresent: 410,
  NoSuchEntity: 404,
};

function checkProbability(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`throttleProbability must be between 0 and 1: ${p}`);
  return p;
}

function emptyStats(): SimulatorStats {
  return { calls: 0, byAction: {}, throttled: 0, faults: 0 };
}

function resetInPlace(stats: SimulatorStats): void {
  stats.calls = 0;
  stats.byAction = {};
  stats.throttled = 0;
  stats.faults = 0;
}

function count(stats: SimulatorStats, action: string): void {
  stats.calls += 1;
  stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
}

/** One request as the server received it. */
interface SimRequest {
  headers: http.IncomingHttpHeaders;
  url: string;
  body: string;
}

interface SimAnswer {
  status: number;
  body: string;
  requestId: string;
  contentType: string;
}

/** Whose credentials a request carries. */
interface Resolved {
  account: SimAccount;
  caller: SimCaller;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

class Simulator implements SimWorld {
  readonly stats: SimulatorStats = emptyStats();
  readonly sessions = new SessionStore();
  faults: SimFault[];
  rateLimit: number | undefined;
  throttleProbability: number;
  organization: SimOrganization | null;
  private single: SimAccount;
  private readonly statsByAccount = new Map<string, SimulatorStats>();
  private readonly recentCalls = new Map<string, number[]>();
  private readonly reports = new Map<string, CredentialReportState>();
  private readonly rng: Rng;
  private readonly callerUserName: string;
  private readonly baseAccessKeyIds: Set<string> | null;
  private readonly sessionClock: () => Date;

  constructor(private readonly options: SimulatorOptions) {
    const { account, organization } = options;
    if (!account && !organization) throw new Error('startSimulator needs an account or an organization');
    if (organization) {
      const management = managementAccount(organization).account;
      if (account && account !== management) throw new Error('with an organization, account must be its management account (or be left out)');
      const ids = organization.accounts.map((a) => a.account.accountId);
      if (new Set(ids).size !== ids.length) throw new Error(`organization ${organization.id} lists an account twice`);
    }
    this.organization = organization ?? null;
    this.single = account ?? managementAccount(organization!).account;
    this.faults = (options.faults ?? []).map((f) => ({ ...f }));
    this.rateLimit = options.rateLimitPerSecond;
    this.throttleProbability = checkProbability(options.throttleProbability ?? 0);
    this.rng = mulberry32(options.seed ?? 1);
    this.callerUserName = options.callerUserName ?? 'keywatch';
    this.baseAccessKeyIds = options.baseAccessKeyIds ? new Set(options.baseAccessKeyIds) : null;
    this.sessionClock = options.sessionClock ?? (() => new Date());
  }

  get account(): SimAccount {
    return this.organization ? managementAccount(this.organization).account : this.single;
  }

  set account(account: SimAccount) {
    if (this.organization) managementAccount(this.organization).account = account;
    else this.single = account;
  }

  clock(): Date {
    return this.sessionClock();
  }

  findAccount(accountId: string): { account: SimAccount; status: SimAccountStatus } | undefined {
    if (this.organization) {
      const found = findOrgAccount(this.organization, accountId);
      return found ? { account: found.account, status: found.status } : undefined;
    }
    return this.single.accountId === accountId ? { account: this.single, status: 'ACTIVE' } : undefined;
  }

  requireOrgAccount(accountId: string): SimOrgAccount {
    if (!this.organization) throw new Error('the simulator serves a single account: start it with an organization to add or change accounts');
    const found = findOrgAccount(this.organization, accountId);
    if (!found) throw new Error(`account ${accountId} is not in organization ${this.organization.id}`);
    return found;
  }

  accountStats(accountId: string): SimulatorStats {
    let stats = this.statsByAccount.get(accountId);
    if (!stats) {
      stats = emptyStats();
      this.statsByAccount.set(accountId, stats);
    }
    return stats;
  }

  resetStats(): void {
    resetInPlace(this.stats);
    for (const stats of this.statsByAccount.values()) resetInPlace(stats);
  }

  expireCredentialReports(): void {
    this.reports.clear();
  }

  private reportFor(accountId: string): CredentialReportState {
    let report = this.reports.get(accountId);
    if (!report) {
      report = new CredentialReportState({
        generationMs: this.options.reportGenerationMs ?? 0,
        maxAgeMs: this.options.reportMaxAgeMs ?? 0,
        now: this.options.now ?? (() => new Date()),
        omitCertificateDates: this.options.reportOmitsCertificateDates ?? false,
        omitRootRow: this.options.reportOmitsRootRow ?? false,
      });
      this.reports.set(accountId, report);
    }
    return report;
  }

  private context(resolved: Resolved): ActionContext {
    return {
      account: resolved.account,
      report: this.reportFor(resolved.account.accountId),
      callerUserName: this.callerUserName,
      caller: resolved.caller,
      world: this,
    };
  }

  /** The account and caller a request's credentials stand for (sessions.ts has the rules). */
  private resolve(headers: http.IncomingHttpHeaders): Resolved | SimError {
    const accessKeyId = accessKeyIdOf(headers.authorization);
    const base: Resolved = { account: this.account, caller: { kind: 'user', userName: this.callerUserName } };
    if (accessKeyId === undefined) return base;
    if (!accessKeyId.startsWith(TEMPORARY_KEY_PREFIX)) {
      return this.baseAccessKeyIds && !this.baseAccessKeyIds.has(accessKeyId) ? new SimError(403, 'InvalidClientTokenId', INVALID_TOKEN) : base;
    }
    const session = this.sessions.get(accessKeyId);
    if (!session || headers['x-amz-security-token'] !== session.sessionToken) return new SimError(403, 'InvalidClientTokenId', INVALID_TOKEN);
    // A session of an account that has left the organization stops working (AWS would keep it until it expires).
    const target = this.findAccount(session.accountId);
    if (!target) return new SimError(403, 'InvalidClientTokenId', INVALID_TOKEN);
    if (this.sessionClock().getTime() >= session.expiration.getTime()) {
      return new SimError(403, 'ExpiredToken', 'The security token included in the request is expired');
    }
    return { account: target.account, caller: { kind: 'assumed-role', session } };
  }

  /** Sliding 1 s window per account over the calls that were let through, then the random throttle. */
  private shouldThrottle(accountId: string): boolean {
    const nowMs = Date.now();
    let recent = this.recentCalls.get(accountId);
    if (!recent) {
      recent = [];
      this.recentCalls.set(accountId, recent);
    }
    if (this.rateLimit !== undefined) {
      while (recent.length > 0 && recent[0]! <= nowMs - 1000) recent.shift();
      if (recent.length >= this.rateLimit) return true;
    }
    if (this.throttleProbability > 0 && this.rng() < this.throttleProbability) return true;
    if (this.rateLimit !== undefined) recent.push(nowMs);
    return false;
  }

  private takeFault(action: string, accountId: string): SimFault | undefined {
    const index = this.faults.findIndex((f) => (f.action === action || f.action === '*') && (f.accountId === undefined || f.accountId === accountId));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.splice(index, 1);
    }
    return fault;
  }

  private faultError(fault: SimFault, ctx: ActionContext, action: string, params: URLSearchParams): SimError {
    const service = Object.hasOwn(ACTIONS, action) ? ACTIONS[action]!.service : 'iam';
    switch (fault.error) {
      case 'AccessDenied': {
        const permission = `${service}:${action}`;
        return new SimError(
          FAULT_STATUS.AccessDenied,
          'AccessDenied',
          `User: ${callerArn(ctx)} is not authorized to perform: ${permission} on resource: ${deniedResource(ctx, action, params)} because no identity-based policy allows the ${permission} action`,
        );
      }
      case 'InternalError':
        return new SimError(FAULT_STATUS.InternalError, 'InternalError', 'We encountered an internal error. Please try again.');
      case 'ServiceUnavailable':
        return new SimError(FAULT_STATUS.ServiceUnavailable, 'ServiceUnavailable', 'Service is unavailable. Please try again later.');
      case 'LimitExceeded':
        return new SimError(FAULT_STATUS.LimitExceeded, 'LimitExceeded', 'Cannot generate a credential report now: the request limit was exceeded. Try again later.');
      case 'ReportInProgress':
        return new SimError(FAULT_STATUS.ReportInProgress, 'ReportInProgress', 'Credential report generation is in progress.');
      case 'ReportExpired':
        return new SimError(
          FAULT_STATUS.ReportExpired,
          'ReportExpired',
          'The most recent credential report has expired. Call GenerateCredentialReport to generate a new one.',
        );
      case 'ReportNotPresent':
        return new SimError(FAULT_STATUS.ReportNotPresent, 'ReportNotPresent', 'Credential report not present. Call GenerateCredentialReport first.');
      case 'NoSuchEntity':
        return new SimError(FAULT_STATUS.NoSuchEntity, 'NoSuchEntity', `The user with name ${params.get('UserName') ?? ''} cannot be found.`);
    }
  }

  /**
   * The steps every request goes through, whatever its protocol: count, resolve the credentials,
   * throttle per account, fault injection; `run` answers the action itself.
   */
  private gate(
    action: string,
    headers: http.IncomingHttpHeaders,
    known: boolean,
    unknown: () => SimError,
    run: (ctx: ActionContext) => string,
    faultError: (fault: SimFault, ctx: ActionContext) => SimError,
  ): { status: number; body: string } | SimError {
    count(this.stats, action);
    const resolved = this.resolve(headers);
    if (resolved instanceof SimError) return resolved;
    const accountStats = this.accountStats(resolved.account.accountId);
    count(accountStats, action);
    if (this.shouldThrottle(resolved.account.accountId)) {
      this.stats.throttled += 1;
      accountStats.throttled += 1;
      return new SimError(400, 'Throttling', 'Rate exceeded');
    }
    if (!known) return unknown();
    const ctx = this.context(resolved);
    const fault = this.takeFault(action, resolved.account.accountId);
    if (fault) {
      this.stats.faults += 1;
      accountStats.faults += 1;
      return faultError(fault, ctx);
    }
    try {
      return { status: 200, body: run(ctx) };
    } catch (error) {
      if (error instanceof SimError) return error;
      return new SimError(500, 'InternalError', `Simulator bug: ${(error as Error).message}`);
    }
  }

  /** Answers one Query-protocol request (IAM, STS): status and XML body. */
  handleQuery(request: SimRequest): SimAnswer {
    // Query protocol: parameters in the form body (POST) or the query string (GET).
    const params = new URLSearchParams(new URL(request.url, 'http://localhost').search);
    for (const [k, v] of new URLSearchParams(request.body)) params.set(k, v);
    const requestId = randomUUID();
    const action = params.get('Action') ?? '';
    // Own properties only: an Action such as 'toString' is an unknown action, not Object.prototype's.
    const def = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    const xmlns = def?.service === 'sts' || params.get('Version') === '2011-06-15' ? STS_XMLNS : IAM_XMLNS;
    const answer = this.gate(
      action,
      request.headers,
      def !== undefined,
      () => {
        const version = params.get('Version') ?? '2010-05-08';
        return action
          ? new SimError(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`)
          : new SimError(400, 'MissingAction', 'Missing Action');
      },
      (ctx) => successResponse(action, xmlns, def!.handler(ctx, params), requestId),
      (fault, ctx) => this.faultError(fault, ctx, action, params),
    );
    if (answer instanceof SimError) {
      return {
        requestId,
        status: answer.status,
        body: errorResponse(xmlns, { type: answer.type, code: answer.code, message: answer.message }, requestId),
        contentType: 'text/xml',
      };
    }
    return { requestId, ...answer, contentType: 'text/xml' };
  }

  /** Answers one JSON 1.1 request (AWS Organizations). */
  handleJson(request: SimRequest, target: string): SimAnswer {
    const requestId = randomUUID();
    const operation = target.startsWith(ORGANIZATIONS_TARGET_PREFIX) ? target.slice(ORGANIZATIONS_TARGET_PREFIX.length) : '';
    const run = operation && Object.hasOwn(ORGANIZATIONS_OPERATIONS, operation) ? ORGANIZATIONS_OPERATIONS[operation] : undefined;
    const answer = this.gate(
      operation || target,
      request.headers,
      run !== undefined,
      () => new SimError(400, 'UnknownOperationException', `Unknown operation ${target}`),
      (ctx) => {
        let input: Record<string, unknown>;
        try {
          input = request.body.trim() ? (JSON.parse(request.body) as Record<string, unknown>) : {};
        } catch {
          throw new SimError(400, 'SerializationException', 'The request body is not valid JSON.');
        }
        return JSON.stringify(run!({ account: ctx.account, organization: this.organization }, input));
      },
      (fault, ctx) => this.faultError(fault, ctx, operation, new URLSearchParams()),
    );
    if (answer instanceof SimError) {
      const error = toOrganizationsError(answer);
      return { requestId, status: error.status, body: organizationsErrorBody(error), contentType: ORGANIZATIONS_CONTENT_TYPE };
    }
    return { requestId, ...answer, contentType: ORGANIZATIONS_CONTENT_TYPE };
  }

  handle(request: SimRequest): SimAnswer {
    const target = request.headers['x-amz-target'];
    return typeof target === 'string' ? this.handleJson(request, target) : this.handleQuery(request);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSimulator(options: SimulatorOptions): Promise<SimulatorHandle> {
  const sim = new Simulator(options);
  const latencyMs = options.latencyMs ?? 0;
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;

  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const answer = sim.handle({ headers: req.headers, url: req.url ?? '/', body });
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      res.writeHead(answer.status, {
        'content-type': answer.contentType,
        'content-length': Buffer.byteLength(answer.body),
        'x-amzn-requestid': answer.requestId,
      });
      res.end(answer.body);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get account() {
      return sim.account;
    },
    set account(account: SimAccount) {
      sim.account = account;
    },
    get organization() {
      return sim.organization;
    },
    stats: sim.stats,
    accountStats: (accountId) => sim.accountStats(accountId),
    getAccount: (accountId) => {
      const found = sim.findAccount(accountId);
      if (!found) throw new Error(`the simulator serves no account ${accountId}`);
      return found.account;
    },
    addAccount: (account, input) => {
      if (!sim.organization) throw new Error('the simulator serves a single account: start it with an organization to add accounts');
      return addOrgAccount(sim.organization, account, input);
    },
    removeAccount: (accountId) => {
      sim.requireOrgAccount(accountId);
      removeOrgAccount(sim.organization!, accountId);
    },
    setAccountStatus: (accountId, status) => {
      if (!ACCOUNT_STATUSES.includes(status)) throw new Error(`account status must be one of ${ACCOUNT_STATUSES.join(', ')}: ${status}`);
      sim.requireOrgAccount(accountId).status = status;
    },
    suspendAccount: (accountId) => {
      sim.requireOrgAccount(accountId).status = 'SUSPENDED';
    },
    setRoleTrust: (accountId, roleName, trust) => {
      const found = sim.findAccount(accountId);
      if (!found) throw new Error(`the simulator serves no account ${accountId}`);
      setRoleTrust(found.account, roleName, trust);
    },
    resetStats: () => sim.resetStats(),
    expireCredentialReports: () => sim.expireCredentialReports(),
    setFaults: (faults) => {
      sim.faults = faults.map((f) => ({ ...f }));
    },
    setRateLimit: (perSecond) => {
      sim.rateLimit = perSecond;
    },
    setThrottleProbability: (p) => {
      sim.throttleProbability = checkProbability(p);
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}
