import { renderDiffJson } from '../../presenters/diff-json';
import { DiffSchema, SuppressedFilterEnum } from '../../presenters/schemas';
import { diffRuns } from '../../scans/diff';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { IdParam, positiveId } from '../schemas';

const DiffQuery = z.object({
  base: positiveId('must be a positive run id')
    .optional()
    .openapi({ description: 'The run to compare with; default: the previous succeeded run of the same target' }),
  suppressed: SuppressedFilterEnum.default('exclude'),
});

export function diffRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/scans/{id}/diff',
      summary: 'What changed between two runs',
      description:
        'new (seen by the run, not by base), resolved (seen by base, not by the run), changed (both, with another severity or durable evidence: before and after) and the count of unchanged. ' +
        'Last-use dates never make a finding changed; a rotated key is one resolved and one new finding. ' +
        'Without `base`, the previous succeeded run of the same target (none: everything is new, base_run_id null). ' +
        'Lists: most severe first, then in the order the changes happened. Suppressed findings are left out unless `suppressed=include|only` (suppressions as of now). ' +
        '400 when the runs belong to different targets, 409 when either did not succeed, 404 for unknown ids.',
      tags: ['scans'],
      request: { params: IdParam, query: DiffQuery },
      responses: { 200: { description: 'The difference', schema: DiffSchema } },
      errors: [400, 401, 404, 409],
      handler: ({ params, query }) => {
        const diff = diffRuns(ctx.store, params.id, { baseId: query.base, suppressed: query.suppressed, now: ctx.clock().getTime() });
        // Written as JSON text: diffs can list tens of thousands of findings (src/presenters/diff-json.ts).
        return { status: 200, json: renderDiffJson(diff) };
      },
    }),
  ];
}
