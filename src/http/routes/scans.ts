import { Router } from 'express';
import type { ScanSource } from '../../domain/snapshot';
import { loadRun, requireSucceeded } from '../../scans/runs';
import type { RunStatus } from '../../domain/runs';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';
import { pageOf, presentFinding, presentRun } from '../presenters';
import { errorResponses, FindingSchema, IdParam, page, PaginationQuery, RunSchema, RunStatusEnum, SourceEnum } from '../schemas';
import { parseInput } from '../validate';

const StartScanBody = z
  .object({
    source: SourceEnum.default('api').openapi({ description: '`api` (live IAM API) or `credential_report`' }),
    target: z.string().optional().openapi({ description: 'Defaults to the configured KEYWATCH_TARGET' }),
  })
  .strict()
  .openapi('StartScan');

const StartScanQuery = z.object({
  wait: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .openapi({ description: 'true: wait for the scan to finish and answer with the finished run' }),
});

const ListRunsQuery = PaginationQuery.extend({
  status: RunStatusEnum.optional(),
  source: SourceEnum.optional(),
  target: z.string().optional(),
});

export function scansRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
    method: 'post',
    path: '/api/scans',
    summary: 'Start a scan',
    description:
      'Answers 202 with the running run, or with `?wait=true` 200 with the finished run. 409 while a scan of that target runs, ' +
      'in this or any other keywatch process on the same database (the message names the running run). ' +
      '503 `storage_unavailable` when the run cannot be recorded: the scan is not started. With `?wait=true`, 503 also when the scan ran but its end could not be stored.',
    tags: ['scans'],
    request: { query: StartScanQuery, body: { required: false, content: { 'application/json': { schema: StartScanBody } } } },
    responses: {
      202: { description: 'Scan started', content: { 'application/json': { schema: RunSchema } } },
      200: { description: 'Scan finished (wait=true)', content: { 'application/json': { schema: RunSchema } } },
      ...errorResponses(400, 401, 409, 413, 415),
    },
  });
  router.post('/scans', async (req, res) => {
    const query = parseInput(StartScanQuery, req.query, 'query');
    const body = parseInput(StartScanBody, req.body ?? {}, 'body');
    const started = ctx.scans.start({ source: body.source as ScanSource, target: body.target, trigger: 'api' });
    if (query.wait === 'true') {
      // `recorded`: a run whose end could not be stored is a 503, not a 200 with a run still `running`.
      res.status(200).json(presentRun(await started.recorded));
    } else {
      res.status(202).location(`/api/scans/${started.run.id}`).json(presentRun(started.run));
    }
  });

  registry.registerPath({
    method: 'get',
    path: '/api/scans',
    summary: 'Run history, newest first',
    tags: ['scans'],
    request: { query: ListRunsQuery },
    responses: { 200: { description: 'A page of runs', content: { 'application/json': { schema: page(RunSchema, 'RunPage') } } }, ...errorResponses(400, 401) },
  });
  router.get('/scans', (req, res) => {
    const q = parseInput(ListRunsQuery, req.query, 'query');
    const { items, total } = ctx.store.runs.list({ target: q.target, status: q.status as RunStatus | undefined, source: q.source, limit: q.limit, offset: q.offset });
    res.json(pageOf(items.map(presentRun), total, q.limit, q.offset));
  });

  registry.registerPath({
    method: 'get',
    path: '/api/scans/{id}',
    summary: 'One run with its stats',
    tags: ['scans'],
    request: { params: IdParam },
    responses: { 200: { description: 'The run', content: { 'application/json': { schema: RunSchema } } }, ...errorResponses(400, 401, 404) },
  });
  router.get('/scans/:id', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    res.json(presentRun(loadRun(ctx.store, id)));
  });

  registry.registerPath({
    method: 'get',
    path: '/api/scans/{id}/findings',
    summary: 'Exactly what that run saw',
    description: 'Severity and durable evidence as they were at that run; volatile evidence (last use) is the latest known. 409 for a run that did not succeed.',
    tags: ['scans'],
    request: { params: IdParam, query: PaginationQuery },
    responses: {
      200: { description: 'A page of findings', content: { 'application/json': { schema: page(FindingSchema, 'RunFindingPage') } } },
      ...errorResponses(400, 401, 404, 409),
    },
  });
  router.get('/scans/:id/findings', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    const q = parseInput(PaginationQuery, req.query, 'query');
    const run = loadRun(ctx.store, id);
    requireSucceeded(run, { role: 'Run', reason: 'only a succeeded run has findings.', withError: true });
    const { items, total } = ctx.store.runViews.seenByRun(run.target, run.id, q);
    const now = ctx.clock().getTime();
    res.json(pageOf(items.map((f) => presentFinding(f, now)), total, q.limit, q.offset));
  });

  return router;
}
