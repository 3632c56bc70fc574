// @ts-check
/**
 * One finding (/ui/findings/{id}): its message, evidence, remediation and references, the
 * suppression that applies to it, and its timeline — every event (first seen, changed, resolved,
 * reopened) with its run, and every state interval with the runs that saw it.
 *
 * API: GET /api/findings/{id}, GET /api/checks (references), GET /api/suppressions/{id}.
 */
import { api } from '../api.js';
import { evidenceChanges, h, notice, replace, severityBadge, table } from '../dom.js';
import { dateTime, evidenceValue } from '../format.js';

export const title = 'Finding';

const EVENT_LABELS = { first_seen: 'First seen', changed: 'Changed', resolved: 'Resolved', reopened: 'Reopened' };

/** @param {import('../app.js').PageContext} ctx */
export async function render({ main, params }) {
  const id = Number(params[0]);
  const [f, checks] = await Promise.all([api.finding(id), api.checks()]);
  const check = checks.items.find((/** @type {any} */ c) => c.id === f.check_id);
  const suppression = f.suppression_id !== null ? await api.suppression(f.suppression_id).catch(() => null) : null;
  document.title = `${f.title} · keywatch`;
  const runLink = (/** @type {number | null} */ runId) => (runId === null ? '—' : h('a', { href: `/ui/compare?${new URLSearchParams({ target: f.target, run: String(runId) })}` }, `run #${runId}`));

  replace(
    main,
    h('p', {}, h('a', { href: '/ui/findings' }, '← All findings')),
    h('h1', {}, f.title),
    h('p', { class: 'actions' }, severityBadge(f.severity), h('span', { class: `status status-${f.status}` }, f.status), f.suppressed ? h('span', { class: 'status status-suppressed' }, 'suppressed') : null),
    h('p', {}, f.message),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Check'),
      h('dd', {}, h('code', {}, f.check_id)),
      h('dt', {}, 'Resource'),
      h('dd', {}, `${f.resource_type}: `, h('code', {}, f.resource_id)),
      h('dt', {}, 'User'),
      h('dd', {}, f.user_name ?? '—', f.user_arn && f.user_arn !== f.resource_id ? h('div', {}, h('code', {}, f.user_arn)) : null),
      h('dt', {}, 'Target'),
      h('dd', {}, f.target),
      h('dt', {}, 'First seen'),
      h('dd', {}, dateTime(f.first_seen_at), ' (', runLink(f.first_seen_run_id), ')'),
      h('dt', {}, 'Last seen'),
      h('dd', {}, dateTime(f.last_seen_at), ' (', runLink(f.last_seen_run_id), ')'),
      f.resolved_at ? [h('dt', {}, 'Resolved'), h('dd', {}, dateTime(f.resolved_at), ' (', runLink(f.resolved_run_id), ')')] : null,
    ),
    suppressionPanel(f, suppression),
    h('h2', {}, 'Evidence'),
    table({
      caption: 'Evidence',
      captionHidden: true,
      head: ['Field', 'Value'],
      rows: Object.entries(f.evidence).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, k)), h('td', {}, evidenceValue(v)))),
    }),
    h('h2', {}, 'Remediation'),
    h('p', { class: 'remediation' }, f.remediation),
    check?.references?.length ? [h('h2', {}, 'References'), h('ul', {}, ...check.references.map((/** @type {string} */ r) => h('li', {}, r)))] : null,
    h('h2', {}, 'Timeline'),
    timeline(f, runLink),
    h('h2', {}, 'States'),
    h('p', { class: 'muted' }, 'Each state is a severity and durable evidence, from the first run that saw it to the last; last-use dates do not open a new state.'),
    states(f, runLink),
  );
}

/** @param {any} f @param {any} suppression */
function suppressionPanel(f, suppression) {
  if (!f.suppressed) return null;
  if (!suppression) return notice('info', `Suppressed by suppression #${f.suppression_id}.`);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'suppression-title' },
    h('h2', { id: 'suppression-title' }, `Suppressed (accepted risk #${suppression.id})`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Reason'),
      h('dd', {}, suppression.reason),
      h('dt', {}, 'Since'),
      h('dd', {}, dateTime(suppression.created_at)),
      h('dt', {}, 'Expires'),
      h('dd', {}, suppression.expires_at ? dateTime(suppression.expires_at) : 'never (until deleted)'),
      h('dt', {}, 'Covers'),
      h('dd', {}, suppression.finding_id !== null ? 'this finding' : `check ${suppression.check_id}, users matching ${suppression.user_pattern ?? '*'}`),
    ),
  );
}

/**
 * Events, newest last; a change says what changed (severity, and the durable evidence that differs).
 * @param {any} f @param {(runId: number | null) => Node | string} runLink
 */
function timeline(f, runLink) {
  const items = f.events.map((/** @type {any} */ e) => {
    const label = EVENT_LABELS[/** @type {keyof typeof EVENT_LABELS} */ (e.type)] ?? e.type;
    const state = f.timeline.find((/** @type {any} */ s) => s.from_run_id === e.run_id);
    const before = f.timeline.find((/** @type {any} */ s) => s.ended_by_run_id === e.run_id && s.ended_by === 'changed');
    return h(
      'li',
      { class: `event-${e.type}` },
      h('strong', {}, label),
      ' in ',
      runLink(e.run_id),
      ' ',
      h('span', { class: 'when' }, dateTime(e.at)),
      e.previous_severity && e.severity ? h('div', {}, severityBadge(e.previous_severity), ' → ', severityBadge(e.severity)) : e.severity ? h('div', {}, severityBadge(e.severity)) : null,
      before && state ? evidenceChanges(before.evidence, state.evidence) : null,
    );
  });
  return h('ol', { class: 'timeline', 'aria-label': 'Events of this finding' }, ...items);
}


/** @param {any} f @param {(runId: number | null) => Node | string} runLink */
function states(f, runLink) {
  return table({
    caption: 'States of this finding',
    captionHidden: true,
    head: ['Severity', 'From', 'To', 'Ended', 'Durable evidence'],
    rows: f.timeline.map((/** @type {any} */ s) =>
      h(
        'tr',
        {},
        h('td', {}, severityBadge(s.severity)),
        h('td', {}, runLink(s.from_run_id), h('div', { class: 'when' }, dateTime(s.from_at))),
        h('td', {}, s.to_run_id === null ? 'still open' : [runLink(s.to_run_id), h('div', { class: 'when' }, dateTime(s.to_at))]),
        h('td', {}, s.ended_by ? [`${s.ended_by} by `, runLink(s.ended_by_run_id)] : '—'),
        h('td', {}, h('code', {}, Object.entries(s.evidence).map(([k, v]) => `${k}: ${evidenceValue(v)}`).join(', ') || '—')),
      ),
    ),
  });
}
