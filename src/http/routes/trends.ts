import { AppError } from '../../errors';
import { presentDayTrends, presentTrends } from '../../presenters/json';
import { SuppressedFilterEnum, TrendsSchema } from '../../presenters/schemas';
import { dailyTrends, trends } from '../../scans/trends';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { queryInt, targetName } from '../schemas';

const TREND_BUCKETS = ['run', 'day'] as const;

const TrendsQuery = z
  .object({
    target: targetName()
      .optional()
      .openapi({
        description:
          "One target's trend. Default: every target (the organization, by day) — or, while keywatch knows exactly one target, that target's",
      }),
    bucket: z
      .enum(TREND_BUCKETS, { message: 'must be run or day' })
      .optional()
      .openapi({ description: '`run`: one point per succeeded run (needs one target); `day`: one point per UTC day. Default: `run` for one target, `day` for every target' }),
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
      summary: 'Open, new and resolved findings over time, for a chart: per run of one target, or per day for the organization',
      description:
        '**One target** (`target`, or no target while keywatch knows only one): one point per succeeded run, oldest first (`bucket: run`) — ' +
        'open findings by severity and the new, resolved and changed counts of that run. ' +
        '**Every target** (no `target` while keywatch knows several; or `bucket=day`): one point per UTC day on which some target had a ' +
        'succeeded run, oldest first (`bucket: day`). A day\'s `open` and `open_by_severity` are the organization at the end of that day as ' +
        'keywatch knew it: for every target, what its last succeeded run of that day saw, and for a target not scanned that day its last ' +
        'known state (what its last succeeded run before saw), summed — so a target scanned less often does not make the chart drop on the ' +
        'days it was not scanned. A target that left the configuration or the organization stops counting from the day it left. `new`, ' +
        '`resolved` and `changed` are summed over every succeeded run of that day. `targets` says how many targets a point counts, ' +
        '`scanned_targets` how many were scanned that day. ' +
        'Counts are taken when each run is recorded, with the suppressions of that moment (a later suppression does not rewrite past points); ' +
        '`suppressed=exclude` (default) leaves suppressed findings out, `include` counts them, `only` counts only them.',
      tags: ['findings'],
      request: { query: TrendsQuery },
      responses: { 200: { description: 'The points', schema: TrendsSchema } },
      errors: [400, 401],
      handler: ({ query: q }) => {
        const range = { since: q.since ? Date.parse(q.since) : undefined, until: q.until ? Date.parse(q.until) : undefined };
        const target = q.target ?? (q.bucket === 'day' ? undefined : ctx.scans.targets.only()?.name);
        const bucket = q.bucket ?? (target !== undefined ? 'run' : 'day');
        if (bucket === 'day') {
          const { points, truncated } = dailyTrends(ctx.store, { target, ...range, limit: q.limit, suppressed: q.suppressed });
          return { status: 200, body: presentDayTrends(target ?? null, q.suppressed, points, truncated) };
        }
        if (target === undefined) {
          const known = ctx.scans.targets.list().length;
          throw AppError.validation([{ field: 'target', message: `is required with bucket=run: keywatch knows ${known} targets (GET /api/targets); name one` }]);
        }
        const { points, truncated } = trends(ctx.store, { target, ...range, limit: q.limit, suppressed: q.suppressed });
        return { status: 200, body: presentTrends(target, q.suppressed, points, truncated) };
      },
    }),
  ];
}
