/** Plain-text rendering for the CLI. */
import type { ScanRun } from '../domain/runs';
import type { Finding } from '../domain/findings';

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
