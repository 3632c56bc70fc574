/**
 * Compatibility with the original FastAPI service: same paths, same answer shape
 * `{"old_access_keys":[{"user_name","access_key_id","created_date"}]}`. Each call runs a real
 * scan that is stored like any other run (trigger `v1`).
 */
import type { IamSnapshot, ScanSource } from '../../domain/snapshot';
import { AppError, isAppError, isErrorCode } from '../../errors';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';
import { targetName } from '../schemas';
import { parseInput } from '../validate';

const HOURS_MESSAGE = 'must be a positive whole number of hours';

export const HoursQuery = z.object({
  hours: z
    .string({ message: `is required: ${HOURS_MESSAGE}` })
    .regex(/^\s*\+?\d{1,7}\s*$/, HOURS_MESSAGE)
    .transform((v) => Number(v))
    .pipe(z.number().int(HOURS_MESSAGE).positive(HOURS_MESSAGE))
    .openapi({ description: 'Report ACTIVE keys created more than this many hours ago', example: '2160', type: 'integer' }),
});

/** POST credential-report: `hours` in the query, or in a JSON body as a number or a numeric string. */
const HoursBody = z
  .object({
    hours: z
      .union([z.number(), z.string()], { message: HOURS_MESSAGE })
      .optional()
      .openapi({ description: 'Used when the query has no `hours`', example: 2160, type: 'integer' }),
  })
  .openapi('HoursBody');

/** The target a v1 call scans (an addition of keywatch; the original service had one account). */
const V1Target = {
  target: targetName()
    .optional()
    .openapi({ description: 'The target to scan (GET /api/targets). Default: the only active target, or else the first configured one' }),
};

const ListUsersQuery = HoursQuery.extend(V1Target);
const OptionalHoursQuery = z.object({ hours: HoursQuery.shape.hours.optional(), ...V1Target });

/**
 * `hours` of the credential-report endpoint: the query's (wins; already parsed) or the JSON body's;
 * 400 naming `hours` when neither has one, or the body's is not a positive whole number.
 */
export function hoursFrom(queryHours: number | undefined, bodyHours: number | string | undefined): number {
  if (queryHours !== undefined) return queryHours;
  if (bodyHours === undefined) return parseInput(HoursQuery, {}, 'query').hours; // "hours: is required"
  // A JSON number goes through the same rules as the query string (1.5, -3, 1e21 are refused).
  return parseInput(HoursQuery, { hours: typeof bodyHours === 'number' ? String(bodyHours) : bodyHours }, 'body').hours;
}

const OldAccessKeys = z
  .object({
    old_access_keys: z.array(
      z.object({ user_name: z.string(), access_key_id: z.string(), created_date: z.string().openapi({ format: 'date-time' }) }),
    ),
  })
  .openapi('OldAccessKeys');

export function oldAccessKeys(snapshot: IamSnapshot, hours: number, now: Date) {
  const cutoff = now.getTime() - hours * 3_600_000;
  const old = snapshot.users
    .flatMap((u) => u.accessKeys)
    .filter((k) => k.status === 'Active' && k.createdAt.getTime() < cutoff)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.accessKeyId.localeCompare(b.accessKeyId))
    .map((k) => ({ user_name: k.userName, access_key_id: k.accessKeyId, created_date: k.createdAt.toISOString() }));
  return { old_access_keys: old };
}

/**
 * Runs a v1 scan of the named target (default: the only active target, or the first configured one);
 * if another scan of it is running, waits for it first (the original service never answered 409).
 */
async function scanForV1(ctx: HttpContext, source: ScanSource, requested: string | undefined): Promise<IamSnapshot> {
  const target = ctx.scans.targets.resolve(requested ?? ctx.scans.targets.defaultName()).name;
  let started;
  for (let attempt = 0; ; attempt++) {
    try {
      started = ctx.scans.start({ source, target, trigger: 'v1' });
      break;
    } catch (error) {
      if (!isAppError(error) || error.code !== 'scan_in_progress' || attempt >= 3) throw error;
      await ctx.scans.waitForRunning(target);
    }
  }
  const run = await started.recorded;
  const snapshot = await started.snapshot;
  if (run.status !== 'succeeded' || !snapshot) {
    throw new AppError(isErrorCode(run.errorCode) ? run.errorCode : 'aws_error', 502, `Scan run ${run.id} ${run.status}: ${run.error ?? 'unknown error'}`);
  }
  return snapshot;
}

export function v1Routes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/iam/old-access-keys/list-users',
      summary: 'Original service: ACTIVE access keys older than N hours, from a live scan',
      tags: ['v1 (compatibility)'],
      request: { query: ListUsersQuery },
      responses: { 200: { description: 'Old active keys', schema: OldAccessKeys } },
      errors: [400, 401, 502],
      handler: async ({ query }) => {
        const snapshot = await scanForV1(ctx, 'api', query.target);
        return { status: 200, body: oldAccessKeys(snapshot, query.hours, ctx.clock()) };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/v1/iam/old-access-keys/credential-report',
      summary: 'Original service: ACTIVE access keys older than N hours, from the IAM credential report',
      description:
        'Runs a `credential_report` scan (stored like any run, trigger `v1`) and answers like list-users. ' +
        '`hours` comes from the query, or from a JSON body `{"hours": N}` (a number or a numeric string); the query wins when both are given. ' +
        '`target` (query) chooses the target; default: the only active target, or else the first configured one.',
      tags: ['v1 (compatibility)'],
      request: { query: OptionalHoursQuery, body: HoursBody },
      responses: { 200: { description: 'Old active keys', schema: OldAccessKeys } },
      errors: [400, 401, 413, 415, 502],
      handler: async ({ query, body }) => {
        const hours = hoursFrom(query.hours, body.hours);
        const snapshot = await scanForV1(ctx, 'credential_report', query.target);
        return { status: 200, body: oldAccessKeys(snapshot, hours, ctx.clock()) };
      },
    }),
  ];
}
