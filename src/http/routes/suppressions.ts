import { Router } from 'express';
import { MAX_USER_PATTERN_LENGTH, MAX_USER_PATTERN_WILDCARDS, SuppressionService } from '../../scans/suppressions';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';
import { pageOf, presentSuppression } from '../presenters';
import { errorResponses, IdParam, page, PaginationQuery, SuppressionSchema } from '../schemas';
import { parseInput } from '../validate';

const CreateSuppressionBody = z
  .object({
    finding_id: z
      .number({ message: 'must be a finding id (a number)' })
      .int('must be a whole number')
      .positive('must be a positive id')
      .optional()
      .openapi({ description: 'Suppress exactly this finding (GET /api/findings)' }),
    check_id: z.string().optional().openapi({ description: 'Or: suppress findings of this check…', example: 'access_key_unused' }),
    user_pattern: z
      .string()
      .optional()
      .openapi({
        description:
          '…whose user name matches this glob (`*` any run, `?` one character; case-insensitive). Default `*`. ' +
          `At most ${MAX_USER_PATTERN_LENGTH} characters and ${MAX_USER_PATTERN_WILDCARDS} wildcards (\`*\` and \`?\` together).`,
        example: 'svc-*-dev',
      }),
    reason: z.string({ message: 'is required: say why this finding is accepted' }).max(2000, 'must be at most 2000 characters'),
    expires_at: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z' })
      .optional()
      .openapi({ description: 'When it stops applying (must be in the future); none = until deleted' }),
  })
  .strict()
  .openapi('CreateSuppression');

const ListSuppressionsQuery = PaginationQuery.extend({
  state: z
    .enum(['active', 'expired', 'all'], { message: 'must be active, expired or all' })
    .default('all')
    .openapi({ description: 'active: not expired; expired: expires_at has passed' }),
});

export function suppressionsRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();
  const service = new SuppressionService(ctx.store, ctx.config.target, ctx.clock);

  registry.registerPath({
    method: 'post',
    path: '/api/suppressions',
    summary: 'Suppress a finding, or the findings of a check for matching users',
    description:
      'By `finding_id`, or by `check_id` plus `user_pattern`; `reason` is required; `expires_at` optional. ' +
      'Suppressed findings are still recorded and flagged (`suppressed: true`), and left out of /api/findings, diffs, trends and notifications unless asked for. ' +
      'An expired suppression stops applying by itself. 400 names the wrong field (also for an unknown finding_id or check_id).',
    tags: ['suppressions'],
    request: { body: { required: true, content: { 'application/json': { schema: CreateSuppressionBody } } } },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: SuppressionSchema } } },
      ...errorResponses(400, 401, 413, 415),
    },
  });
  router.post('/suppressions', (req, res) => {
    const body = parseInput(CreateSuppressionBody, req.body, 'body');
    const created = service.create({
      findingId: body.finding_id,
      checkId: body.check_id,
      userPattern: body.user_pattern,
      reason: body.reason,
      expiresAt: body.expires_at ? Date.parse(body.expires_at) : undefined,
    });
    res.status(201).location(`/api/suppressions/${created.id}`).json(presentSuppression(created));
  });

  registry.registerPath({
    method: 'get',
    path: '/api/suppressions',
    summary: 'Suppressions, oldest first',
    tags: ['suppressions'],
    request: { query: ListSuppressionsQuery },
    responses: {
      200: { description: 'A page of suppressions', content: { 'application/json': { schema: page(SuppressionSchema, 'SuppressionPage') } } },
      ...errorResponses(400, 401),
    },
  });
  router.get('/suppressions', (req, res) => {
    const q = parseInput(ListSuppressionsQuery, req.query, 'query');
    const { items, total } = service.list(q);
    res.json(pageOf(items.map(presentSuppression), total, q.limit, q.offset));
  });

  registry.registerPath({
    method: 'get',
    path: '/api/suppressions/{id}',
    summary: 'One suppression',
    tags: ['suppressions'],
    request: { params: IdParam },
    responses: {
      200: { description: 'The suppression', content: { 'application/json': { schema: SuppressionSchema } } },
      ...errorResponses(400, 401, 404),
    },
  });
  router.get('/suppressions/:id', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    res.json(presentSuppression(service.get(id)));
  });

  registry.registerPath({
    method: 'delete',
    path: '/api/suppressions/{id}',
    summary: 'Delete a suppression: its findings count again at once',
    tags: ['suppressions'],
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
  });
  router.delete('/suppressions/:id', (req, res) => {
    const { id } = parseInput(IdParam, req.params, 'path');
    service.delete(id);
    res.status(204).end();
  });

  return router;
}
