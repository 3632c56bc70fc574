/** Shapes store objects into the API's JSON (snake_case, ISO dates, derived ages). */
import { checkText } from '../checks/catalog';
import type { ChangedItem, DiffItem, RunDiff } from '../scans/diff';
import type { SuppressionView } from '../scans/suppressions';
import type { FindingTimeline } from '../scans/timeline';
import type { TrendPoint } from '../scans/trends';
import type { Finding } from '../domain/findings';
import type { SuppressedFilter } from '../domain/findings';
import type { ScanRun } from '../domain/runs';
import { csvRecord } from './csv';
import type { FindingJson, RunJson, SuppressionJson, TrendsJson } from './schemas';

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const DAY_MS = 86_400_000;

export function presentRun(run: ScanRun): RunJson {
  return {
    id: run.id,
    target: run.target,
    account_id: run.accountId,
    source: run.source,
    trigger: run.trigger,
    status: run.status,
    started_at: iso(run.startedAt)!,
    finished_at: iso(run.finishedAt),
    duration_ms: run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
    error: run.errorCode || run.error ? { code: run.errorCode ?? 'error', message: run.error ?? '' } : null,
    stats: run.stats,
    skipped_checks: run.skippedChecks.map((s) => ({ check_id: s.checkId, reason: s.reason })),
    report_generated_at: iso(run.reportGeneratedAt),
    data_age_seconds:
      run.reportGeneratedAt !== null && run.finishedAt !== null ? Math.max(0, Math.round((run.finishedAt - run.reportGeneratedAt) / 1000)) : null,
    settings: run.settings,
  };
}

/** Ages are never stored: they are derived here from the evidence's dates. */
function derivedAges(evidence: Record<string, unknown>, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [field, target] of [
    ['created_date', 'age_days'],
    ['last_used_date', 'days_since_last_use'],
    ['password_last_used', 'days_since_password_use'],
  ] as const) {
    const value = evidence[field];
    if (typeof value === 'string') {
      const t = Date.parse(value);
      if (!Number.isNaN(t)) out[target] = Math.floor((now - t) / DAY_MS);
    }
  }
  return out;
}

export function presentFinding(f: Finding, now = Date.now()): FindingJson {
  const evidence = { ...f.durable, ...f.volatile };
  return {
    id: f.id,
    target: f.target,
    check_id: f.checkId,
    severity: f.severity,
    title: checkText(f.checkId).title,
    message: f.message,
    resource_type: f.resourceType as FindingJson['resource_type'],
    resource_id: f.resourceId,
    user_name: f.userName,
    user_arn: f.userArn,
    evidence: { ...evidence, ...derivedAges(evidence, now) },
    remediation: checkText(f.checkId).remediation,
    status: f.status,
    first_seen_at: iso(f.firstSeenAt)!,
    first_seen_run_id: f.firstSeenRunId,
    last_seen_at: iso(f.lastSeenAt)!,
    last_seen_run_id: f.lastSeenRunId,
    resolved_at: iso(f.resolvedAt),
    resolved_run_id: f.resolvedRunId,
    suppressed: f.suppressionId !== null,
    suppression_id: f.suppressionId,
  };
}

export function presentTimeline(t: FindingTimeline, now: number) {
  return {
    ...presentFinding(t.finding, now),
    timeline: t.states.map((s) => ({
      severity: s.severity,
      evidence: s.evidence,
      from_run_id: s.fromRunId,
      from_at: iso(s.fromAt)!,
      to_run_id: s.toRunId,
      to_at: iso(s.toAt),
      ended_by: s.endedBy,
      ended_by_run_id: s.endedByRunId,
      ended_at: iso(s.endedAt),
    })),
    events: t.events.map((e) => ({
      type: e.type,
      run_id: e.runId,
      at: iso(e.at)!,
      ...(e.severity !== undefined ? { severity: e.severity } : {}),
      ...(e.previousSeverity !== undefined ? { previous_severity: e.previousSeverity } : {}),
    })),
  };
}

/**
 * The diff as JSON text (the DiffSchema shape). Diffs can list tens of thousands of findings: each
 * state's durable evidence is already canonical JSON in the store, so it is written as is instead of
 * being parsed and serialised again.
 */
export function renderDiffJson(d: RunDiff): string {
  // JSON string literals; check ids, titles, resource types and severities repeat: quote them once.
  const quoted = new Map<string, string>();
  const q = (v: string): string => {
    let out = quoted.get(v);
    if (out === undefined) quoted.set(v, (out = JSON.stringify(v)));
    return out;
  };
  const item = (i: DiffItem, extra = ''): string => {
    const s = i.state;
    return (
      `{"finding_id":${s.findingId},"check_id":${q(s.checkId)},"title":${q(checkText(s.checkId).title)},"severity":${q(s.severity)}` +
      `,"resource_type":${q(s.resourceType)},"resource_id":${JSON.stringify(s.resourceId)},"user_name":${s.userName === null ? 'null' : JSON.stringify(s.userName)}` +
      `,"evidence":${s.durableJson},"suppressed":${i.suppressionId !== null},"suppression_id":${i.suppressionId ?? 'null'}${extra}}`
    );
  };
  const changed = (c: ChangedItem): string =>
    item(c, `,"before":{"severity":${q(c.before.severity)},"evidence":${c.before.durableJson}},"after":{"severity":${q(c.state.severity)},"evidence":${c.state.durableJson}}`);
  const head = JSON.stringify({
    run_id: d.run.id,
    base_run_id: d.base?.id ?? null,
    target: d.run.target,
    run_finished_at: iso(d.run.finishedAt),
    base_finished_at: d.base ? iso(d.base.finishedAt) : null,
    suppressed: d.suppressed,
    counts: { new: d.new.length, resolved: d.resolved.length, changed: d.changed.length, unchanged: d.unchanged, suppressed_left_out: d.leftOut },
    unchanged: d.unchanged,
  });
  return (
    `${head.slice(0, -1)},"new":[${d.new.map((i) => item(i)).join(',')}],"resolved":[${d.resolved.map((i) => item(i)).join(',')}]` +
    `,"changed":[${d.changed.map(changed).join(',')}]}`
  );
}

export function presentSuppression(s: SuppressionView): SuppressionJson {
  return {
    id: s.id,
    target: s.target,
    finding_id: s.findingId,
    check_id: s.checkId,
    user_pattern: s.userPattern,
    reason: s.reason,
    created_at: iso(s.createdAt)!,
    expires_at: iso(s.expiresAt),
    active: s.active,
    matched_open_findings: s.matchedOpenFindings,
  };
}

export function presentTrends(target: string, suppressed: SuppressedFilter, points: TrendPoint[], truncated: boolean): TrendsJson {
  return {
    target,
    suppressed,
    points: points.map((p) => ({
      run_id: p.runId,
      finished_at: iso(p.finishedAt)!,
      source: p.source,
      open: p.open,
      open_by_severity: p.openBySeverity as TrendsJson['points'][number]['open_by_severity'],
      new: p.new,
      resolved: p.resolved,
      changed: p.changed,
      suppressed: p.suppressed,
    })),
    truncated,
  };
}

/** Columns of the findings CSV export, in order. */
export const FINDINGS_CSV_COLUMNS = [
  'id',
  'target',
  'check_id',
  'severity',
  'status',
  'title',
  'resource_type',
  'resource_id',
  'user_name',
  'user_arn',
  'message',
  'first_seen_at',
  'last_seen_at',
  'resolved_at',
  'suppressed',
  'suppression_id',
  'evidence',
] as const;

/** One finding as a CSV record (columns as FINDINGS_CSV_COLUMNS), through the one CSV writer. */
export function findingCsvRecord(f: Finding, now: number): string {
  const j = presentFinding(f, now);
  return csvRecord([
    j.id,
    j.target,
    j.check_id,
    j.severity,
    j.status,
    j.title,
    j.resource_type,
    j.resource_id,
    j.user_name,
    j.user_arn,
    j.message,
    j.first_seen_at,
    j.last_seen_at,
    j.resolved_at,
    j.suppressed,
    j.suppression_id,
    JSON.stringify(j.evidence),
  ]);
}

export const pageOf = <T>(items: T[], total: number, limit: number, offset: number) => ({
  items,
  total,
  limit,
  offset,
  next_offset: offset + items.length < total ? offset + items.length : null,
});
