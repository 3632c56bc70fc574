/**
 * keywatch's public JSON shapes: what the REST API answers and what the webhook posts. zod is the
 * one source for them: the presenters' return types (`z.infer`), the OpenAPI document (the routes
 * declare these schemas, src/http/define-route.ts) and, in tests, a check of every body sent.
 *
 * Closed lists come from src/domain (severities, run statuses and triggers, scan sources, resource
 * types, finding statuses, suppressed filter modes, webhook formats): never written again here.
 */
import { DIFF_CATEGORIES, END_REASONS, FINDING_STATUSES, RESOURCE_TYPES, SUPPRESSED_FILTERS, TIMELINE_EVENT_TYPES } from '../domain/findings';
import { NOTIFICATION_STATUSES, WEBHOOK_FORMATS } from '../domain/notifications';
import { PRIVILEGE_CLASSES } from '../domain/privilege';
import { RUN_STATUSES, RUN_TRIGGERS } from '../domain/runs';
import { SEVERITIES, type Severity } from '../domain/severity';
import { SCAN_SOURCES } from '../domain/snapshot';
import { TARGET_ORIGINS } from '../domain/targets';
import { oneOf, z } from './zod';

export const SeverityEnum = z.enum(SEVERITIES).openapi('Severity');
export const SourceEnum = z.enum(SCAN_SOURCES).openapi('ScanSource');
export const RunStatusEnum = z.enum(RUN_STATUSES).openapi('RunStatus');
export const RunTriggerEnum = z.enum(RUN_TRIGGERS).openapi('RunTrigger', { description: 'What started the run' });
export const ResourceTypeEnum = z.enum(RESOURCE_TYPES).openapi('ResourceType', { description: 'What a finding is about; resource_id is its id' });
export const FindingStatusEnum = z.enum(FINDING_STATUSES).openapi('FindingStatus');
export const PrivilegeEnum = z.enum(PRIVILEGE_CLASSES, { message: `must be ${oneOf(PRIVILEGE_CLASSES)}` }).openapi('Privilege', {
  description:
    "What the finding's user can do in its account (GetAccountAuthorizationDetails): `admin` (allowed `*` on `*`), " +
    '`privilege_escalation` (allowed a known IAM escalation action) or `standard`.',
});
export const TargetOriginEnum = z.enum(TARGET_ORIGINS).openapi('TargetOrigin', {
  description: '`configured` (KEYWATCH_TARGET or the targets file) or `organization` (discovered with organizations:ListAccounts)',
});
export const DiffCategoryFilterEnum = z
  .enum(['all', ...DIFF_CATEGORIES], { message: `must be ${oneOf(['all', ...DIFF_CATEGORIES])}` })
  .openapi('DiffCategory', { description: 'Which items a diff lists: `new`, `resolved`, `changed`, or `all` three' });
export const SuppressedFilterEnum = z.enum(SUPPRESSED_FILTERS, { message: `must be ${oneOf(SUPPRESSED_FILTERS)}` }).openapi('SuppressedFilter', {
  description: 'Suppressed findings: `exclude` leaves them out (default), `include` keeps them (flagged `suppressed: true`), `only` keeps only them.',
});

const dateTime = () => z.string().openapi({ format: 'date-time' });

export const Evidence = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).openapi('Evidence');

/** A count per severity, every severity present (an object with one required property per severity). */
const countsBySeverity = () => z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int()])) as Record<Severity, z.ZodNumber>);

export const NotificationRecordSchema = z
  .object({
    status: z.enum(NOTIFICATION_STATUSES),
    format: z.enum(WEBHOOK_FORMATS).optional(),
    host: z.string().optional().openapi({ description: 'Host of the webhook URL (never the full URL: it can hold a token)' }),
    attempts: z.number().int().optional(),
    http_status: z.number().int().optional(),
    error: z.string().optional(),
    reason: z.string().optional(),
    at: dateTime(),
  })
  .openapi('NotificationRecord', {
    description: 'Webhook delivery after the run (only when KEYWATCH_WEBHOOK_URL is set); recorded once it is over',
  });

export const RunSchema = z
  .object({
    id: z.number().int(),
    target: z.string(),
    account_id: z.string().nullable().openapi({ description: "The target's AWS account id (null until a run learnt it)" }),
    account_name: z.string().nullable().openapi({ description: "The account's name in the organization when the run was made (discovered targets); null otherwise" }),
    source: SourceEnum,
    trigger: RunTriggerEnum,
    status: RunStatusEnum,
    started_at: dateTime(),
    finished_at: dateTime().nullable(),
    duration_ms: z.number().int().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    stats: z
      .object({
        api_calls: z.number().int().optional(),
        throttled: z.number().int().optional(),
        retries: z.number().int().optional(),
        duration_ms: z.number().int().optional(),
        calls_by_action: z.record(z.string(), z.number().int()).optional().openapi({ description: 'IAM calls per action (e.g. ListAccessKeys)' }),
        users: z.number().int().optional(),
        access_keys: z.number().int().optional(),
        findings: z.number().int().optional(),
        findings_by_severity: z.record(z.string(), z.number().int()).optional(),
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
        notification: NotificationRecordSchema.optional(),
      })
      .catchall(z.unknown()),
    skipped_checks: z.array(z.object({ check_id: z.string(), reason: z.string() })),
    report_generated_at: dateTime().nullable().openapi({ description: 'Credential-report scans: when AWS generated the report' }),
    data_age_seconds: z.number().int().nullable().openapi({ description: 'How old the data was when the run finished (credential report age)' }),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'The effective check settings this run used' }),
  })
  .openapi('ScanRun');

export const FindingSchema = z
  .object({
    id: z.number().int(),
    target: z.string(),
    account_id: z.string().nullable().openapi({ description: "The target's AWS account id when the finding was last seen" }),
    check_id: z.string(),
    severity: SeverityEnum,
    title: z.string().openapi({ description: "The check's title (GET /api/checks)" }),
    message: z.string(),
    resource_type: ResourceTypeEnum,
    resource_id: z.string(),
    user_name: z.string().nullable(),
    user_arn: z.string().nullable(),
    privilege: PrivilegeEnum.nullable().openapi({
      description:
        "The user's privilege class as the latest run saw it (filter with `privilege`); null for root and account findings, and when authorization details were not collected",
    }),
    evidence: Evidence,
    remediation: z.string().openapi({ description: "The check's remediation (GET /api/checks)" }),
    status: FindingStatusEnum,
    first_seen_at: dateTime(),
    first_seen_run_id: z.number().int(),
    last_seen_at: dateTime(),
    last_seen_run_id: z.number().int(),
    resolved_at: dateTime().nullable(),
    resolved_run_id: z.number().int().nullable(),
    suppressed: z.boolean().openapi({ description: 'A suppression applies to this finding now' }),
    suppression_id: z.number().int().nullable().openapi({ description: 'The suppression that applies (GET /api/suppressions), or null' }),
  })
  .openapi('Finding');

const FindingStateSchema = z
  .object({
    severity: SeverityEnum,
    evidence: z.record(z.string(), z.unknown()).openapi({ description: 'Durable evidence of this state' }),
    from_run_id: z.number().int().openapi({ description: 'First run that saw this state' }),
    from_at: dateTime(),
    to_run_id: z.number().int().nullable().openapi({ description: 'Last run that saw this state; null while it lasts' }),
    to_at: dateTime().nullable(),
    ended_by: z.enum(END_REASONS).nullable().openapi({ description: 'What ended the state: another state, or the finding went away' }),
    ended_by_run_id: z.number().int().nullable().openapi({ description: 'The run that ended it (first run that no longer saw it)' }),
    ended_at: dateTime().nullable(),
  })
  .openapi('FindingState');

export const FindingDetailSchema = FindingSchema.extend({
  timeline: z.array(FindingStateSchema),
  events: z.array(
    z.object({
      type: z.enum(TIMELINE_EVENT_TYPES),
      run_id: z.number().int(),
      at: dateTime(),
      severity: SeverityEnum.optional(),
      previous_severity: SeverityEnum.optional(),
    }),
  ),
}).openapi('FindingDetail');

/** A finding in a diff (and in a webhook notification: the same shape, written by the same presenter). */
export const DiffItemSchema = z
  .object({
    finding_id: z.number().int(),
    check_id: z.string(),
    title: z.string().openapi({ description: "The check's title" }),
    severity: SeverityEnum,
    resource_type: ResourceTypeEnum,
    resource_id: z.string(),
    user_name: z.string().nullable(),
    evidence: Evidence.openapi({ description: 'Durable evidence of the state (in the run for new, in the base for resolved)' }),
    suppressed: z.boolean(),
    suppression_id: z.number().int().nullable(),
  })
  .openapi('DiffFinding');

const StateSchema = z.object({ severity: SeverityEnum, evidence: Evidence });

export const ChangedDiffItemSchema = DiffItemSchema.extend({ before: StateSchema, after: StateSchema }).openapi('ChangedDiffFinding');

export const DiffSchema = z
  .object({
    run_id: z.number().int(),
    base_run_id: z.number().int().nullable().openapi({ description: 'null when the run is the first succeeded run of its target (everything is new)' }),
    target: z.string(),
    run_finished_at: dateTime().nullable(),
    base_finished_at: dateTime().nullable(),
    suppressed: SuppressedFilterEnum,
    counts: z.object({
      new: z.number().int(),
      resolved: z.number().int(),
      changed: z.number().int(),
      unchanged: z.number().int(),
      suppressed_left_out: z.number().int().openapi({ description: 'Findings the suppressed filter left out of the lists and counts' }),
    }),
    category: DiffCategoryFilterEnum.openapi({ description: 'The categories this page lists: one, or `all` three' }),
    limit: z.number().int().openapi({ description: 'At most this many items of each listed category per page' }),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` (with the same base, category and suppressed) for the next page; null when no listed category has more' }),
    new: z.array(DiffItemSchema).openapi({ description: 'This page of the new findings (empty when another category was asked for)' }),
    resolved: z.array(DiffItemSchema).openapi({ description: 'This page of the resolved findings (empty when another category was asked for)' }),
    changed: z.array(ChangedDiffItemSchema).openapi({ description: 'This page of the changed findings (empty when another category was asked for)' }),
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
    created_at: dateTime(),
    expires_at: dateTime().nullable(),
    active: z.boolean().openapi({ description: 'false once expires_at has passed' }),
    matched_open_findings: z.number().int().openapi({ description: 'Open findings it covers now' }),
  })
  .openapi('Suppression');

export const TrendPointSchema = z
  .object({
    run_id: z.number().int(),
    finished_at: dateTime(),
    source: SourceEnum,
    open: z.number().int().openapi({ description: 'Findings the run saw (open after it)' }),
    open_by_severity: countsBySeverity(),
    new: z.number().int(),
    resolved: z.number().int(),
    changed: z.number().int(),
    suppressed: z.number().int().openapi({ description: 'Findings of the run suppressed when it was recorded' }),
  })
  .openapi('TrendPoint');

const RunTrendsSchema = z
  .object({
    bucket: z.literal('run').openapi({ description: 'One point per succeeded run of one target' }),
    target: z.string(),
    suppressed: SuppressedFilterEnum,
    points: z.array(TrendPointSchema),
    truncated: z.boolean().openapi({ description: 'More runs matched than `limit`: the most recent ones are returned' }),
  })
  .openapi('RunTrends');

export const DayTrendPointSchema = z
  .object({
    day: z.string().openapi({ description: 'The UTC day, YYYY-MM-DD', example: '2026-11-21' }),
    finished_at: dateTime().openapi({ description: 'When the last run counted for that day finished' }),
    targets: z.number().int().openapi({
      description: 'Targets counted in `open`: those scanned that day and those carried over with their last known state',
    }),
    scanned_targets: z.number().int().openapi({ description: 'Targets with at least one succeeded run that day' }),
    runs: z.number().int().openapi({ description: 'Succeeded runs finished that day' }),
    open: z.number().int().openapi({
      description:
        "Open findings at the end of the day: for every target, what its last succeeded run of that day saw — or, for a target not scanned that day, what its last succeeded run before saw (its last known state), summed",
    }),
    open_by_severity: countsBySeverity(),
    new: z.number().int().openapi({ description: "Findings new in that day's runs, summed over every run" }),
    resolved: z.number().int().openapi({ description: "Findings resolved in that day's runs, summed over every run" }),
    changed: z.number().int().openapi({ description: "Findings changed in that day's runs, summed over every run" }),
    suppressed: z.number().int().openapi({ description: 'Of the open findings of the counted runs, those suppressed when each run was recorded' }),
  })
  .openapi('DayTrendPoint');

const DayTrendsSchema = z
  .object({
    bucket: z.literal('day').openapi({ description: 'One point per UTC day on which at least one target had a succeeded run' }),
    target: z.string().nullable().openapi({ description: 'null: every target (the organization)' }),
    suppressed: SuppressedFilterEnum,
    points: z.array(DayTrendPointSchema),
    truncated: z.boolean().openapi({ description: 'More days matched than `limit`: the most recent ones are returned' }),
  })
  .openapi('DayTrends');

export const TrendsSchema = z.discriminatedUnion('bucket', [RunTrendsSchema, DayTrendsSchema]).openapi('Trends');

/** A count per severity and their total. */
const countsWithTotal = () => countsBySeverity().extend({ total: z.number().int() });

export const TargetSummarySchema = z
  .object({
    name: z.string().openapi({ description: 'The target (a discovered account is named by its 12-digit account id)' }),
    account_id: z.string().nullable().openapi({ description: 'null until the first scan of a configured target without a role' }),
    account_name: z.string().nullable().openapi({ description: "The account's name in the organization (discovered targets)" }),
    origin: TargetOriginEnum,
    active: z.boolean().openapi({ description: 'false: it left the configuration or the organization; its history stays readable, it is not scanned' }),
    role_arn: z.string().nullable().openapi({ description: 'The role assumed to reach it; null: the base credentials (the ExternalId, a secret, is never shown)' }),
    source: SourceEnum.openapi({ description: 'The source its scheduled and unspecified scans use' }),
    last_run: z
      .object({
        id: z.number().int(),
        status: RunStatusEnum,
        source: SourceEnum,
        started_at: dateTime(),
        finished_at: dateTime().nullable(),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
      })
      .nullable()
      .openapi({ description: 'Its latest run, whatever its status (GET /api/scans/{id}); null before its first scan' }),
    open_findings: countsWithTotal().openapi({
      description: 'Its open findings that no suppression covers, by severity (the effective severity, raised for privileged users)',
    }),
    next_scan_at: dateTime().nullable().openapi({ description: 'The next scheduled scan; null for an inactive target or without a schedule' }),
  })
  .openapi('Target');

export const TargetsOverviewSchema = z
  .object({
    totals: countsWithTotal().openapi({
      description: 'Open findings that no suppression covers, by severity, over every target listed (active or not): the total of GET /api/findings',
    }),
    discovery: z
      .object({
        enabled: z.boolean().openapi({ description: 'Organization discovery is on (KEYWATCH_ORG_ROLE_NAME or the targets file)' }),
        last: z
          .object({
            ok: z.boolean(),
            at: dateTime(),
            accounts: z.number().int().nullable().openapi({ description: 'Accounts it made targets (exclusions left out); null when it failed' }),
            error: z.string().nullable().openapi({ description: 'Why it failed; the accounts known before stay' }),
          })
          .nullable()
          .openapi({ description: 'The latest discovery (at start-up and before every scheduled cycle); null before the first one ends' }),
      })
      .openapi({ description: 'Organization discovery' }),
    items: z.array(TargetSummarySchema).openapi({ description: 'Active targets first, then by name' }),
    total: z.number().int().openapi({ description: 'Targets known, over all pages' }),
    limit: z.number().int(),
    offset: z.number().int(),
    next_offset: z.number().int().nullable().openapi({ description: 'Offset of the next page, null on the last page' }),
  })
  .openapi('Targets');

export const ScanBatchSchema = z
  .object({
    runs: z.array(RunSchema).openapi({ description: 'One run per active target that started (202: running or queued; 200 with wait=true: finished)' }),
    refused: z
      .array(z.object({ target: z.string(), error: z.object({ code: z.string(), message: z.string() }) }))
      .openapi({ description: 'Targets not started: a scan of them is already running (scan_in_progress), or their run could not be stored (storage_unavailable)' }),
  })
  .openapi('ScanBatch');

/** The webhook's JSON body (KEYWATCH_WEBHOOK_FORMAT=json): its items are the API's diff items. */
export const WebhookPayloadSchema = z
  .object({
    event: z.literal('keywatch.run.findings_changed'),
    keywatch_version: z.string(),
    target: z.string(),
    account_id: z.string().nullable(),
    run: z.object({ id: z.number().int(), source: SourceEnum, trigger: RunTriggerEnum, finished_at: dateTime().nullable(), path: z.string() }),
    base_run_id: z.number().int().nullable(),
    counts: z.object({ new: z.number().int(), resolved: z.number().int(), changed: z.number().int(), unchanged: z.number().int() }),
    truncated: z.boolean().openapi({ description: 'A list was cut at its first items; the counts are complete' }),
    new: z.array(DiffItemSchema),
    resolved: z.array(DiffItemSchema),
    changed: z.array(ChangedDiffItemSchema),
  })
  .openapi('WebhookPayload');

export type RunJson = z.infer<typeof RunSchema>;
export type FindingJson = z.infer<typeof FindingSchema>;
export type FindingDetailJson = z.infer<typeof FindingDetailSchema>;
export type DiffItemJson = z.infer<typeof DiffItemSchema>;
export type DiffJson = z.infer<typeof DiffSchema>;
export type SuppressionJson = z.infer<typeof SuppressionSchema>;
export type TrendsJson = z.infer<typeof TrendsSchema>;
export type RunTrendsJson = z.infer<typeof RunTrendsSchema>;
export type DayTrendsJson = z.infer<typeof DayTrendsSchema>;
export type TargetSummaryJson = z.infer<typeof TargetSummarySchema>;
export type TargetsOverviewJson = z.infer<typeof TargetsOverviewSchema>;
export type ScanBatchJson = z.infer<typeof ScanBatchSchema>;
export type WebhookPayloadJson = z.infer<typeof WebhookPayloadSchema>;
export type NotificationRecord = z.infer<typeof NotificationRecordSchema>;
