import { presentTrends } from '../../presenters/json';
import { SuppressedFilterEnum, TrendsSchema } from '../../presenters/schemas';
import { trends } from '../../scans/trends';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { queryInt } from '../schemas';

const TrendsQuery = z
  .object({
    target: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
      .optional()
      .openapi({ description: 'Default: the configured KEYWATCH_TARGET' }),
    since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional().openapi({ description: 'Runs finished at or after' }),
    until: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional().openapi({ description: 'Runs finished at or before' }),
    limit: queryInt(1, 10000).default(1000).openapi({ description: 'At most this many points (the most recent ones)', default: 1000 }),
    suppressed: SuppressedFilterEnum.default('exclude'),
  })
  .refine((q) => !q.since || !q.until || Date.parse(q.since) <= Date.parse(q.until), { message: 'must not be after until', path: ['since'] });

export function trendsRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/trends',
      summary: 'Open, new and resolved findings per run, for a chart',
      description:
        'One point per succeeded run, oldest first: open findings by severity and the new, resolved and changed counts of that run. ' +
        'Counts are taken when each run is recorded, with the suppressions of that moment (a later suppression does not rewrite past points); ' +
        '`suppressed=exclude` (default) leaves suppressed findings out, `include` counts them, `only` counts only them.',
      tags: ['findings'],
      request: { query: TrendsQuery },
      responses: { 200: { description: 'The points', schema: TrendsSchema } },
      errors: [400, 401],
      handler: ({ query: q }) => {
        const target = q.target ?? ctx.config.target;
        const { points, truncated } = trends(ctx.store, {
          target,
          since: q.since ? Date.parse(q.since) : undefined,
          until: q.until ? Date.parse(q.until) : undefined,
          limit: q.limit,
          suppressed: q.suppressed,
        });
        return { status: 200, body: presentTrends(target, q.suppressed, points, truncated) };
      },
    }),
  ];
}
