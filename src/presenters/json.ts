/**
 * Presenters: use-case results → keywatch's public JSON (src/presenters/schemas.ts): snake_case,
 * ISO dates, ages derived from dates, and a finding's title and remediation taken from its check
 * (checkText), never from the store.
 *
 * Why this is not under src/http: the webhook notifier (src/scans/notifier.ts) posts the same diff
 * items as GET /api/scans/{id}/diff, and a use case must not import the HTTP layer. This module
 * depends only on src/domain, the check catalog and the *types* of use-case and store results
 * (type-only imports, erased at run time); src/http and the notifier both import it.
 */
import { checkText } from '../checks/catalog';
import type { ResourceType } from '../domain/findings';
import type { ScanRun } from '../domain/runs';
import type { Severity } from '../domain/severity';
import type { SuppressionView } from '../scans/suppressions';
import type { FindingTimeline } from '../scans/timeline';
import type { TargetsOverview } from '../scans/targets-overview';
import type { DayTrendPoint, TrendCounts, TrendPoint } from '../scans/trends';
import type { Finding, SuppressedFilter } from '../domain/findings';
import type {
  DayTrendsJson,
  FindingDetailJson,
  FindingJson,
  RunJson,
  RunTrendsJson,
  ScanBatchJson,
  SuppressionJson,
  TargetsOverviewJson,
} from './schemas';

export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const DAY_MS = 86_400_000;

/** A run's error as the API shows it (null when it has none). */
const runError = (run: ScanRun) => (run.errorCode || run.error ? { code: run.errorCode ?? 'error', message: run.error ?? '' } : null);

export function presentRun(run: ScanRun): RunJson {
  return {
    id: run.id,
    target: run.target,
    account_id: run.accountId,
    account_name: run.accountName,
    source: run.source,
    trigger: run.trigger,
    status: run.status,
    started_at: iso(run.startedAt)!,
    finished_at: iso(run.finishedAt),
    duration_ms: run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
    error: runError(run),
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

export function presentFinding(f: Finding, now: number): FindingJson {
  const evidence = { ...f.durable, ...f.volatile };
  const text = checkText(f.checkId);
  return {
    id: f.id,
    target: f.target,
    account_id: f.accountId,
    check_id: f.checkId,
    // The store keeps the values its writers were given: severities and resource types of the domain lists.
    severity: f.severity as Severity,
    title: text.title,
    message: f.message,
    resource_type: f.resourceType as ResourceType,
    resource_id: f.resourceId,
    user_name: f.userName,
    user_arn: f.userArn,
    privilege: f.privilege,
    evidence: { ...evidence, ...derivedAges(evidence, now) },
    remediation: text.remediation,
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

export function presentTimeline(t: FindingTimeline, now: number): FindingDetailJson {
  return {
    ...presentFinding(t.finding, now),
    timeline: t.states.map((s) => ({
      severity: s.severity as Severity,
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
      ...(e.severity !== undefined ? { severity: e.severity as Severity } : {}),
      ...(e.previousSeverity !== undefined ? { previous_severity: e.previousSeverity as Severity } : {}),
    })),
  };
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

/** The counts every trend point has (a run's, or a day's). */
function trendCountsJson(p: TrendCounts) {
  return {
    open: p.open,
    open_by_severity: p.openBySeverity as Record<Severity, number>,
    new: p.new,
    resolved: p.resolved,
    changed: p.changed,
    suppressed: p.suppressed,
  };
}

export function presentTrends(target: string, suppressed: SuppressedFilter, points: TrendPoint[], truncated: boolean): RunTrendsJson {
  return {
    bucket: 'run',
    target,
    suppressed,
    points: points.map((p) => ({
      run_id: p.runId,
      finished_at: iso(p.finishedAt)!,
      source: p.source as ScanRun['source'],
      ...trendCountsJson(p),
    })),
    truncated,
  };
}

/** Trends by UTC day (organization-wide, or one target's with bucket=day). */
export function presentDayTrends(target: string | null, suppressed: SuppressedFilter, points: DayTrendPoint[], truncated: boolean): DayTrendsJson {
  return {
    bucket: 'day',
    target,
    suppressed,
    points: points.map((p) => ({
      day: new Date(p.day * DAY_MS).toISOString().slice(0, 10),
      finished_at: iso(p.finishedAt)!,
      targets: p.targets,
      scanned_targets: p.scannedTargets,
      runs: p.runs,
      ...trendCountsJson(p),
    })),
    truncated,
  };
}

/** GET /api/targets: one page of the overview's targets, with the totals over all of them. */
export function presentTargets(o: TargetsOverview, page: { limit: number; offset: number }): TargetsOverviewJson {
  const items = o.targets.slice(page.offset, page.offset + page.limit);
  const last = o.discovery.last;
  return {
    totals: o.totals,
    discovery: {
      enabled: o.discovery.enabled,
      last: last ? { ok: last.ok, at: iso(last.at)!, accounts: last.ok ? (last.accounts ?? 0) : null, error: last.error ?? null } : null,
    },
    items: items.map(({ target: t, lastRun, openFindings, nextScanAt }) => ({
      name: t.name,
      account_id: t.accountId,
      account_name: t.label,
      origin: t.origin,
      active: t.active,
      role_arn: t.roleArn,
      source: t.source,
      last_run: lastRun
        ? {
            id: lastRun.id,
            status: lastRun.status,
            source: lastRun.source,
            started_at: iso(lastRun.startedAt)!,
            finished_at: iso(lastRun.finishedAt),
            error: runError(lastRun),
          }
        : null,
      open_findings: openFindings,
      next_scan_at: nextScanAt ? nextScanAt.toISOString() : null,
    })),
    total: o.targets.length,
    limit: page.limit,
    offset: page.offset,
    next_offset: page.offset + items.length < o.targets.length ? page.offset + items.length : null,
  };
}

/** POST /api/scans with `all`: the runs that started (or finished, with wait) and the targets refused. */
export function presentScanBatch(runs: ScanRun[], refused: { target: string; error: { code: string; message: string } }[]): ScanBatchJson {
  return { runs: runs.map(presentRun), refused: refused.map((r) => ({ target: r.target, error: { code: r.error.code, message: r.error.message } })) };
}
