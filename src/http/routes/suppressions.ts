import { SUPPRESSION_STATES } from '../../domain/suppressions';
import { presentSuppression } from '../../presenters/json';
import { SuppressionSchema } from '../../presenters/schemas';
import { MAX_USER_PATTERN_LENGTH, MAX_USER_PATTERN_WILDCARDS, SuppressionService } from '../../scans/suppressions';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { IdParam, page, pageOf, PaginationQuery, targetName } from '../schemas';

const CreateSuppressionBody = z
  .object({
    target: targetName()
      .optional()
      .openapi({
        description:
          "The target it applies to (GET /api/targets). By `finding_id`: that finding's target (the default; another one is a 400). " +
          'By `check_id`: this target only, or — left out — every target (the suppression then shows `target: null`).',
        example: 'prod',
      }),
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
  target: targetName().optional().openapi({ description: 'Only the suppressions that apply to this target: its own and those for every target' }),
  state: z
    .enum(SUPPRESSION_STATES, { message: `must be ${SUPPRESSION_STATES.join(', ')}` })
    .default('all')
    .openapi({ description: 'active: not expired; expired: expires_at has passed' }),
});

export function suppressionsRoutes(ctx: HttpContext): RouteDefinition[] {
  const service = new SuppressionService(ctx.store, ctx.scans.targets, ctx.clock);
  return [
    defineRoute({
      method: 'post',
      path: '/api/suppressions',
      summary: 'Suppress a finding, or the findings of a check for matching users',
      description:
        'By `finding_id` (applies to that finding\'s target), or by `check_id` plus `user_pattern` (applies to `target`, or without one to every target); ' +
        '`reason` is required; `expires_at` optional. ' +
        'Suppressed findings are still recorded and flagged (`suppressed: true`), and left out of /api/findings, diffs, trends and notifications unless asked for. ' +
        'An expired suppression stops applying by itself. 400 names the wrong field (also for an unknown finding_id, check_id or target).',
      tags: ['suppressions'],
      request: { body: CreateSuppressionBody, bodyRequired: true },
      responses: { 201: { description: 'Created', schema: SuppressionSchema } },
      errors: [400, 401, 413, 415],
      handler: ({ body }) => {
        const created = service.create({
          target: body.target,
          findingId: body.finding_id,
          checkId: body.check_id,
          userPattern: body.user_pattern,
          reason: body.reason,
          expiresAt: body.expires_at ? Date.parse(body.expires_at) : undefined,
        });
        return { status: 201, headers: { Location: `/api/suppressions/${created.id}` }, body: presentSuppression(created) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/suppressions',
      summary: 'Suppressions, oldest first',
      tags: ['suppressions'],
      request: { query: ListSuppressionsQuery },
      responses: { 200: { description: 'A page of suppressions', schema: page(SuppressionSchema, 'SuppressionPage') } },
      errors: [400, 401],
      handler: ({ query: q }) => {
        const { items, total } = service.list(q);
        return { status: 200, body: pageOf(items.map(presentSuppression), total, q.limit, q.offset) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/suppressions/{id}',
      summary: 'One suppression',
      tags: ['suppressions'],
      request: { params: IdParam },
      responses: { 200: { description: 'The suppression', schema: SuppressionSchema } },
      errors: [400, 401, 404],
      handler: ({ params }) => ({ status: 200, body: presentSuppression(service.get(params.id)) }),
    }),

    defineRoute({
      method: 'delete',
      path: '/api/suppressions/{id}',
      summary: 'Delete a suppression: its findings count again at once',
      tags: ['suppressions'],
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted', empty: true } },
      errors: [400, 401, 404],
      handler: ({ params }) => {
        service.delete(params.id);
        return { status: 204 };
      },
    }),
  ];
}
