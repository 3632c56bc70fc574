/**
 * The built-in IAM simulator: a node:http server speaking the AWS Query protocol (form-encoded
 * `Action=...&Version=...` POSTs, XML answers) for the IAM and STS actions keywatch uses.
 * The real @aws-sdk/client-iam / client-sts work against it with `endpoint: handle.url`.
 *
 * Per request, in this order: stats are counted; the rate limit (sliding 1 s window over the calls
 * that were let through) and the random throttle may answer 400 Throttling; an injected fault may
 * answer AccessDenied (403) / InternalError (500) / ServiceUnavailable (503); otherwise the action runs.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { ACTIONS, ActionContext, SimError, callerArn, deniedResource } from './actions';
import { SimAccount, mulberry32, Rng } from './model';
import { CredentialReportState } from './report-state';
import { IAM_XMLNS, STS_XMLNS, errorResponse, successResponse } from './xml';

export interface SimFault {
  /** The action to fail (e.g. 'ListAccessKeys'), or '*' for every action. */
  action: string;
  /**
   * AccessDenied (403), InternalError (500), ServiceUnavailable (503) for any action; the credential
   * report's own errors: LimitExceeded (409, GenerateCredentialReport), ReportInProgress (404),
   * ReportExpired (410), ReportNotPresent (410) (GetCredentialReport).
   */
  error: 'AccessDenied' | 'InternalError' | 'ServiceUnavailable' | 'LimitExceeded' | 'ReportInProgress' | 'ReportExpired' | 'ReportNotPresent';
  /** How many calls to fail; undefined = always. */
  times?: number;
}

export interface SimulatorOptions {
  account: SimAccount;
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Throttle calls above this rate (sliding 1 s window); undefined = no limit. */
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
  /** Delay added to every answer. */
  latencyMs?: number;
  /** The IAM user name the caller is (GetCallerIdentity, AccessDenied messages). Default 'keywatch'. */
  callerUserName?: string;
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
  /** Live and mutable: tests change it between scans. */
  account: SimAccount;
  stats: SimulatorStats;
  resetStats(): void;
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
};

function checkProbability(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`throttleProbability must be between 0 and 1: ${p}`);
  return p;
}

class Simulator {
  readonly stats: SimulatorStats = { calls: 0, byAction: {}, throttled: 0, faults: 0 };
  faults: SimFault[];
  rateLimit: number | undefined;
  throttleProbability: number;
  private readonly recentCalls: number[] = [];
  private readonly rng: Rng;
  private readonly report: CredentialReportState;
  private readonly callerUserName: string;

  constructor(
    public account: SimAccount,
    options: SimulatorOptions,
  ) {
    this.faults = (options.faults ?? []).map((f) => ({ ...f }));
    this.rateLimit = options.rateLimitPerSecond;
    this.throttleProbability = checkProbability(options.throttleProbability ?? 0);
    this.rng = mulberry32(options.seed ?? 1);
    this.callerUserName = options.callerUserName ?? 'keywatch';
    this.report = new CredentialReportState({
      generationMs: options.reportGenerationMs ?? 0,
      maxAgeMs: options.reportMaxAgeMs ?? 0,
      now: options.now ?? (() => new Date()),
    });
  }

  resetStats(): void {
    this.stats.calls = 0;
    this.stats.byAction = {};
    this.stats.throttled = 0;
    this.stats.faults = 0;
  }

  private context(): ActionContext {
    return { account: this.account, report: this.report, callerUserName: this.callerUserName };
  }

  /** Sliding 1 s window over the calls that were let through, then the random throttle. */
  private shouldThrottle(): boolean {
    const nowMs = Date.now();
    if (this.rateLimit !== undefined) {
      while (this.recentCalls.length > 0 && this.recentCalls[0]! <= nowMs - 1000) this.recentCalls.shift();
      if (this.recentCalls.length >= this.rateLimit) return true;
    }
    if (this.throttleProbability > 0 && this.rng() < this.throttleProbability) return true;
    if (this.rateLimit !== undefined) this.recentCalls.push(nowMs);
    return false;
  }

  private takeFault(action: string): SimFault | undefined {
    const index = this.faults.findIndex((f) => f.action === action || f.action === '*');
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.splice(index, 1);
    }
    return fault;
  }

  private faultError(fault: SimFault, action: string, params: URLSearchParams): SimError {
    const ctx = this.context();
    const service = ACTIONS[action]?.service ?? 'iam';
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
    }
  }

  /** Answers one Query-protocol request: status and XML body. */
  handle(params: URLSearchParams): { status: number; body: string; requestId: string } {
    const requestId = randomUUID();
    const action = params.get('Action') ?? '';
    const def = ACTIONS[action];
    const xmlns = def?.service === 'sts' || params.get('Version') === '2011-06-15' ? STS_XMLNS : IAM_XMLNS;
    this.stats.calls += 1;
    this.stats.byAction[action] = (this.stats.byAction[action] ?? 0) + 1;
    const fail = (error: SimError) => ({
      requestId,
      status: error.status,
      body: errorResponse(xmlns, { type: error.type, code: error.code, message: error.message }, requestId),
    });

    if (this.shouldThrottle()) {
      this.stats.throttled += 1;
      return fail(new SimError(400, 'Throttling', 'Rate exceeded'));
    }
    if (!def) {
      const version = params.get('Version') ?? '2010-05-08';
      return fail(
        action
          ? new SimError(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`)
          : new SimError(400, 'MissingAction', 'Missing Action'),
      );
    }
    const fault = this.takeFault(action);
    if (fault) {
      this.stats.faults += 1;
      return fail(this.faultError(fault, action, params));
    }
    try {
      return { requestId, status: 200, body: successResponse(action, xmlns, def.handler(this.context(), params), requestId) };
    } catch (error) {
      if (error instanceof SimError) return fail(error);
      return fail(new SimError(500, 'InternalError', `Simulator bug: ${(error as Error).message}`));
    }
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
  const sim = new Simulator(options.account, options);
  const latencyMs = options.latencyMs ?? 0;
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;

  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      // Query protocol: parameters in the form body (POST) or the query string (GET).
      const params = new URLSearchParams(new URL(req.url ?? '/', 'http://localhost').search);
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
      const answer = sim.handle(params);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      res.writeHead(answer.status, {
        'content-type': 'text/xml',
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
    stats: sim.stats,
    resetStats: () => sim.resetStats(),
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
