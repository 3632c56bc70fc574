import { checkText } from '../../checks/catalog';
import type { DiffCategory } from '../../domain/findings';
import { renderDiffJson } from '../../presenters/diff-json';
import { DiffCategoryFilterEnum, DiffSchema, SuppressedFilterEnum } from '../../presenters/schemas';
import { diffPage, streamDiff, type ChangedItem, type DiffItem } from '../../scans/diff';
import type { HttpContext } from '../context';
import { csvRecord } from '../csv';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { IdParam, positiveId, queryInt } from '../schemas';

const DiffQuery = z.object({
  base: positiveId('must be a positive run id')
    .optional()
    .openapi({ description: 'The run to compare with; default: the previous succeeded run of the same target' }),
  suppressed: SuppressedFilterEnum.default('exclude'),
  category: DiffCategoryFilterEnum.default('all'),
  limit: queryInt(1, 1000).default(100).openapi({ description: 'Items of each listed category per page (1–1000)', default: 100, example: 100 }),
  cursor: z
    .string()
    .max(1000, 'is too long')
    .optional()
    .openapi({ description: 'Opaque: `next_cursor` of the previous page. Use with the same base, category and suppressed.' }),
  format: z
    .enum(['json', 'csv'], { message: 'must be json or csv' })
    .default('json')
    .openapi({
      description:
        '`csv`: the whole diff — every new, resolved and changed finding, with a `change` column — as RFC 4180 CSV with a header row ' +
        '(category, limit and cursor are ignored; suppressed applies). ' +
        "Text cells beginning with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that spreadsheets never run them as formulas.",
    }),
});

/** Columns of the diff CSV export, in order. before_* are the base run's state of a changed finding (empty otherwise). */
const DIFF_CSV_COLUMNS = [
  'change',
  'finding_id',
  'check_id',
  'title',
  'severity',
  'resource_type',
  'resource_id',
  'user_name',
  'evidence',
  'before_severity',
  'before_evidence',
  'suppressed',
  'suppression_id',
] as const;

function diffCsvRecord(change: DiffCategory, item: DiffItem | ChangedItem): string {
  const s = item.state;
  const before = 'before' in item ? item.before : null;
  return csvRecord([
    change,
    s.findingId,
    s.checkId,
    checkText(s.checkId).title,
    s.severity,
    s.resourceType,
    s.resourceId,
    s.userName,
    s.durableJson,
    before?.severity,
    before?.durableJson,
    item.suppressionId !== null,
    item.suppressionId,
  ]);
}

/** The header, then the items a chunk of records at a time, as the diff is read: never built in memory. */
export function* diffCsv(items: Iterable<{ change: DiffCategory; item: DiffItem | ChangedItem }>, chunk = 500): Generator<string> {
  yield csvRecord([...DIFF_CSV_COLUMNS]);
  let out = '';
  let n = 0;
  for (const { change, item } of items) {
    out += diffCsvRecord(change, item);
    if (++n === chunk) {
      yield out;
      out = '';
      n = 0;
    }
  }
  if (out) yield out;
}

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
        'Every page answers the counts of the whole diff. Items are paged: `category` lists one category (default: all three), at most `limit` items of each per page; ' +
        'pass `next_cursor` back as `cursor` (with the same base, category and suppressed) for the next page. ' +
        'Items come in the order the changes happened: new and changed in the order their state began, resolved in the order it ended. ' +
        'Suppressed findings are left out unless `suppressed=include|only` (suppressions as of now). `format=csv` streams the whole diff. ' +
        '400 when the runs belong to different targets or the cursor belongs to another query, 409 when either run did not succeed, 404 for unknown ids.',
      tags: ['scans'],
      request: { params: IdParam, query: DiffQuery },
      responses: {
        200: { description: 'A page of the difference (JSON), or the whole difference (CSV)', contentType: 'text/csv', schema: DiffSchema },
      },
      errors: [400, 401, 404, 409],
      handler: ({ params, query }) => {
        const now = ctx.clock().getTime();
        if (query.format === 'csv') {
          const streamed = streamDiff(ctx.store, params.id, { baseId: query.base, suppressed: query.suppressed, now });
          const name = `keywatch-diff-${streamed.run.target}-${streamed.base?.id ?? 'none'}-${streamed.run.id}.csv`;
          return { status: 200, headers: { 'Content-Disposition': `attachment; filename="${name}"` }, text: diffCsv(streamed.items) };
        }
        const page = diffPage(ctx.store, params.id, {
          baseId: query.base,
          suppressed: query.suppressed,
          now,
          category: query.category === 'all' ? undefined : query.category,
          limit: query.limit,
          cursor: query.cursor,
        });
        // Written as JSON text (src/presenters/diff-json.ts).
        return { status: 200, json: renderDiffJson(page) };
      },
    }),
  ];
}
