/** Response and shared request schemas (zod → validation, TypeScript types and OpenAPI). */
import { SEVERITIES } from '../checks/types';
import { SCAN_SOURCES } from '../domain/snapshot';
import { RUN_STATUSES } from '../store';
import { z } from './openapi';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description:
          ({ 400: 'Invalid input (the field is named)', 401: 'Missing or wrong credentials', 404: 'Unknown id', 409: 'Conflict', 503: 'Not ready' } as Record<number, string>)[s] ?? 'Error',
        content: { 'application/json': { schema: ErrorResponse } },
      },
    ]),
  );

export const SeverityEnum = z.enum(SEVERITIES as unknown as [string, ...string[]]).openapi('Severity');
export const SourceEnum = z.enum(SCAN_SOURCES as unknown as [string, ...string[]]).openapi('ScanSource');
export const RunStatusEnum = z.enum(RUN_STATUSES as unknown as [string, ...string[]]).openapi('RunStatus');

/** Query-string integers: "10" → 10, anything else a 400 naming the field. */
export const queryInt = (min: number, max: number) =>
  z.coerce.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const PaginationQuery = z.object({
  limit: queryInt(1, 500).default(50).openapi({ description: 'Page size (1–500)', example: 50 }),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0).openapi({ description: 'Items to skip', example: 0 }),
});

export const page = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      total: z.number().int().openapi({ description: 'Items matching the filters, over all pages' }),
      limit: z.number().int(),
      offset: z.number().int(),
      next_offset: z.number().int().nullable().openapi({ description: 'Offset of the next page, null on the last page' }),
    })
    .openapi(name);

export const IdParam = z.object({
  id: z.coerce.number().int('must be a whole number').positive('must be a positive id').openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

const Evidence = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).openapi('Evidence');

export const RunSchema = z
  .object({
    id: z.number().int(),
    target: z.string(),
    account_id: z.string().nullable(),
    source: SourceEnum,
    trigger: z.enum(['api', 'schedule', 'cli', 'v1', 'demo']),
    status: RunStatusEnum,
    started_at: z.string().openapi({ format: 'date-time' }),
    finished_at: z.string().nullable().openapi({ format: 'date-time' }),
    duration_ms: z.number().int().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    stats: z
      .object({
        api_calls: z.number().int().optional(),
        throttled: z.number().int().optional(),
        retries: z.number().int().optional(),
        duration_ms: z.number().int().optional(),
        users: z.number().int().optional(),
        access_keys: z.number().int().optional(),
        findings: z.number().int().optional(),
        new: z.number().int().optional(),
        resolved: z.number().int().optional(),
        changed: z.number().int().optional(),
      })
      .catchall(z.unknown()),
    skipped_checks: z.array(z.object({ check_id: z.string(), reason: z.string() })),
    report_generated_at: z.string().nullable().openapi({ description: 'Credential-report scans: when AWS generated the report' }),
    data_age_seconds: z.number().int().nullable().openapi({ description: 'How old the data was when the run finished (credential report age)' }),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'The effective check settings this run used' }),
  })
  .openapi('ScanRun');

export const FindingSchema = z
  .object({
    id: z.number().int(),
    target: z.string(),
    check_id: z.string(),
    severity: SeverityEnum,
    title: z.string(),
    message: z.string(),
    resource_type: z.enum(['access_key', 'user', 'root', 'account']),
    resource_id: z.string(),
    user_name: z.string().nullable(),
    user_arn: z.string().nullable(),
    evidence: Evidence,
    remediation: z.string(),
    status: z.enum(['open', 'resolved']),
    first_seen_at: z.string(),
    first_seen_run_id: z.number().int(),
    last_seen_at: z.string(),
    last_seen_run_id: z.number().int(),
    resolved_at: z.string().nullable(),
    resolved_run_id: z.number().int().nullable(),
  })
  .openapi('Finding');

export type RunJson = z.infer<typeof RunSchema>;
export type FindingJson = z.infer<typeof FindingSchema>;
