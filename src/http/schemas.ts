/** Response and shared request schemas (zod → validation, TypeScript types and OpenAPI). */
import { SEVERITIES } from '../domain/severity';
import { SCAN_SOURCES } from '../domain/snapshot';
import { RUN_STATUSES } from '../domain/runs';
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

/** The error answers of a route; every route that reaches the database can also answer 503 storage_unavailable. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([...statuses, 503])].map((s) => [
      s,
      {
        description:
          (
            {
              400: 'Invalid input (the field is named)',
              401: 'Missing or wrong credentials',
              404: 'Unknown id',
              409: 'Conflict',
              413: 'Body larger than 100 kB (after decompression)',
              415: 'Unsupported charset (JSON is UTF-8) or Content-Encoding (identity, gzip, deflate, br)',
              503: 'Storage unavailable (`storage_unavailable`): the database cannot be written or read — full disk, read-only or corrupt file; the message names the database path and the SQLite error code. Nothing was changed.',
            } as Record<number, string>
          )[s] ?? 'Error',
        content: { 'application/json': { schema: ErrorResponse } },
      },
    ]),
  );

export const SeverityEnum = z.enum(SEVERITIES as unknown as [string, ...string[]]).openapi('Severity');
export const SourceEnum = z.enum(SCAN_SOURCES as unknown as [string, ...string[]]).openapi('ScanSource');
export const RunStatusEnum = z.enum(RUN_STATUSES as unknown as [string, ...string[]]).openapi('RunStatus');

/**
 * Whole numbers in query strings and paths are plain decimal digits — "0", "10", "-1" (then refused
 * by the bounds) — never "0x10", "0b11", "1e2", "+5", " 10", "010" or "", all of which Number()
 * would quietly accept (or turn into 0).
 */
const DECIMAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;
const POSITIVE_DECIMAL_INTEGER = /^[1-9][0-9]*$/;

/** A query-string integer within [min, max]: "10" → 10, anything else a 400 naming the field. */
export const queryInt = (min: number, max: number) => {
  const message = 'must be a whole number in plain decimal digits, e.g. 10';
  return z
    .string({ message })
    .regex(DECIMAL_INTEGER, message)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .openapi({ type: 'integer', minimum: min, maximum: max });
};

/** A positive id (path or query): "7" → 7; "0", "07", "7.0", "0x7" are a 400 with `message`. */
export const positiveId = (message = 'must be a positive whole number') =>
  z
    .string({ message })
    .regex(POSITIVE_DECIMAL_INTEGER, message)
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, message))
    .openapi({ type: 'integer', minimum: 1 });

export const PaginationQuery = z.object({
  limit: queryInt(1, 500).default(50).openapi({ description: 'Page size (1–500)', default: 50, example: 50 }),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0).openapi({ description: 'Items to skip', default: 0, example: 0 }),
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
  id: positiveId().openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
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
        suppressed: z.number().int().optional().openapi({ description: 'Findings of this run that a suppression covered when it was recorded' }),
        unsuppressed: z
          .object({
            findings: z.number().int(),
            findings_by_severity: z.record(z.string(), z.number().int()),
            new: z.number().int(),
            resolved: z.number().int(),
            changed: z.number().int(),
          })
          .optional()
          .openapi({ description: 'The counts without suppressed findings (what GET /api/trends charts)' }),
        notification: z
          .object({
            status: z.enum(['delivered', 'failed', 'skipped']),
            format: z.enum(['json', 'slack']).optional(),
            host: z.string().optional(),
            attempts: z.number().int().optional(),
            http_status: z.number().int().optional(),
            error: z.string().optional(),
            reason: z.string().optional(),
            at: z.string(),
          })
          .optional()
          .openapi({ description: 'Webhook delivery after the run (only when KEYWATCH_WEBHOOK_URL is set); recorded once it is over' }),
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
    suppressed: z.boolean().openapi({ description: 'A suppression applies to this finding now' }),
    suppression_id: z.number().int().nullable().openapi({ description: 'The suppression that applies (GET /api/suppressions), or null' }),
  })
  .openapi('Finding');

export const SuppressedFilterEnum = z
  .enum(['exclude', 'include', 'only'], { message: 'must be exclude, include or only' })
  .openapi('SuppressedFilter', {
    description: 'Suppressed findings: `exclude` leaves them out (default), `include` keeps them (flagged `suppressed: true`), `only` keeps only them.',
  });

export const FindingPageSchema = z
  .object({
    items: z.array(FindingSchema),
    total: z.number().int().openapi({ description: 'Findings matching the filters, over all pages' }),
    limit: z.number().int(),
    offset: z.number().int().nullable().openapi({ description: 'Offset of this page; null when it was requested with a cursor' }),
    next_offset: z.number().int().nullable().openapi({ description: 'Offset pagination: offset of the next page; null on the last page or in cursor mode' }),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Opaque cursor of the next page (pass it as `cursor` with the same filters and sort); null on the last page' }),
  })
  .openapi('FindingPage');

const DiffItemSchema = z
  .object({
    finding_id: z.number().int(),
    check_id: z.string(),
    title: z.string(),
    severity: SeverityEnum,
    resource_type: z.string(),
    resource_id: z.string(),
    user_name: z.string().nullable(),
    evidence: Evidence.openapi({ description: 'Durable evidence of the state (in the run for new, in the base for resolved)' }),
    suppressed: z.boolean(),
    suppression_id: z.number().int().nullable(),
  })
  .openapi('DiffFinding');

const StateSchema = z.object({ severity: SeverityEnum, evidence: Evidence });

export const DiffSchema = z
  .object({
    run_id: z.number().int(),
    base_run_id: z.number().int().nullable().openapi({ description: 'null when the run is the first succeeded run of its target (everything is new)' }),
    target: z.string(),
    run_finished_at: z.string().nullable(),
    base_finished_at: z.string().nullable(),
    suppressed: SuppressedFilterEnum,
    counts: z.object({
      new: z.number().int(),
      resolved: z.number().int(),
      changed: z.number().int(),
      unchanged: z.number().int(),
      suppressed_left_out: z.number().int().openapi({ description: 'Findings the suppressed filter left out of the lists and counts' }),
    }),
    new: z.array(DiffItemSchema),
    resolved: z.array(DiffItemSchema),
    changed: z.array(DiffItemSchema.extend({ before: StateSchema, after: StateSchema })),
    unchanged: z.number().int().openapi({ description: 'Findings both runs saw in the same state' }),
  })
  .openapi('RunDiff');

export const SuppressionSchema = z
  .object({
    id: z.number().int(),
    target: z.string().nullable().openapi({ description: 'The target it applies to; null: every target' }),
    finding_id: z.number().int().nullable(),
    check_id: z.string().nullable(),
    user_pattern: z.string().nullable(),
    reason: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    active: z.boolean().openapi({ description: 'false once expires_at has passed' }),
    matched_open_findings: z.number().int().openapi({ description: 'Open findings it covers now' }),
  })
  .openapi('Suppression');

export const TrendPointSchema = z
  .object({
    run_id: z.number().int(),
    finished_at: z.string(),
    source: z.string(),
    open: z.number().int().openapi({ description: 'Findings the run saw (open after it)' }),
    open_by_severity: z.object({ info: z.number().int(), low: z.number().int(), medium: z.number().int(), high: z.number().int(), critical: z.number().int() }),
    new: z.number().int(),
    resolved: z.number().int(),
    changed: z.number().int(),
    suppressed: z.number().int().openapi({ description: 'Findings of the run suppressed when it was recorded' }),
  })
  .openapi('TrendPoint');

export const TrendsSchema = z
  .object({
    target: z.string(),
    suppressed: SuppressedFilterEnum,
    points: z.array(TrendPointSchema),
    truncated: z.boolean().openapi({ description: 'More runs matched than `limit`: the most recent ones are returned' }),
  })
  .openapi('Trends');

export type RunJson = z.infer<typeof RunSchema>;
export type FindingJson = z.infer<typeof FindingSchema>;
export type DiffJson = z.infer<typeof DiffSchema>;
export type SuppressionJson = z.infer<typeof SuppressionSchema>;
export type TrendsJson = z.infer<typeof TrendsSchema>;
