import { Router } from 'express';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';

const Health = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    next_scheduled_scan: z.string().nullable().openapi({ format: 'date-time', description: 'null when the schedule is disabled' }),
  })
  .openapi('Health');

const Ready = z
  .object({ status: z.enum(['ready', 'not_ready']), database: z.string(), reason: z.string().optional() })
  .openapi('Ready');

/** Liveness and readiness: no auth, so that probes work. */
export function healthRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
    method: 'get',
    path: '/api/health',
    summary: 'Liveness: the process answers',
    tags: ['health'],
    security: [],
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: Health } } } },
  });
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', version: ctx.config.version, next_scheduled_scan: ctx.nextScheduledScan()?.toISOString() ?? null });
  });

  registry.registerPath({
    method: 'get',
    path: '/api/ready',
    summary: 'Readiness: the database answers, all migrations are applied and a write can be committed',
    description:
      'Commits a tiny probe write (and checks in a rolled-back savepoint that the file can still grow), so a read-only, failing or full database answers 503; `reason` names the database path and the SQLite error code.',
    tags: ['health'],
    security: [],
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
      503: { description: 'Not ready', content: { 'application/json': { schema: Ready } } },
    },
  });
  router.get('/ready', (_req, res) => {
    const r = ctx.store.readiness();
    if (r.ok) res.json({ status: 'ready', database: 'ok' });
    else res.status(503).json({ status: 'not_ready', database: 'unavailable', reason: r.reason });
  });

  return router;
}
