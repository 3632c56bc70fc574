/**
 * The Express app: request ids and logs, basic auth on everything but health and ready, JSON bodies
 * (read only after authentication), Swagger UI (served from node_modules, no CDN), the OpenAPI
 * document generated from zod, and the web dashboard at /ui/ (dashboard.ts).
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, Router } from 'express';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { HttpContext } from './context';
import type { KeywatchMetrics } from '../observability/metrics';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { jsonBody } from './middleware/json-body';
import { authFor } from './middleware/metrics';
import { dashboardRouter } from './dashboard';
import { mountRoutes, type MountOptions } from './define-route';
import { buildOpenApiDocument, createRegistry } from './openapi';
import { checksRoutes } from './routes/checks';
import { diffRoutes } from './routes/diff';
import { findingsRoutes } from './routes/findings';
import { healthRoutes } from './routes/health';
import { reportRoutes } from './routes/report';
import { scansRoutes } from './routes/scans';
import { suppressionsRoutes } from './routes/suppressions';
import { targetsRoutes } from './routes/targets';
import { trendsRoutes } from './routes/trends';
import { v1Routes } from './routes/v1';

export interface AppOptions {
  /** Serves GET /metrics from this registry (built by the composition root, fed by the scan service). */
  metrics?: KeywatchMetrics;
}

export function createApp(ctx: HttpContext, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Who the client is (req.ip, which the failed-login limiter counts against): the TCP peer, or,
  // behind the reverse proxies KEYWATCH_TRUST_PROXY names, the address they forward.
  app.set('trust proxy', ctx.config.trustProxy);

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/api/health' || req.url === '/api/ready' || req.url === '/metrics' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  // Swagger UI needs inline scripts/styles from its own bundle; keep helmet's other protections. The
  // dashboard (dashboard.ts) and the run report (routes/report.ts) set their own strict policies.
  app.use(helmet({ contentSecurityPolicy: false }));

  // Basic auth (API and /metrics share one failed-attempt limiter: 429 after too many failures).
  const auth = authFor(ctx.config, options.metrics);
  if (auth.metricsRouter) app.use(auth.metricsRouter);

  // Every API route is declared once (define-route.ts): its OpenAPI path, its input parsing and its
  // typed answer. In tests every JSON answer is also checked against its documented schema.
  const registry = createRegistry();
  const mount: MountOptions = { base: '/api', validateResponses: ctx.config.env === 'test' };
  const api = Router();
  mountRoutes(api, registry, healthRoutes(ctx), mount); // no auth: probes
  api.use(auth.api);
  // Bodies are read only once the client has authenticated (see json-body.ts).
  api.use(jsonBody());
  mountRoutes(
    api,
    registry,
    [...checksRoutes(ctx), ...targetsRoutes(ctx), ...scansRoutes(ctx), ...diffRoutes(ctx), ...reportRoutes(ctx), ...findingsRoutes(ctx), ...suppressionsRoutes(ctx), ...trendsRoutes(ctx), ...v1Routes(ctx)],
    mount,
  );

  const document = buildOpenApiDocument(registry, ctx.config.version);
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  api.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'keywatch API' }));

  app.use('/api', api);
  // The dashboard (/ui/, and / → /ui/): same basic auth, its own strict Content-Security-Policy.
  app.use(dashboardRouter(auth.api));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
