import { Router } from 'express';
import { severityRank, type Severity } from '../../domain/severity';
import { AppError } from '../../errors';
import { allFindings, listFindings, type FindingsFilter } from '../../scans/findings-query';
import { findingTimeline } from '../../scans/timeline';
import type { SuppressedFilter } from '../../domain/findings';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';
import { csvRecord } from '../csv';
import { FINDINGS_CSV_COLUMNS, findingCsvRecord, presentFinding, presentTimeline } from '../presenters';
import { errorResponses, FindingPageSchema, FindingSchema, IdParam, queryInt, SeverityEnum, SuppressedFilterEnum } from '../schemas';
import { parseInput } from '../validate';

export const ListFindingsQuery = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  check: z.string().optional().openapi({ description: 'Check id, e.g. access_key_not_rotated' }),
  severity: SeverityEnum.optional().openapi({ description: 'Exactly this severity' }),
  min_severity: SeverityEnum.optional().openapi({ description: 'This severity or worse' }),
  user: z.string().optional().openapi({ description: 'IAM user name' }),
  resource_id: z.string().optional().openapi({ description: 'AccessKeyId, user ARN, `root` or account id' }),
  first_seen_since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  suppressed: SuppressedFilterEnum.default('exclude'),
  sort: z.enum(['severity', 'first_seen', 'last_seen', 'check', 'user']).default('severity'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: queryInt(1, 500).default(50).openapi({ description: 'Page size (1–500)', default: 50, example: 50 }),
  cursor: z
    .string()
    .max(1000, 'is too long')
    .optional()
    .openapi({ description: 'Opaque: `next_cursor` of the previous page. Use with the same filters and sort; not with offset.' }),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional().openapi({ description: 'Items to skip (offset pagination; prefer cursor)' }),
  format: z
    .enum(['json', 'csv'], { message: 'must be json or csv' })
    .default('json')
    .openapi({
      description:
        '`csv`: every finding matching the filters as RFC 4180 CSV with a header row (limit, offset and cursor are ignored). ' +
        "Text cells beginning with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that spreadsheets never run them as formulas.",
    }),
});

const TimelineEntry = z
  .object({
    severity: SeverityEnum,
    evidence: z.record(z.string(), z.unknown()).openapi({ description: 'Durable evidence of this state' }),
    from_run_id: z.number().int().openapi({ description: 'First run that saw this state' }),
    from_at: z.string(),
    to_run_id: z.number().int().nullable().openapi({ description: 'Last run that saw this state; null while it lasts' }),
    to_at: z.string().nullable(),
    ended_by: z.enum(['changed', 'resolved']).nullable().openapi({ description: 'What ended the state: another state, or the finding went away' }),
    ended_by_run_id: z.number().int().nullable().openapi({ description: 'The run that ended it (first run that no longer saw it)' }),
    ended_at: z.string().nullable(),
  })
  .openapi('FindingState');

const FindingWithTimeline = FindingSchema.extend({
  timeline: z.array(TimelineEntry),
  events: z.array(
    z.object({
      type: z.enum(['first_seen', 'changed', 'resolved', 'reopened']),
      run_id: z.number().int(),
      at: z.string(),
      severity: SeverityEnum.optional(),
      previous_severity: SeverityEnum.optional(),
    }),
  ),
}).openapi('FindingDetail');

export function findingsRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
    method: 'get',
    path: '/api/findings',
    summary: 'Current findings (open by default)',
    description:
      'Filters, sort and pagination with a total. Pagination: pass `next_cursor` back as `cursor` (stable while findings change), or use `offset`. ' +
      'Suppressed findings are left out unless `suppressed=include|only`. `format=csv` answers every matching finding as CSV (text/csv) with a header row.',
    tags: ['findings'],
    request: { query: ListFindingsQuery },
    responses: {
      200: {
        description: 'A page of findings (JSON), or every matching finding (CSV)',
        content: { 'application/json': { schema: FindingPageSchema }, 'text/csv': { schema: z.string() } },
      },
      ...errorResponses(400, 401),
    },
  });
  router.get('/findings', (req, res) => {
    const q = parseInput(ListFindingsQuery, req.query, 'query');
    const filter: FindingsFilter = {
      target: ctx.config.target,
      status: q.status,
      checkId: q.check,
      severity: q.severity,
      minSeverityRank: q.min_severity ? severityRank(q.min_severity as Severity) : undefined,
      userName: q.user,
      resourceId: q.resource_id,
      firstSeenSince: q.first_seen_since ? Date.parse(q.first_seen_since) : undefined,
      suppressed: q.suppressed as SuppressedFilter,
      sort: q.sort,
      order: q.order,
    };
    const now = ctx.clock().getTime();
    if (q.format === 'csv') {
      const stamp = new Date(now).toISOString().slice(0, 10);
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="keywatch-findings-${filter.target}-${stamp}.csv"`);
      res.write(csvRecord([...FINDINGS_CSV_COLUMNS]));
      for (const page of allFindings(ctx.store, filter, now)) res.write(page.map((f) => findingCsvRecord(f, now)).join(''));
      res.end();
      return;
    }
    const page = listFindings(ctx.store, { ...filter, limit: q.limit, offset: q.offset, cursor: q.cursor }, now);
    res.json({
      items: page.items.map((f) => presentFinding(f, now)),
      total: page.total,
      limit: q.limit,
      offset: page.offset,
      next_offset: page.nextOffset,
      next_cursor: page.nextCursor,
    });
  });

  registry.registerPath({
    method: 'get',
    path: '/api/findings/{id}',
    summary: 'One finding with its timeline',
    description:
      'Every state the finding went through (severity and durable evidence, the runs that saw it first and last, what ended it) and the events first_seen, changed, resolved and reopened.',
    tags: ['findings'],
    request: { params: IdParam },
    responses: {
      200: { description: 'The finding and every state it went through', content: { 'application/json': { schema: FindingWithTimeline } } },
      ...errorResponses(400, 401, 404),
    },
  });
  router.get('/findings/:id', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    const now = ctx.clock().getTime();
    const timeline = findingTimeline(ctx.store, id, now);
    if (!timeline) throw AppError.notFound(`Finding ${id}`);
    res.json(presentTimeline(timeline, now));
  });

  return router;
}
