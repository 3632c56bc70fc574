/** Shapes store objects into the API's JSON (snake_case, ISO dates, derived ages). */
import type { Finding } from '../store/findings-repository';
import type { ScanRun } from '../store';
import type { FindingJson, RunJson } from './schemas';

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
    title: f.title,
    message: f.message,
    resource_type: f.resourceType as FindingJson['resource_type'],
    resource_id: f.resourceId,
    user_name: f.userName,
    user_arn: f.userArn,
    evidence: { ...evidence, ...derivedAges(evidence, now) },
    remediation: f.remediation,
    status: f.status,
    first_seen_at: iso(f.firstSeenAt)!,
    first_seen_run_id: f.firstSeenRunId,
    last_seen_at: iso(f.lastSeenAt)!,
    last_seen_run_id: f.lastSeenRunId,
    resolved_at: iso(f.resolvedAt),
    resolved_run_id: f.resolvedRunId,
  };
}

export const pageOf = <T>(items: T[], total: number, limit: number, offset: number) => ({
  items,
  total,
  limit,
  offset,
  next_offset: offset + items.length < total ? offset + items.length : null,
});
