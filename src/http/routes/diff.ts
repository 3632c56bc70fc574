import { Router } from 'express';
import { diffRuns } from '../../scans/diff';
import type { SuppressedFilter } from '../../domain/findings';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';
import { renderDiffJson } from '../presenters';
import { DiffSchema, errorResponses, IdParam, positiveId, SuppressedFilterEnum } from '../schemas';
import { parseInput } from '../validate';

const DiffQuery = z.object({
  base: positiveId('must be a positive run id')
    .optional()
    .openapi({ description: 'The run to compare with; default: the previous succeeded run of the same target' }),
  suppressed: SuppressedFilterEnum.default('exclude'),
});

export function diffRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
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
    responses: {
      200: { description: 'The difference', content: { 'application/json': { schema: DiffSchema } } },
      ...errorResponses(400, 401, 404, 409),
    },
  });
  router.get('/scans/:id/diff', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    const q = parseInput(DiffQuery, req.query, 'query');
    const diff = diffRuns(ctx.store, id, { baseId: q.base, suppressed: q.suppressed as SuppressedFilter, now: ctx.clock().getTime() });
    res.type('application/json').send(renderDiffJson(diff));
  });

  return router;
}
