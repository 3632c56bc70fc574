/**
 * The Express app: JSON, request ids and logs, basic auth on everything but health and ready,
 * Swagger UI (served from node_modules, no CDN) and the OpenAPI document generated from zod.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, Router } from 'express';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { HttpContext } from './context';
import { basicAuthMiddleware } from './middleware/auth';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { buildOpenApiDocument, createRegistry } from './openapi';
import { checksRoutes } from './routes/checks';
import { findingsRoutes } from './routes/findings';
import { healthRoutes } from './routes/health';
import { scansRoutes } from './routes/scans';
import { v1Routes } from './routes/v1';

export function createApp(ctx: HttpContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

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
      autoLogging: { ignore: (req) => req.url === '/api/health' || req.url === '/api/ready' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  // Swagger UI needs inline scripts/styles from its own bundle; keep helmet's other protections.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(express.json({ limit: '100kb' }));

  const registry = createRegistry();
  const api = Router();
  api.use(healthRoutes(ctx, registry)); // no auth: probes
  api.use(basicAuthMiddleware(ctx.config.auth.user, ctx.config.auth.password));
  api.use(checksRoutes(ctx, registry));
  api.use(scansRoutes(ctx, registry));
  api.use(findingsRoutes(ctx, registry));
  api.use(v1Routes(ctx, registry));

  const document = buildOpenApiDocument(registry, ctx.config.version);
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  api.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'keywatch API' }));

  app.use('/api', api);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
