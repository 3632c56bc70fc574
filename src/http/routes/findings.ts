import { FINDING_SORTS, FINDING_STATUSES, SORT_ORDERS } from '../../domain/findings';
import { severityRank } from '../../domain/severity';
import { AppError } from '../../errors';
import { presentFinding, presentTimeline } from '../../presenters/json';
import { FindingDetailSchema, PrivilegeEnum, SeverityEnum, SuppressedFilterEnum } from '../../presenters/schemas';
import { allFindings, listFindings, type FindingsFilter } from '../../scans/findings-query';
import { findingTimeline } from '../../scans/timeline';
import type { Finding } from '../../domain/findings';
import type { HttpContext } from '../context';
import { csvRecord } from '../csv';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { FindingPageSchema, IdParam, queryInt, targetName } from '../schemas';

export const ListFindingsQuery = z.object({
  target: targetName().optional().openapi({ description: "Only this target's findings (GET /api/targets); default: every target" }),
  status: z.enum([...FINDING_STATUSES, 'all']).default('open'),
  check: z.string().optional().openapi({ description: 'Check id, e.g. access_key_not_rotated' }),
  severity: SeverityEnum.optional().openapi({ description: 'Exactly this severity' }),
  min_severity: SeverityEnum.optional().openapi({ description: 'This severity or worse' }),
  user: z.string().optional().openapi({ description: 'IAM user name' }),
  resource_id: z.string().optional().openapi({ description: 'AccessKeyId, user ARN, `root` or account id' }),
  privilege: PrivilegeEnum.optional().openapi({ description: "Only findings whose user is classified this way (the finding's `privilege`)" }),
  first_seen_since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  suppressed: SuppressedFilterEnum.default('exclude'),
  sort: z.enum(FINDING_SORTS).default('severity'),
  order: z.enum(SORT_ORDERS).default('desc'),
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

/** Columns of the findings CSV export, in order. */
const FINDINGS_CSV_COLUMNS = [
  'id',
  'target',
  'check_id',
  'severity',
  'status',
  'title',
  'resource_type',
  'resource_id',
  'user_name',
  'user_arn',
  'message',
  'first_seen_at',
  'last_seen_at',
  'resolved_at',
  'suppressed',
  'suppression_id',
  'evidence',
  'account_id',
  'privilege',
] as const;

/** One finding as a CSV record (columns as FINDINGS_CSV_COLUMNS): its JSON presentation, through the one CSV writer. */
function findingCsvRecord(f: Finding, now: number): string {
  const j = presentFinding(f, now);
  return csvRecord([
    j.id,
    j.target,
    j.check_id,
    j.severity,
    j.status,
    j.title,
    j.resource_type,
    j.resource_id,
    j.user_name,
    j.user_arn,
    j.message,
    j.first_seen_at,
    j.last_seen_at,
    j.resolved_at,
    j.suppressed,
    j.suppression_id,
    JSON.stringify(j.evidence),
    j.account_id,
    j.privilege,
  ]);
}

/** The header, then one chunk per page of findings: the export is never built in memory. */
function* findingsCsv(pages: Iterable<Finding[]>, now: number): Generator<string> {
  yield csvRecord([...FINDINGS_CSV_COLUMNS]);
  for (const page of pages) yield page.map((f) => findingCsvRecord(f, now)).join('');
}

export function findingsRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/findings',
      summary: 'Current findings (open by default)',
      description:
        'Every target\'s findings unless `target` is given; each finding names its `target` and `account_id`. ' +
        'Filters, sort and pagination with a total. `sort=severity` (default) sorts by the effective severity: a finding on the credentials of an ' +
        '`admin` or `privilege_escalation` user, raised one level, sorts at its raised severity. ' +
        'Pagination: pass `next_cursor` back as `cursor` (stable while findings change), or use `offset`. ' +
        'Suppressed findings are left out unless `suppressed=include|only`. `format=csv` answers every matching finding as CSV (text/csv) with a header row.',
      tags: ['findings'],
      request: { query: ListFindingsQuery },
      responses: {
        200: { description: 'A page of findings (JSON), or every matching finding (CSV)', contentType: 'text/csv', schema: FindingPageSchema },
      },
      errors: [400, 401],
      handler: ({ query: q }) => {
        const filter: FindingsFilter = {
          target: q.target,
          status: q.status,
          checkId: q.check,
          severity: q.severity,
          minSeverityRank: q.min_severity ? severityRank(q.min_severity) : undefined,
          userName: q.user,
          resourceId: q.resource_id,
          privilege: q.privilege,
          firstSeenSince: q.first_seen_since ? Date.parse(q.first_seen_since) : undefined,
          suppressed: q.suppressed,
          sort: q.sort,
          order: q.order,
        };
        const now = ctx.clock().getTime();
        if (q.format === 'csv') {
          const stamp = new Date(now).toISOString().slice(0, 10);
          // Named by the target it covers: the one asked for, the only one keywatch knows, or all of them.
          const scope = q.target ?? ctx.scans.targets.only()?.name ?? 'all-targets';
          return {
            status: 200,
            headers: { 'Content-Disposition': `attachment; filename="keywatch-findings-${scope}-${stamp}.csv"` },
            text: findingsCsv(allFindings(ctx.store, filter, now), now),
          };
        }
        const page = listFindings(ctx.store, { ...filter, limit: q.limit, offset: q.offset, cursor: q.cursor }, now);
        return {
          status: 200,
          body: {
            items: page.items.map((f) => presentFinding(f, now)),
            total: page.total,
            limit: q.limit,
            offset: page.offset,
            next_offset: page.nextOffset,
            next_cursor: page.nextCursor,
          },
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/findings/{id}',
      summary: 'One finding with its timeline',
      description:
        'Every state the finding went through (severity and durable evidence, the runs that saw it first and last, what ended it) and the events first_seen, changed, resolved and reopened.',
      tags: ['findings'],
      request: { params: IdParam },
      responses: { 200: { description: 'The finding and every state it went through', schema: FindingDetailSchema } },
      errors: [400, 401, 404],
      handler: ({ params }) => {
        const now = ctx.clock().getTime();
        const timeline = findingTimeline(ctx.store, params.id, now);
        if (!timeline) throw AppError.notFound(`Finding ${params.id}`);
        return { status: 200, body: presentTimeline(timeline, now) };
      },
    }),
  ];
}
