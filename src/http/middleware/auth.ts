/**
 * Authentication: HTTP basic auth (express-basic-auth, constant-time compares) on everything but
 * health and ready; GET /metrics also accepts `Authorization: Bearer <KEYWATCH_METRICS_TOKEN>`.
 *
 * A client (IP address, see clientKey) that keeps presenting wrong credentials is refused with 429 and
 * Retry-After until its failure window ends (AuthFailureLimiter). A request without any
 * credentials is not a failure: browsers ask first without them and get the 401 challenge.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import basicAuth from 'express-basic-auth';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../errors';
import type { AuthFailureLimiter } from './auth-failure-limiter';

export const UNAUTHORIZED_BODY = {
  error: {
    code: 'unauthorized',
    message: 'Authentication required: HTTP basic auth with KEYWATCH_API_USER and KEYWATCH_API_PASSWORD',
  },
};

const METRICS_UNAUTHORIZED_BODY = {
  error: {
    code: 'unauthorized',
    message:
      'Authentication required: HTTP basic auth with KEYWATCH_API_USER and KEYWATCH_API_PASSWORD, or `Authorization: Bearer <KEYWATCH_METRICS_TOKEN>` when that token is configured',
  },
};

export interface AuthHooks {
  /** A request presented wrong credentials. */
  onFailure?: (req: Request) => void;
  /** A request was refused because its client is rate limited. */
  onRateLimited?: (req: Request) => void;
}

export interface AuthOptions {
  user: string;
  password: string;
  /** Brute-force protection; none = unlimited attempts. */
  failureLimiter?: AuthFailureLimiter;
  hooks?: AuthHooks;
}

/**
 * The client a failure is counted against: req.ip — the TCP peer, or behind the proxies that
 * KEYWATCH_TRUST_PROXY trusts, the address they report in X-Forwarded-For (never a header an
 * untrusted peer made up).
 */
export function clientKey(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

/** Constant-time comparison of two secrets of any length (hashing first hides the length). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Refuses (429) a client that has failed too often; runs before any credential is looked at. */
function rateLimitGate(options: AuthOptions): RequestHandler {
  return (req, res, next) => {
    const limiter = options.failureLimiter;
    if (!limiter) return next();
    const waitMs = limiter.blockedForMs(clientKey(req));
    if (waitMs <= 0) return next();
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    options.hooks?.onRateLimited?.(req);
    req.log?.warn({ client: clientKey(req), retry_after_s: seconds }, 'authentication rate limited');
    res.setHeader('Retry-After', String(seconds));
    next(
      new AppError(
        'too_many_requests',
        429,
        `Too many failed authentication attempts from this client; try again in ${seconds} s (Retry-After).`,
      ),
    );
  };
}

function recordFailure(options: AuthOptions, req: Request): void {
  options.hooks?.onFailure?.(req);
  const failures = options.failureLimiter?.recordFailure(clientKey(req));
  req.log?.warn({ client: clientKey(req), failures }, 'authentication failed');
}

/** Basic auth with the configured user and password. */
function basicAuthCheck(options: AuthOptions, body: object): RequestHandler {
  const check = basicAuth({
    authorizer: (u: string, p: string) => {
      // Evaluate both comparisons (bitwise &): never short-circuit on the user name.
      const ok = Number(basicAuth.safeCompare(u, options.user)) & Number(basicAuth.safeCompare(p, options.password));
      return ok === 1;
    },
    challenge: true,
    realm: 'keywatch',
    unauthorizedResponse: (req: Request) => {
      if (req.headers.authorization) recordFailure(options, req);
      return body;
    },
  });
  return (req, res, next) =>
    check(req, res, (error?: unknown) => {
      // express-basic-auth keeps the password on req.auth: drop it, nothing downstream needs it.
      const auth = (req as { auth?: { user: string; password?: string } }).auth;
      if (auth) delete auth.password;
      next(error);
    });
}

/** The API's authentication: rate-limit gate, then basic auth. */
export function apiAuth(options: AuthOptions): RequestHandler[] {
  return [rateLimitGate(options), basicAuthCheck(options, UNAUTHORIZED_BODY)];
}

/** /metrics: rate-limit gate, then a bearer token (when configured) or basic auth. */
export function metricsAuth(options: AuthOptions & { bearerToken?: string }): RequestHandler[] {
  const basic = basicAuthCheck(options, METRICS_UNAUTHORIZED_BODY);
  const bearerOrBasic: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) return basic(req, res, next);
    if (options.bearerToken && secretsEqual(match[1].trim(), options.bearerToken)) return next();
    recordFailure(options, req);
    res.setHeader('WWW-Authenticate', 'Basic realm="keywatch"');
    res.status(401).json(METRICS_UNAUTHORIZED_BODY);
  };
  return [rateLimitGate(options), bearerOrBasic];
}

