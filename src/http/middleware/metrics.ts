/**
 * GET /metrics (at the root, where Prometheus looks; not part of the /api OpenAPI document):
 * the Prometheus text exposition of the app's own registry. Behind basic auth, or a bearer token
 * when KEYWATCH_METRICS_TOKEN is set, both rate limited like the API.
 */
import { Router, type RequestHandler } from 'express';
import type { KeywatchMetrics } from '../../observability/metrics';
import type { Config } from '../../config';
import { apiAuth, metricsAuth, type AuthOptions } from './auth';
import { AuthFailureLimiter } from './auth-failure-limiter';

export const DEFAULT_AUTH_FAILURE_LIMIT = { maxFailures: 10, windowMs: 5 * 60_000 };

export function metricsHandler(metrics: KeywatchMetrics): RequestHandler {
  return async (_req, res, next) => {
    try {
      const body = await metrics.render();
      res.setHeader('Content-Type', metrics.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The authentication of one app: the API's basic auth and the /metrics auth share one failure
 * limiter, so a client cannot double its guesses by alternating between them.
 */
export function authFor(config: Config, metrics?: KeywatchMetrics): { api: RequestHandler[]; metricsRouter: Router | null } {
  const options: AuthOptions = {
    user: config.auth.user,
    password: config.auth.password,
    failureLimiter: new AuthFailureLimiter(config.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT),
    hooks: {
      onFailure: () => metrics?.recordAuthFailure(),
      onRateLimited: () => metrics?.recordAuthRateLimited(),
    },
  };
  let metricsRouter: Router | null = null;
  if (metrics) {
    metricsRouter = Router();
    metricsRouter.get('/metrics', ...metricsAuth({ ...options, bearerToken: config.metricsToken }), metricsHandler(metrics));
  }
  return { api: apiAuth(options), metricsRouter };
}
