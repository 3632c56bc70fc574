/**
 * The printable report of one run (GET /api/scans/{id}/report) as ONE self-contained HTML page:
 * no script, no external stylesheet, font or image — only an inline <style>, allowed by the page's
 * own Content-Security-Policy through its sha256 hash. Saved or printed to PDF from a browser, it
 * looks the same (print CSS: page margins, table headers repeated, rows never split).
 *
 * Every value from the store or from AWS (user names, ids, messages, evidence) is escaped.
 */
import { createHash } from 'node:crypto';
import { checkText } from '../checks/catalog';
import { SEVERITIES } from '../domain/severity';
import type { Finding } from '../domain/findings';
import type { ScanRun } from '../domain/runs';
import type { ChangedItem, DiffItem } from '../scans/diff';
import type { RunReport } from '../scans/run-report';

/** Each list of changes shows at most this many items; the counts are always complete. */
export const REPORT_MAX_CHANGES_LISTED = 500;

const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1b1f24; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; break-after: avoid; }
h3 { font-size: 15px; margin: 18px 0 4px; break-after: avoid; }
h3.severity { font-size: 17px; margin-top: 24px; }
h4 { font-size: 14px; margin: 14px 0 4px; break-after: avoid; }
p { margin: 4px 0 8px; }
.sub { color: #57606a; margin: 0 0 16px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #d8dee4; }
th { background: #f6f8fa; font-weight: 600; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.summary dt { font-weight: 600; color: #424a53; }
dl.summary dd { margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; padding: 0; list-style: none; }
.counts li { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 12px; min-width: 96px; }
.counts b { display: block; font-size: 20px; }
.sev { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 12px; font-weight: 600; border: 1px solid; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.sev-critical { color: #fff; background: #8c1d18; border-color: #8c1d18; }
.sev-high { color: #fff; background: #b3261e; border-color: #b3261e; }
.sev-medium { color: #5c3c00; background: #fff1c2; border-color: #b58100; }
.sev-low { color: #0b3d62; background: #ddf0ff; border-color: #3b82c4; }
.sev-info { color: #424a53; background: #f1f3f5; border-color: #8c959f; }
.error { border: 1px solid #b3261e; background: #fdecea; padding: 8px 12px; border-radius: 6px; }
.note { color: #57606a; font-size: 13px; }
.remediation { background: #f6f8fa; border-left: 3px solid #8c959f; padding: 6px 10px; margin: 4px 0 8px; }
.suppressed { color: #57606a; font-style: italic; }
footer { margin-top: 32px; color: #57606a; font-size: 12px; border-top: 1px solid #d8dee4; padding-top: 8px; }
@page { margin: 14mm 12mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
`;

/** The report's Content-Security-Policy: nothing may load; only the inline stylesheet above (by its hash) applies. */
export const REPORT_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const when = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? '—' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const num = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US') : '—');
const sev = (s: string): string => `<span class="sev sev-${esc(s)}">${esc(s)}</span>`;

function countBySeverity(severities: string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const s of severities) out[s] = (out[s] ?? 0) + 1;
  return out;
}

function summary(run: ScanRun, findingCount: number): string {
  const st = run.stats;
  const rows: [string, string][] = [
    ['Run', `#${run.id}`],
    ['Target', esc(run.target)],
    ['AWS account', run.accountId ? `<span class="id">${esc(run.accountId)}</span>${run.accountName ? ` (${esc(run.accountName)})` : ''}` : '—'],
    ['Status', esc(run.status)],
    ['Source', esc(run.source)],
    ['Started by', esc(run.trigger)],
    ['Started', when(run.startedAt)],
    ['Finished', when(run.finishedAt)],
    ['Duration', duration(run.finishedAt !== null ? run.finishedAt - run.startedAt : null)],
    ['IAM calls', `${num(st.api_calls)} (throttled ${num(st.throttled)}, retries ${num(st.retries)})`],
    ['Users / access keys', `${num(st.users)} / ${num(st.access_keys)}`],
    ['Findings', run.status === 'succeeded' ? num(findingCount) : '—'],
  ];
  if (run.reportGeneratedAt !== null) rows.push(['Credential report generated', when(run.reportGeneratedAt)]);
  return `<dl class="summary">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function skipped(run: ScanRun): string {
  if (run.skippedChecks.length === 0) return '';
  const items = run.skippedChecks.map((s) => `<li><code>${esc(s.checkId)}</code>: ${esc(s.reason)}</li>`).join('');
  return `<h3>Checks this run could not evaluate</h3><p class="note">Their earlier findings stay open until a run that evaluates them.</p><ul>${items}</ul>`;
}

function severityCounts(counts: Record<string, number>, total: number): string {
  const items = MOST_SEVERE_FIRST.map((s) => `<li>${sev(s)}<b>${num(counts[s] ?? 0)}</b></li>`).join('');
  return `<ul class="counts" aria-label="Findings by severity"><li>total<b>${num(total)}</b></li>${items}</ul>`;
}

const userCell = (userName: string | null) => (userName ? esc(userName) : '—');
const flag = (suppressionId: number | null) => (suppressionId !== null ? ' <span class="suppressed">(suppressed)</span>' : '');

/** "privilege: standard → admin" for the durable evidence fields that differ. */
function evidenceChanges(before: Record<string, unknown>, after: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return keys.map((k) => `${esc(k)}: ${esc(JSON.stringify(before[k] ?? null))} → ${esc(JSON.stringify(after[k] ?? null))}`).join('<br>');
}

function changeList(title: string, items: readonly DiffItem[], runId: number): string {
  if (items.length === 0) return `<h3>${title} (0)</h3>`;
  const shown = items.slice(0, REPORT_MAX_CHANGES_LISTED);
  const rows = shown
    .map((i) => {
      const s = i.state;
      return `<tr><td>${sev(s.severity)}</td><td>${esc(checkText(s.checkId).title)}${flag(i.suppressionId)}</td><td>${userCell(s.userName)}</td><td class="id">${esc(s.resourceId)}</td></tr>`;
    })
    .join('');
  const more =
    items.length > shown.length
      ? `<p class="note">… and ${num(items.length - shown.length)} more: GET /api/scans/${runId}/diff lists them all.</p>`
      : '';
  return `<h3>${title} (${num(items.length)})</h3><table><thead><tr><th>Severity</th><th>Check</th><th>User</th><th>Resource</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function changedList(items: readonly ChangedItem[], runId: number): string {
  if (items.length === 0) return '<h3>Changed (0)</h3>';
  const shown = items.slice(0, REPORT_MAX_CHANGES_LISTED);
  const rows = shown
    .map((c) => {
      const s = c.state;
      return (
        `<tr><td>${sev(c.before.severity)} → ${sev(s.severity)}</td><td>${esc(checkText(s.checkId).title)}${flag(c.suppressionId)}</td>` +
        `<td>${userCell(s.userName)}</td><td class="id">${esc(s.resourceId)}</td><td><code>${evidenceChanges(c.before.durable, s.durable)}</code></td></tr>`
      );
    })
    .join('');
  const more =
    items.length > shown.length
      ? `<p class="note">… and ${num(items.length - shown.length)} more: GET /api/scans/${runId}/diff lists them all.</p>`
      : '';
  return `<h3>Changed (${num(items.length)})</h3><table><thead><tr><th>Severity</th><th>Check</th><th>User</th><th>Resource</th><th>What changed</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function changes(report: RunReport): string {
  const d = report.changes;
  if (!d) return '';
  if (!d.base) {
    return `<h2>Changes since the previous run</h2><p>This is the first succeeded run of target ${esc(d.run.target)}: all ${num(d.new.length)} findings are new.</p>`;
  }
  return (
    `<h2>Changes since the previous run</h2>` +
    `<p>Compared with run #${d.base.id} (finished ${when(d.base.finishedAt)}).</p>` +
    `<ul class="counts" aria-label="Changes"><li>new<b>${num(d.new.length)}</b></li><li>resolved<b>${num(d.resolved.length)}</b></li>` +
    `<li>changed<b>${num(d.changed.length)}</b></li><li>unchanged<b>${num(d.unchanged)}</b></li></ul>` +
    changeList('New', d.new, d.run.id) +
    changeList('Resolved', d.resolved, d.run.id) +
    changedList(d.changed, d.run.id)
  );
}

function findingRow(f: Finding): string {
  return (
    `<tr><td>${userCell(f.userName)}</td><td class="id">${esc(f.resourceId)}</td><td>${esc(f.message)}${flag(f.suppressionId)}</td>` +
    `<td>${when(f.firstSeenAt)}</td></tr>`
  );
}

function findingsBySeverity(findings: Finding[]): string {
  if (findings.length === 0) return '<h2>Findings</h2><p>This run found nothing.</p>';
  const out: string[] = ['<h2>Findings by severity</h2>'];
  for (const severity of MOST_SEVERE_FIRST) {
    const ofSeverity = findings.filter((f) => f.severity === severity);
    if (ofSeverity.length === 0) continue;
    out.push(`<h3 class="severity">${sev(severity)} ${esc(severity[0]!.toUpperCase() + severity.slice(1))} (${num(ofSeverity.length)})</h3>`);
    const byCheck = new Map<string, Finding[]>();
    for (const f of ofSeverity) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);
    for (const [checkId, list] of byCheck) {
      const text = checkText(checkId);
      const refs = text.references.length > 0 ? `<p class="note">References: ${text.references.map(esc).join('; ')}</p>` : '';
      out.push(
        `<h4>${esc(text.title)} <code>${esc(checkId)}</code> (${num(list.length)})</h4>` +
          `<div class="remediation"><b>Remediation:</b> ${esc(text.remediation)}</div>${refs}` +
          `<table><thead><tr><th>User</th><th>Resource</th><th>Finding</th><th>First seen</th></tr></thead><tbody>${list.map(findingRow).join('')}</tbody></table>`,
      );
    }
  }
  return out.join('');
}

/** The whole page. */
export function renderRunReportHtml(report: RunReport, version: string): string {
  const { run, findings } = report;
  const title = `keywatch report: ${run.target}, run #${run.id}`;
  const counts = countBySeverity(findings.map((f) => f.severity));
  const suppressed = findings.filter((f) => f.suppressionId !== null).length;
  const body =
    `<h1>${esc(title)}</h1>` +
    `<p class="sub">${esc(run.source)} scan of ${esc(run.target)}${run.accountId ? ` (AWS account ${esc(run.accountId)})` : ''}, finished ${when(run.finishedAt)}</p>` +
    `<h2>Summary</h2>` +
    (run.error ? `<p class="error" role="alert"><b>${esc(run.status)}</b> (${esc(run.errorCode ?? 'error')}): ${esc(run.error)}</p>` : '') +
    (run.status === 'succeeded'
      ? severityCounts(counts, findings.length) + (suppressed > 0 ? `<p class="note">${num(suppressed)} of them ${suppressed === 1 ? 'is' : 'are'} suppressed (accepted risks), marked below.</p>` : '')
      : `<p>This run ${esc(run.status === 'running' || run.status === 'queued' ? `is ${run.status}` : `ended ${run.status}`)}: it has no findings of its own.</p>`) +
    summary(run, findings.length) +
    skipped(run) +
    changes(report) +
    (run.status === 'succeeded' ? findingsBySeverity(findings) : '') +
    `<footer>Generated by keywatch ${esc(version)} at ${when(report.generatedAt)}. Suppressions as of that moment. ` +
    `The same data: GET /api/scans/${run.id}, /api/scans/${run.id}/findings and /api/scans/${run.id}/diff.</footer>`;
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>\n`;
}
