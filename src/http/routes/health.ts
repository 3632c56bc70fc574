/** Liveness and readiness: no auth (app.ts mounts them before authentication), so that probes work. */
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';

const Health = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    next_scheduled_scan: z.string().nullable().openapi({ format: 'date-time', description: 'null when the schedule is disabled' }),
    scan_interval_seconds: z
      .number()
      .int()
      .nullable()
      .openapi({
        description:
          'The longest time between two scans of KEYWATCH_SCAN_SCHEDULE (a day for a daily schedule); null when the schedule is empty. ' +
          'The dashboard warns when a target has no succeeded scan for twice this long.',
      }),
  })
  .openapi('Health');

const Ready = z
  .object({ status: z.enum(['ready', 'not_ready']), database: z.string(), reason: z.string().optional() })
  .openapi('Ready');

export function healthRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/health',
      summary: 'Liveness: the process answers',
      tags: ['health'],
      security: [],
      responses: { 200: { description: 'Alive', schema: Health } },
      handler: () => ({
        status: 200,
        body: {
          status: 'ok',
          version: ctx.config.version,
          next_scheduled_scan: ctx.nextScheduledScan()?.toISOString() ?? null,
          scan_interval_seconds: ctx.scanIntervalMs === null ? null : Math.round(ctx.scanIntervalMs / 1000),
        },
      }),
    }),

    defineRoute({
      method: 'get',
      path: '/api/ready',
      summary: 'Readiness: the database answers, all migrations are applied and a write can be committed',
      description:
        'Commits a tiny probe write (and checks in a rolled-back savepoint that the file can still grow), so a read-only, failing or full database answers 503; `reason` names the database path and the SQLite error code.',
      tags: ['health'],
      security: [],
      responses: {
        200: { description: 'Ready', schema: Ready },
        503: { description: 'Not ready', schema: Ready },
      },
      handler: () => {
        const r = ctx.store.readiness();
        return r.ok
          ? { status: 200, body: { status: 'ready', database: 'ok' } }
          : { status: 503, body: { status: 'not_ready', database: 'unavailable', reason: r.reason } };
      },
    }),
  ];
}
