// @ts-check
/**
 * Findings (/ui/findings?…): the current findings with the API's filters (target, severity, minimum
 * severity, check, user, status, suppressed), sort and paging, and a CSV download of exactly the
 * current filter. Each row opens the finding. The address holds the filters under the API's own
 * parameter names, so /ui/findings?min_severity=high shows what /api/findings?min_severity=high answers.
 *
 * API: GET /api/findings (pages with `cursor`), GET /api/findings?format=csv (the download link),
 * GET /api/checks (the check names), GET /api/targets through api.targets().
 */
import { api } from '../api.js';
import { h, inputField, replace, selectField, severityBadge, table } from '../dom.js';
import { SEVERITIES, dateTime, num } from '../format.js';

export const title = 'Findings';

/** The filters and their defaults (the API's defaults: a filter at its default is left out of the address). */
const DEFAULTS = { target: '', severity: '', min_severity: '', check: '', user: '', status: 'open', suppressed: 'exclude', sort: 'severity', order: 'desc', limit: '50' };
/** @typedef {typeof DEFAULTS} Filters */

const SORTS = /** @type {[string, string][]} */ ([
  ['severity', 'Severity'],
  ['first_seen', 'First seen'],
  ['last_seen', 'Last seen'],
  ['check', 'Check'],
  ['user', 'User'],
]);

/** @param {import('../app.js').PageContext} ctx */
export async function render(ctx) {
  const { main } = ctx;
  /** @type {Filters} */
  const filters = { ...DEFAULTS };
  for (const k of /** @type {(keyof Filters)[]} */ (Object.keys(DEFAULTS))) filters[k] = ctx.query.get(k) ?? DEFAULTS[k];
  // The first page is asked for at once, with the targets and the check names.
  const firstPage = api.findings(apiFilters(filters));
  const [list, checks] = await Promise.all([api.targets(), api.checks()]);

  const results = h('div', { id: 'finding-results' });
  /** Cursors of the pages before the current one (the first page has none). @type {(string | undefined)[]} */
  let cursors = [undefined];
  const show = () => ctx.refresh(results, () => drawPage(results, filters, cursors, list.organization, go));
  /** @param {'next' | 'previous'} where @param {string | null} next */
  const go = (where, next) => {
    if (where === 'next' && next) cursors = [...cursors, next];
    if (where === 'previous' && cursors.length > 1) cursors = cursors.slice(0, -1);
    show();
  };
  /** A filter changed: back to the first page, and into the address. @param {keyof Filters} name @param {string} value */
  const set = (name, value) => {
    filters[name] = value;
    cursors = [undefined];
    ctx.setQuery({ [name]: value === DEFAULTS[name] ? undefined : value });
    show();
  };

  const select = (/** @type {keyof Filters} */ name, /** @type {string} */ label, /** @type {[string, string][]} */ options) =>
    selectField({ id: `f-${name}`, label, value: filters[name], options, onChange: (v) => set(name, v) });
  const severityOptions = /** @type {[string, string][]} */ (SEVERITIES.map((s) => [s, s]));
  const userField = inputField({ id: 'f-user', label: 'User', value: filters.user, placeholder: 'IAM user name' });
  const userInput = /** @type {HTMLInputElement} */ (userField.querySelector('input'));
  userInput.addEventListener('change', () => set('user', userInput.value.trim()));

  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter findings',
      onSubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        set('user', userInput.value.trim());
      },
    },
    list.organization ? select('target', 'Target', [['', 'All targets'], ...list.targets.map((t) => /** @type {[string, string]} */ ([t.name, t.name]))]) : null,
    select('severity', 'Severity', [['', 'Any'], ...severityOptions]),
    select('min_severity', 'Minimum severity', [['', 'Any'], ...severityOptions]),
    select('check', 'Check', [['', 'All checks'], ...checks.items.map((c) => /** @type {[string, string]} */ ([c.id, c.title]))]),
    userField,
    select('status', 'Status', [
      ['open', 'Open'],
      ['resolved', 'Resolved'],
      ['all', 'Open and resolved'],
    ]),
    select('suppressed', 'Suppressed', [
      ['exclude', 'Leave out'],
      ['include', 'Include'],
      ['only', 'Only suppressed'],
    ]),
    select('sort', 'Sort by', SORTS),
    select('order', 'Order', [
      ['desc', 'Descending'],
      ['asc', 'Ascending'],
    ]),
    select('limit', 'Per page', [
      ['25', '25'],
      ['50', '50'],
      ['100', '100'],
      ['250', '250'],
    ]),
    h('button', { type: 'submit' }, 'Apply'),
  );
  replace(main, h('h1', {}, 'Findings'), h('p', { class: 'lead' }, 'Current findings. Choose filters; the CSV download holds every finding that matches them.'), form, results);
  await drawPage(results, filters, cursors, list.organization, go, firstPage);
}

/** The API's parameters for these filters (defaults left out). @param {Filters} filters */
function apiFilters(filters) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of Object.entries(filters)) if (v !== '' && !(k !== 'limit' && v === DEFAULTS[/** @type {keyof Filters} */ (k)])) out[k] = v;
  return out;
}

/**
 * @param {HTMLElement} results @param {Filters} filters @param {(string | undefined)[]} cursors
 * @param {boolean} organization @param {(where: 'next' | 'previous', next: string | null) => void} go
 * @param {Promise<any>} [prefetched] this very page, already asked for
 */
async function drawPage(results, filters, cursors, organization, go, prefetched) {
  const query = apiFilters(filters);
  const cursor = cursors[cursors.length - 1];
  const page = await (prefetched ?? api.findings({ ...query, cursor }));
  const limit = Number(filters.limit);
  const from = (cursors.length - 1) * limit;
  const csvUrl = api.findingsCsvUrl(query);

  const rows = page.items.map((/** @type {any} */ f) => {
    const href = `/ui/findings/${f.id}`;
    const row = h(
      'tr',
      { class: 'clickable', dataset: { findingId: String(f.id) } },
      h('td', {}, severityBadge(f.severity)),
      h('td', {}, h('a', { href, title: f.message }, f.title)),
      h('td', {}, f.user_name ?? '—'),
      h('td', { class: 'mono' }, f.resource_id),
      organization ? h('td', {}, f.target) : null,
      h('td', { class: 'date' }, dateTime(f.first_seen_at)),
      h('td', { class: 'date' }, dateTime(f.last_seen_at)),
      h('td', {}, f.status, f.suppressed ? h('div', { class: 'muted' }, 'suppressed') : null),
    );
    // The whole row opens the finding for a mouse; the link in it does for the keyboard.
    row.addEventListener('click', (e) => {
      if (!(/** @type {HTMLElement} */ (e.target).closest('a'))) location.href = href;
    });
    return row;
  });
  const sortLabel = SORTS.find(([v]) => v === filters.sort)?.[1];
  const findingsTable = table({
    caption: 'Findings',
    captionHidden: true,
    head: ['Severity', 'Finding', 'User', 'Resource', ...(organization ? ['Target'] : []), 'First seen', 'Last seen', 'Status'],
    rows,
  });
  for (const th of findingsTable.querySelectorAll('th')) {
    if (th.textContent === (sortLabel === 'Check' ? 'Finding' : sortLabel)) th.setAttribute('aria-sort', filters.order === 'asc' ? 'ascending' : 'descending');
  }

  replace(
    results,
    h(
      'div',
      { class: 'actions' },
      h('p', { role: 'status', id: 'findings-count' }, page.total === 0 ? 'No finding matches these filters.' : `Showing ${num(from + 1)}–${num(from + page.items.length)} of ${num(page.total)} findings.`),
      h('a', { class: 'button secondary', href: csvUrl, download: '', id: 'csv-link' }, `Download CSV (${num(page.total)} findings)`),
    ),
    page.items.length > 0 ? findingsTable : null,
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages of findings' },
      h('button', { type: 'button', class: 'secondary', disabled: cursors.length <= 1, onClick: () => go('previous', null) }, 'Previous page'),
      h('span', {}, `Page ${cursors.length}`),
      h('button', { type: 'button', class: 'secondary', disabled: !page.next_cursor, onClick: () => go('next', page.next_cursor) }, 'Next page'),
    ),
  );
}
