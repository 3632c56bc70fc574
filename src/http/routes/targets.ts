import { presentTargets } from '../../presenters/json';
import { TargetsOverviewSchema } from '../../presenters/schemas';
import { targetsOverview } from '../../scans/targets-overview';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { queryInt } from '../schemas';

const ListTargetsQuery = z.object({
  limit: queryInt(1, 1000).default(1000).openapi({ description: 'Page size (1–1000)', default: 1000 }),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0).openapi({ description: 'Targets to skip', default: 0 }),
});

export function targetsRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/targets',
      summary: 'Every target (active and inactive) with its last run, open findings by severity and next scan; organization totals',
      description:
        'A target is one AWS account keywatch scans: configured (KEYWATCH_TARGET or the targets file) or discovered in the organization ' +
        '(named by its account id, its account name as `account_name`). An inactive target left the configuration or the organization: ' +
        'it is not scanned, its history stays readable. `open_findings` and `totals` count open findings that no suppression covers, by ' +
        'their effective severity — `totals.total` equals the `total` of GET /api/findings. `discovery.last` is the latest organization ' +
        'discovery (at start-up and before every scheduled cycle). Role ARNs are shown; ExternalIds (secrets) never are.',
      tags: ['targets'],
      request: { query: ListTargetsQuery },
      responses: { 200: { description: 'The targets and the organization totals', schema: TargetsOverviewSchema } },
      errors: [400, 401],
      handler: ({ query }) => {
        const overview = targetsOverview(ctx.store, ctx.scans.targets, { nextScheduledScan: ctx.nextScheduledScan, now: ctx.clock().getTime() });
        return { status: 200, body: presentTargets(overview, query) };
      },
    }),
  ];
}
