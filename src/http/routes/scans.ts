import { AppError } from '../../errors';
import { presentFinding, presentRun, presentScanBatch } from '../../presenters/json';
import { FindingSchema, RunSchema, RunStatusEnum, ScanBatchSchema, SourceEnum } from '../../presenters/schemas';
import type { StartedScan } from '../../scans/scan-service';
import { loadRun, requireSucceeded } from '../../scans/runs';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { IdParam, page, pageOf, PaginationQuery, targetName } from '../schemas';

const StartScanBody = z
  .object({
    source: SourceEnum.optional().openapi({
      description: "`api` (live IAM API) or `credential_report`. Default: each target's own source (KEYWATCH_SCAN_SOURCE, or the targets file's)",
    }),
    target: targetName()
      .optional()
      .openapi({ description: 'The target to scan (GET /api/targets). May be left out while exactly one target is active; with several, name one or send `all`' }),
    all: z
      .boolean({ message: 'must be true or false' })
      .optional()
      .openapi({ description: 'true: start a scan of every active target (answers a ScanBatch)' }),
  })
  .strict()
  .refine((b) => !(b.all === true && b.target !== undefined), {
    message: 'cannot be combined with all: name one target, or scan all of them',
    path: ['target'],
  })
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
  target: targetName().optional().openapi({ description: "Only this target's runs (GET /api/targets); default: every target" }),
});

/** Waits for every started run; a run whose end could not be stored makes it a 503 (as for one run). */
async function finishedRuns(started: StartedScan[]) {
  const settled = await Promise.allSettled(started.map((s) => s.recorded));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<Awaited<StartedScan['recorded']>>).value);
}

export function scansRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/scans',
      summary: 'Start a scan of one target, or of every active target',
      description:
        '`{"target": "NAME"}` (or no target while exactly one is active; with several, a 400 naming `target`) answers 202 with the run ' +
        '(`running`, or `queued` while KEYWATCH_SCAN_PARALLELISM scans run), or with `?wait=true` 200 with the finished run. ' +
        '409 while a scan of that target runs, in this or any other keywatch process on the same database (the message names the running run). ' +
        '`{"all": true}` starts every active target and answers 202 with a ScanBatch: the runs, and the targets refused because a scan of them ' +
        'is already running (each with its 409 message) or whose run could not be stored (503 storage_unavailable) — one refused target never stops the others; ' +
        '409 when every active target is busy, 503 when not even the first run could be stored (nothing started). ' +
        'With `?wait=true`, 200 with every run finished. ' +
        '503 `storage_unavailable` when a run cannot be recorded: that scan is not started. With `?wait=true`, 503 also when a scan ran but its end could not be stored.',
      tags: ['scans'],
      request: { query: StartScanQuery, body: StartScanBody },
      responses: {
        202: { description: 'Scan started (a run), or scans started (`all`: a ScanBatch)', schema: z.union([RunSchema, ScanBatchSchema]) },
        200: { description: 'Scan finished (wait=true): the run, or with `all` the ScanBatch of finished runs', schema: z.union([RunSchema, ScanBatchSchema]) },
      },
      errors: [400, 401, 409, 413, 415],
      handler: async ({ query, body }) => {
        if (body.all === true) {
          if (ctx.scans.targets.active().length === 0) {
            throw AppError.validation([{ field: 'all', message: 'no target is active (see GET /api/targets)' }]);
          }
          const { started, refused } = ctx.scans.startAll({ source: body.source, trigger: 'api' });
          if (started.length === 0) {
            throw new AppError('scan_in_progress', 409, `Every active target is being scanned: ${refused.map((r) => r.error.message).join(' ')}`);
          }
          if (query.wait === 'true') return { status: 200, body: presentScanBatch(await finishedRuns(started), refused) };
          return { status: 202, body: presentScanBatch(started.map((s) => s.run), refused) };
        }
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
      description: 'Every target\'s runs unless `target` is given; each run names its `target`, `account_id` and `account_name`.',
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
