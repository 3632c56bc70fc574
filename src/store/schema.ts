/**
 * The one Drizzle schema of keywatch. snake_case columns, integer timestamps (ms since epoch).
 *
 * History grows with change, not with the number of runs:
 * - scan_runs: one row per run.
 * - findings: one row per finding identity (fingerprint = target + check + resource), holding the
 *   current severity, the latest evidence, first/last seen and open/resolved.
 * - finding_states: intervals [from_run, to_run] during which a finding had one severity and one
 *   durable evidence; to_run is NULL while the interval is still open. An unchanged finding adds
 *   nothing per run.
 * What a succeeded run R saw = the intervals of R's target with from_run <= R <= to_run (or open).
 */

import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const scanRuns = sqliteTable(
  'scan_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    target: text('target').notNull(),
    accountId: text('account_id'),
    source: text('source').notNull(),
    trigger: text('trigger').notNull(),
    status: text('status').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    errorCode: text('error_code'),
    error: text('error'),
    /** The effective check settings of this run (JSON). */
    settingsJson: text('settings_json').notNull().default('{}'),
    /** api_calls, throttled, retries, duration_ms, users, access_keys, findings (JSON). */
    statsJson: text('stats_json').notNull().default('{}'),
    /** Checks the source could not evaluate, with the reason (JSON array). */
    skippedJson: text('skipped_json').notNull().default('[]'),
    reportGeneratedAt: integer('report_generated_at'),
  },
  (t) => [index('scan_runs_target_id').on(t.target, t.id), index('scan_runs_status').on(t.status)],
);

export const findings = sqliteTable(
  'findings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    fingerprint: text('fingerprint').notNull(),
    target: text('target').notNull(),
    checkId: text('check_id').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    userName: text('user_name'),
    userArn: text('user_arn'),
    severity: text('severity').notNull(),
    /** 0 info … 4 critical, for "minimum severity" filters and sorting. */
    severityRank: integer('severity_rank').notNull(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    durableJson: text('durable_json').notNull(),
    volatileJson: text('volatile_json').notNull(),
    remediation: text('remediation').notNull(),
    status: text('status').notNull(),
    firstSeenRunId: integer('first_seen_run_id').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenRunId: integer('last_seen_run_id').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    resolvedRunId: integer('resolved_run_id'),
    resolvedAt: integer('resolved_at'),
  },
  (t) => [
    uniqueIndex('findings_fingerprint').on(t.fingerprint),
    index('findings_target_status_severity').on(t.target, t.status, t.severityRank),
    index('findings_check').on(t.checkId),
    index('findings_user').on(t.userName),
  ],
);

export const findingStates = sqliteTable(
  'finding_states',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    findingId: integer('finding_id')
      .notNull()
      .references(() => findings.id, { onDelete: 'cascade' }),
    target: text('target').notNull(),
    severity: text('severity').notNull(),
    durableJson: text('durable_json').notNull(),
    fromRunId: integer('from_run_id').notNull(),
    fromAt: integer('from_at').notNull(),
    /** The last run that saw this state (inclusive); NULL while the interval is open. */
    toRunId: integer('to_run_id'),
    toAt: integer('to_at'),
  },
  (t) => [
    index('finding_states_finding').on(t.findingId, t.fromRunId),
    index('finding_states_target_from').on(t.target, t.fromRunId),
    index('finding_states_target_to').on(t.target, t.toRunId),
  ],
);

export type ScanRunRow = typeof scanRuns.$inferSelect;
export type FindingRow = typeof findings.$inferSelect;
export type FindingStateRow = typeof findingStates.$inferSelect;

