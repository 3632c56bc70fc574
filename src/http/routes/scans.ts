import { presentFinding, presentRun } from '../../presenters/json';
import { FindingSchema, RunSchema, RunStatusEnum, SourceEnum } from '../../presenters/schemas';
import { loadRun, requireSucceeded } from '../../scans/runs';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { IdParam, page, pageOf, PaginationQuery } from '../schemas';

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

export function scansRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/scans',
      summary: 'Start a scan',
      description:
        'Answers 202 with the running run, or with `?wait=true` 200 with the finished run. 409 while a scan of that target runs, ' +
        'in this or any other keywatch process on the same database (the message names the running run). ' +
        '503 `storage_unavailable` when the run cannot be recorded: the scan is not started. With `?wait=true`, 503 also when the scan ran but its end could not be stored.',
      tags: ['scans'],
      request: { query: StartScanQuery, body: StartScanBody },
      responses: {
        202: { description: 'Scan started', schema: RunSchema },
        200: { description: 'Scan finished (wait=true)', schema: RunSchema },
      },
      errors: [400, 401, 409, 413, 415],
      handler: async ({ query, body }) => {
        const started = ctx.scans.start({ source: body.source, target: body.target, trigger: 'api' });
        if (query.wait === 'true') {
          // `recorded`: a run whose end could not be stored is a 503, not a 200 with a run still `running`.
          return { status: 200, body: presentRun(await started.recorded) };
        }
        return { status: 202, headers: { Location: `/api/scans/${started.run.id}` }, body: presentRun(started.run) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/scans',
      summary: 'Run history, newest first',
      tags: ['scans'],
      request: { query: ListRunsQuery },
      responses: { 200: { description: 'A page of runs', schema: page(RunSchema, 'RunPage') } },
      errors: [400, 401],
      handler: ({ query: q }) => {
        const { items, total } = ctx.store.runs.list({ target: q.target, status: q.status, source: q.source, limit: q.limit, offset: q.offset });
        return { status: 200, body: pageOf(items.map(presentRun), total, q.limit, q.offset) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/scans/{id}',
      summary: 'One run with its stats',
      tags: ['scans'],
      request: { params: IdParam },
      responses: { 200: { description: 'The run', schema: RunSchema } },
      errors: [400, 401, 404],
      handler: ({ params }) => ({ status: 200, body: presentRun(loadRun(ctx.store, params.id)) }),
    }),

    defineRoute({
      method: 'get',
      path: '/api/scans/{id}/findings',
      summary: 'Exactly what that run saw',
      description: 'Severity and durable evidence as they were at that run; volatile evidence (last use) is the latest known. 409 for a run that did not succeed.',
      tags: ['scans'],
      request: { params: IdParam, query: PaginationQuery },
      responses: { 200: { description: 'A page of findings', schema: page(FindingSchema, 'RunFindingPage') } },
      errors: [400, 401, 404, 409],
      handler: ({ params, query: q }) => {
        const run = loadRun(ctx.store, params.id);
        requireSucceeded(run, { role: 'Run', reason: 'only a succeeded run has findings.', withError: true });
        const { items, total } = ctx.store.runViews.seenByRun(run.target, run.id, q);
        const now = ctx.clock().getTime();
        return { status: 200, body: pageOf(items.map((f) => presentFinding(f, now)), total, q.limit, q.offset) };
      },
    }),
  ];
}
