/** Plain-text rendering for the CLI. */
import type { ScanRun } from '../domain/runs';
import type { Finding } from '../domain/findings';
import type { TargetsOverview } from '../scans/targets-overview';

export function formatRunSummary(run: ScanRun): string {
  const s = run.stats;
  const head = `run ${run.id} ${run.status} — target ${run.target}, source ${run.source}${run.accountId ? `, account ${run.accountId}` : ''}`;
  const stats = `api_calls=${s.api_calls ?? 0} throttled=${s.throttled ?? 0} retries=${s.retries ?? 0} duration_ms=${s.duration_ms ?? 0}` +
    (run.status === 'succeeded' ? ` users=${s.users ?? 0} access_keys=${s.access_keys ?? 0} findings=${s.findings ?? 0} new=${s.new ?? 0} resolved=${s.resolved ?? 0}` : '');
  const lines = [head, stats];
  if (run.error) lines.push(`error: ${run.error}`);
  for (const skipped of run.skippedChecks) lines.push(`skipped ${skipped.checkId}: ${skipped.reason}`);
  return lines.join('\n');
}

export function formatFindingsTable(findings: Finding[]): string {
  if (findings.length === 0) return 'No findings.';
  const rows = findings.map((f) => [f.severity.toUpperCase(), f.checkId, f.userName ?? '-', f.resourceId, f.message]);
  const header = ['SEVERITY', 'CHECK', 'USER', 'RESOURCE', 'MESSAGE'];
  const widths = header.map((h, i) => Math.min(i === 4 ? 80 : 48, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fmt = (r: string[]) => r.map((c, i) => (c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt), `${findings.length} findings`].join('\n');
}

/** Columns padded to their widest cell (the last one not padded). */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** `2026-11-21 08:24Z`: minutes are enough to tell runs apart in a table. */
const shortTime = (ms: number | null): string => (ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`);

/** The targets table of `keywatch targets`: one row per target, then the totals and the last discovery. */
export function formatTargetsTable(o: TargetsOverview): string {
  const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
  const header = ['NAME', 'ACCOUNT', 'ACCOUNT NAME', 'ORIGIN', 'ACTIVE', 'SOURCE', 'LAST RUN', 'FINISHED', 'CRIT', 'HIGH', 'MED', 'LOW', 'INFO'];
  const rows = o.targets.map(({ target: t, lastRun, openFindings }) => [
    t.name,
    t.accountId ?? '-',
    t.label ?? '-',
    t.origin,
    t.active ? 'yes' : 'no',
    t.source,
    lastRun ? `${lastRun.id} ${lastRun.status}` : 'never',
    shortTime(lastRun?.finishedAt ?? null),
    ...severities.map((s) => String(openFindings[s])),
  ]);
  const lines = o.targets.length === 0 ? ['No targets.'] : table(header, rows);
  const totals = severities.map((s) => `${s} ${o.totals[s]}`).join(', ');
  lines.push(`${o.targets.length} targets (${o.targets.filter((t) => t.target.active).length} active); open findings: ${o.totals.total} (${totals})`);
  const d = o.discovery;
  if (d.enabled) {
    lines.push(
      d.last === null
        ? 'organization discovery: not run yet'
        : d.last.ok
          ? `organization discovery: ok at ${shortTime(d.last.at)}, ${d.last.accounts ?? 0} accounts`
          : `organization discovery: FAILED at ${shortTime(d.last.at)}: ${d.last.error ?? 'unknown error'} (the accounts known before stay)`,
    );
  }
  return lines.join('\n');
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
