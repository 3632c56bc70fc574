import { Router } from 'express';
import { severityRank, type Severity } from '../../checks/types';
import { AppError } from '../../errors';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';
import { pageOf, presentFinding } from '../presenters';
import { errorResponses, FindingSchema, IdParam, page, PaginationQuery, SeverityEnum } from '../schemas';
import { parseInput } from '../validate';

export const ListFindingsQuery = PaginationQuery.extend({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  check: z.string().optional().openapi({ description: 'Check id, e.g. access_key_not_rotated' }),
  severity: SeverityEnum.optional().openapi({ description: 'Exactly this severity' }),
  min_severity: SeverityEnum.optional().openapi({ description: 'This severity or worse' }),
  user: z.string().optional().openapi({ description: 'IAM user name' }),
  resource_id: z.string().optional().openapi({ description: 'AccessKeyId, user ARN, `root` or account id' }),
  first_seen_since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  sort: z.enum(['severity', 'first_seen', 'last_seen', 'check', 'user']).default('severity'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

const TimelineEntry = z
  .object({
    severity: SeverityEnum,
    evidence: z.record(z.string(), z.unknown()),
    from_run_id: z.number().int(),
    from_at: z.string(),
    to_run_id: z.number().int().nullable().openapi({ description: 'Last run that saw this state; null while it lasts' }),
    to_at: z.string().nullable(),
    ended_by: z.enum(['changed', 'resolved']).nullable(),
  })
  .openapi('FindingState');

const FindingWithTimeline = FindingSchema.extend({
  timeline: z.array(TimelineEntry),
  events: z.array(
    z.object({ type: z.enum(['first_seen', 'changed', 'resolved', 'reopened']), run_id: z.number().int(), at: z.string(), severity: SeverityEnum.optional() }),
  ),
}).openapi('FindingDetail');

export function findingsRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
    method: 'get',
    path: '/api/findings',
    summary: 'Current findings (open by default)',
    tags: ['findings'],
    request: { query: ListFindingsQuery },
    responses: {
      200: { description: 'A page of findings', content: { 'application/json': { schema: page(FindingSchema, 'FindingPage') } } },
      ...errorResponses(400, 401),
    },
  });
  router.get('/findings', (req, res) => {
    const q = parseInput(ListFindingsQuery, req.query, 'query');
    const { items, total } = ctx.store.findings.list({
      target: ctx.config.target,
      status: q.status,
      checkId: q.check,
      severity: q.severity,
      minSeverityRank: q.min_severity ? severityRank(q.min_severity as Severity) : undefined,
      userName: q.user,
      resourceId: q.resource_id,
      firstSeenSince: q.first_seen_since ? Date.parse(q.first_seen_since) : undefined,
      sort: q.sort,
      order: q.order,
      limit: q.limit,
      offset: q.offset,
    });
    const now = ctx.clock().getTime();
    res.json(pageOf(items.map((f) => presentFinding(f, now)), total, q.limit, q.offset));
  });

  registry.registerPath({
    method: 'get',
    path: '/api/findings/{id}',
    summary: 'One finding with its timeline',
    tags: ['findings'],
    request: { params: IdParam },
    responses: {
      200: { description: 'The finding and every state it went through', content: { 'application/json': { schema: FindingWithTimeline } } },
      ...errorResponses(400, 401, 404),
    },
  });
  router.get('/findings/:id', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    const finding = ctx.store.findings.get(id);
    if (!finding) throw AppError.notFound(`Finding ${id}`);
    const intervals = ctx.store.findings.intervalsOf(id);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const timeline = intervals.map((s, i) => {
      const next = intervals[i + 1];
      const endedBy = s.toRunId === null ? null : next && next.fromRunId > s.toRunId && isContiguous(ctx, s.toRunId, next.fromRunId, finding.target) ? 'changed' : 'resolved';
      return { severity: s.severity, evidence: s.durable, from_run_id: s.fromRunId, from_at: iso(s.fromAt)!, to_run_id: s.toRunId, to_at: iso(s.toAt), ended_by: endedBy };
    });
    const events: { type: 'first_seen' | 'changed' | 'resolved' | 'reopened'; run_id: number; at: string; severity?: string }[] = [];
    timeline.forEach((t, i) => {
      if (i === 0) events.push({ type: 'first_seen', run_id: t.from_run_id, at: t.from_at, severity: t.severity });
      else events.push({ type: timeline[i - 1].ended_by === 'changed' ? 'changed' : 'reopened', run_id: t.from_run_id, at: t.from_at, severity: t.severity });
      if (t.ended_by === 'resolved') {
        const resolvedBy = ctx.store.runs.nextSucceededAfter(finding.target, t.to_run_id!);
        if (resolvedBy) events.push({ type: 'resolved', run_id: resolvedBy.id, at: new Date(resolvedBy.finishedAt ?? resolvedBy.startedAt).toISOString() });
      }
    });
    res.json({ ...presentFinding(finding, ctx.clock().getTime()), timeline, events });
  });

  return router;
}

/** Two intervals are contiguous (a change, not resolve-then-reopen) when no succeeded run lies between them. */
function isContiguous(ctx: HttpContext, toRunId: number, nextFromRunId: number, target: string): boolean {
  const between = ctx.store.runs.nextSucceededAfter(target, toRunId);
  return between !== null && between.id === nextFromRunId;
}

