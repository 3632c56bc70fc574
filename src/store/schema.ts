/**
 * The one Drizzle schema of keywatch. snake_case columns, integer timestamps (ms since epoch).
 *
 * History grows with change, not with the number of runs:
 * - scan_runs: one row per run.
 * - findings: one row per finding identity (fingerprint = target + check + resource, unique), holding
 *   the current severity, the latest evidence and message, first/last seen and open/resolved.
 * - finding_states: intervals [from_run, to_run] during which a finding had one severity and one
 *   durable evidence; to_run is NULL while the interval is still open. An unchanged finding adds
 *   nothing per run.
 * What a succeeded run R saw = the intervals of R's target with from_run <= R <= to_run (or open).
 */

import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const scanRuns = sqliteTable(
  'scan_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    target: text('target').notNull(),
    accountId: text('account_id'),
    /** The account's name in the organization when the run was made (discovered targets). */
    accountName: text('account_name'),
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
    /**
     * The last moment the run was known alive (its start, then each heartbeat of its scan lease).
     * An interrupted run finished here, not when a later process noticed (after a kill -9 too).
     */
    heartbeatAt: integer('heartbeat_at'),
  },
  (t) => [index('scan_runs_target_id').on(t.target, t.id), index('scan_runs_status').on(t.status)],
);

/**
 * One scan per target across processes: the lease of the run that is scanning a target. Taken in the
 * transaction that creates the run, renewed by heartbeats while it scans, released in the transaction
 * that records the run's end. A lease whose heartbeat is older than the lease timeout belongs to a
 * process that died: it may be taken over, and its run is then marked interrupted.
 */
export const scanLeases = sqliteTable('scan_leases', {
  target: text('target').primaryKey(),
  runId: integer('run_id')
    .notNull()
    .references(() => scanRuns.id, { onDelete: 'cascade' }),
  /** A random id per keywatch process (per app context): only its owner renews or releases a lease. */
  ownerId: text('owner_id').notNull(),
  /** For people reading a 409: which process holds the lease. */
  ownerPid: integer('owner_pid').notNull(),
  ownerHost: text('owner_host').notNull(),
  acquiredAt: integer('acquired_at').notNull(),
  heartbeatAt: integer('heartbeat_at').notNull(),
});

/**
 * The readiness probe's one row: /api/ready commits a write here to prove the database can be
 * written (a read-only file, a failing disk or a full database make that commit fail).
 */
export const readinessProbe = sqliteTable('readiness_probe', {
  id: integer('id').primaryKey(),
  checkedAt: integer('checked_at').notNull(),
  /** Written only inside a rolled-back savepoint: a blob that needs new pages (can the file still grow?). */
  room: blob('room'),
});

export const findings = sqliteTable(
  'findings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    target: text('target').notNull(),
    /** The AWS account of the target when the finding was last seen. */
    accountId: text('account_id'),
    checkId: text('check_id').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    userName: text('user_name'),
    userArn: text('user_arn'),
    severity: text('severity').notNull(),
    /** 0 info … 4 critical, for "minimum severity" filters and sorting. */
    severityRank: integer('severity_rank').notNull(),
    /** The latest message (it can hold an age, so it is rewritten when it changes). */
    message: text('message').notNull(),
    durableJson: text('durable_json').notNull(),
    volatileJson: text('volatile_json').notNull(),
    /** The user's privilege class as the latest run saw it (admin, privilege_escalation, standard); NULL when unknown. */
    privilege: text('privilege'),
    status: text('status').notNull(),
    firstSeenRunId: integer('first_seen_run_id').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenRunId: integer('last_seen_run_id').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    resolvedRunId: integer('resolved_run_id'),
    resolvedAt: integer('resolved_at'),
  },
  (t) => [
    // The identity (fingerprint) of a finding: target + check + resource (AccessKeyId, user ARN, …).
    uniqueIndex('findings_identity').on(t.target, t.checkId, t.resourceId),
    index('findings_target_status_severity').on(t.target, t.status, t.severityRank),
    // Organization-wide lists (no target filter), most severe first.
    index('findings_status_severity').on(t.status, t.severityRank),
    index('findings_user').on(t.userName),
    // Suppressions by check and user pattern: which findings one covers, read from this index alone.
    index('findings_target_check_user').on(t.target, t.checkId, t.userName, t.status),
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
    /**
     * The finding's identity (and its user name while this state lasted), copied from the finding so
     * that diffs and run views read one table.
     */
    checkId: text('check_id').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    userName: text('user_name'),
    severity: text('severity').notNull(),
    durableJson: text('durable_json').notNull(),
    fromRunId: integer('from_run_id').notNull(),
    fromAt: integer('from_at').notNull(),
    /** The last run that saw this state (inclusive); NULL while the interval is open. */
    toRunId: integer('to_run_id'),
    toAt: integer('to_at'),
    /**
     * The succeeded run that ended this state (the first run after to_run that did not see it), its
     * time, and why: `changed` (that run saw another state) or `resolved` (it did not see the finding).
     * Set when the interval closes (all three, always) so that timelines never depend on runs that
     * retention deleted.
     */
    endedByRunId: integer('ended_by_run_id'),
    endedAt: integer('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [
    // A finding's intervals (timelines; in diffs, "the finding's interval covering run R" without touching the table).
    index('finding_states_finding_from_to').on(t.findingId, t.fromRunId, t.toRunId),
    // Covering indexes for "intervals covering run R" and for diffs: the intervals that began (or ended)
    // between two runs, with their finding, counted and paged without touching the table.
    index('finding_states_target_from_to_finding').on(t.target, t.fromRunId, t.toRunId, t.findingId),
    index('finding_states_target_to_from_finding').on(t.target, t.toRunId, t.fromRunId, t.findingId),
    // Diff pages: the same intervals in page order — the run they began (or ended) in, then id — so that
    // a page reads its rows in order and stops at the limit, without sorting every interval of a run
    // first (the first run's diff: every interval begins in one run).
    index('finding_states_target_from_id_to').on(t.target, t.fromRunId, t.id, t.toRunId),
    index('finding_states_target_to_id_from').on(t.target, t.toRunId, t.id, t.fromRunId),
  ],
);

/**
 * Suppressions (accepted risks): by finding id, or by check id plus a user-name glob. Evaluated at read
 * time against the clock: an expired suppression stops applying by itself; deleting one brings its
 * findings back. Suppressed findings are still recorded.
 */
export const suppressions = sqliteTable(
  'suppressions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The target it applies to; NULL = every target (a check + user pattern accepted organization-wide). */
    target: text('target'),
    findingId: integer('finding_id').references(() => findings.id, { onDelete: 'cascade' }),
    checkId: text('check_id'),
    /** Glob over the user name (`*` any run of characters, `?` one character), case-insensitive. */
    userPattern: text('user_pattern'),
    reason: text('reason').notNull(),
    createdAt: integer('created_at').notNull(),
    /** NULL = never expires. */
    expiresAt: integer('expires_at'),
  },
  (t) => [index('suppressions_target').on(t.target), index('suppressions_finding').on(t.findingId)],
);

/**
 * Every target keywatch knows: configured ones and accounts discovered in the organization. A
 * target that is no longer configured or has left the organization stays, inactive, so that its
 * history reads with its account and label. ExternalIds are secrets and are never stored.
 */
export const targets = sqliteTable('targets', {
  name: text('name').primaryKey(),
  accountId: text('account_id'),
  /** The account's name in the organization (discovered targets). */
  label: text('label'),
  /** configured | organization */
  origin: text('origin').notNull(),
  roleArn: text('role_arn'),
  source: text('source').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull(),
  firstSeenAt: integer('first_seen_at').notNull(),
  /** When configuration or discovery last described it (active or not). */
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Credential ids earlier runs learned (src/domain/known-credentials.ts), per target: the credential
 * report names access keys and signing certificates by slot and date only, and a report scan needs no
 * listing for a user whose slots are all known here. Written in the transaction that records a run
 * (a failed run learns nothing); each run replaces what it collected. Never needed to read history:
 * losing a row costs one listing at the next report scan, nothing else.
 */
export const knownCredentials = sqliteTable(
  'known_credentials',
  {
    target: text('target').notNull(),
    /** access_key | signing_certificate */
    kind: text('kind').notNull(),
    /** AccessKeyId or CertificateId. */
    credentialId: text('credential_id').notNull(),
    userName: text('user_name').notNull(),
    userArn: text('user_arn').notNull(),
    /** The user's creation time (whole seconds): a user re-created under the same name is another user. */
    userCreatedAt: integer('user_created_at').notNull(),
    /** The credential report's slot (1 or 2). */
    slot: integer('slot').notNull(),
    /** The credential's creation (upload) time, whole seconds. */
    createdAt: integer('created_at').notNull(),
    /** The run that last confirmed it; retention deleting that run deletes the row with it. */
    confirmedRunId: integer('confirmed_run_id')
      .notNull()
      .references(() => scanRuns.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.target, t.kind, t.credentialId] }),
    // Deleting a run looks its rows up here (without it, every deleted run would scan the table).
    index('known_credentials_confirmed_run').on(t.confirmedRunId),
  ],
);

export type ScanRunRow = typeof scanRuns.$inferSelect;
export type TargetRow = typeof targets.$inferSelect;
export type FindingRow = typeof findings.$inferSelect;
export type FindingStateRow = typeof findingStates.$inferSelect;
export type SuppressionRow = typeof suppressions.$inferSelect;
export type ScanLeaseRow = typeof scanLeases.$inferSelect;

