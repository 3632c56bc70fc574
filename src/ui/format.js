// @ts-check
/** How the dashboard writes numbers, dates and durations. */

/** Most severe first: the order of every severity column and legend. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

const numberFormat = new Intl.NumberFormat('en-US');

/** @param {number | null | undefined} n */
export const num = (n) => (typeof n === 'number' && Number.isFinite(n) ? numberFormat.format(n) : '—');

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** "2026-11-21 08:24" in the browser's time zone. @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "2026-11-21". @param {string} iso */
export function date(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "45 s", "3 min 5 s", "2 h 10 min", "4 d 3 h". @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const d = Math.floor(hours / 24);
  return `${d} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** "3 h ago" (or "in 5 min" for a time ahead). @param {string | null | undefined} iso @param {number} [now] */
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const delta = now - Date.parse(iso);
  return delta >= 0 ? `${duration(delta)} ago` : `in ${duration(-delta)}`;
}

/** An evidence value as text. @param {unknown} v */
export const evidenceValue = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
