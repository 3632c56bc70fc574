// @ts-check
/**
 * Runs (/ui/runs?target=…&status=…): the scan history — status, source, duration, IAM calls,
 * throttles, skipped checks and errors — with a link to each run's printable report and to its
 * comparison with the run before; and "Scan now", which starts a scan (POST /api/scans) and shows
 * its progress until it ends.
 *
 * API: GET /api/scans, GET /api/scans/{id} (progress), POST /api/scans, GET /api/scans/{id}/report
 * (the link), GET /api/targets through api.targets().
 */
import { api, ApiError } from '../api.js';
import { h, notice, replace, selectField, statusBadge, table } from '../dom.js';
import { dateTime, duration, num } from '../format.js';

export const title = 'Runs';

const PAGE_SIZE = 50;
/** How often a running scan is asked for its state. */
const POLL_MS = 1000;
const UNFINISHED = ['queued', 'running'];

/** @param {import('../app.js').PageContext} ctx */
export async function render(ctx) {
  const { main } = ctx;
  const list = await api.targets();
  const org = list.organization;
  let offset = 0;
  const results = h('div', { id: 'run-results' });
  const progress = h('div', { id: 'scan-progress', role: 'status', 'aria-live': 'polite' });
  const show = () => ctx.refresh(results, () => drawRuns(results, ctx, org, offset, page));
  /** @param {number} to */
  const page = (to) => {
    offset = Math.max(0, to);
    show();
  };

  const sourceField = selectField({
    id: 'scan-source',
    label: 'Source',
    value: 'api',
    options: [
      ['api', 'Live IAM API'],
      ['credential_report', 'Credential report'],
    ],
  });
  const targetField = org
    ? selectField({ id: 'scan-target', label: 'Target', value: ctx.query.get('target') ?? '', options: [['', 'All targets'], ...list.targets.map((t) => /** @type {[string, string]} */ ([t.name, t.name]))] })
    : null;
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', id: 'scan-now' }, 'Scan now'));
  const scanForm = h(
    'form',
    {
      class: 'controls',
      'aria-label': 'Start a scan',
      onSubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const source = /** @type {HTMLSelectElement} */ (sourceField.querySelector('select')).value;
        const target = targetField ? /** @type {HTMLSelectElement} */ (targetField.querySelector('select')).value : '';
        button.disabled = true;
        try {
          await scanNow({ source, ...(org ? (target ? { target } : { all: true }) : {}) }, progress, show);
        } finally {
          button.disabled = false;
          show();
        }
      },
    },
    sourceField,
    targetField,
    button,
  );
  const filters = h(
    'form',
    { class: 'controls', 'aria-label': 'Filter runs', onSubmit: (/** @type {Event} */ e) => e.preventDefault() },
    org
      ? selectField({
          id: 'runs-target',
          label: 'Show target',
          value: ctx.query.get('target') ?? '',
          options: [['', 'All targets'], ...list.targets.map((t) => /** @type {[string, string]} */ ([t.name, t.name]))],
          onChange: (v) => {
            ctx.setQuery({ target: v });
            page(0);
          },
        })
      : null,
    selectField({
      id: 'runs-status',
      label: 'Status',
      value: ctx.query.get('status') ?? '',
      options: [['', 'Any'], ...['succeeded', 'failed', 'interrupted', 'running', 'queued'].map((s) => /** @type {[string, string]} */ ([s, s]))],
      onChange: (v) => {
        ctx.setQuery({ status: v });
        page(0);
      },
    }),
  );

  replace(main, h('h1', {}, 'Runs'), h('p', { class: 'lead' }, 'Every scan, newest first. Start one now, open its printable report, or compare it with the run before.'), scanForm, progress, filters, results);
  await drawRuns(results, ctx, org, offset, page);
}

/**
 * Starts the scan(s) and reports their progress in `out` until every one has ended.
 * @param {{ source: string, target?: string, all?: boolean }} body @param {HTMLElement} out
 * @param {() => void} started called once the runs exist (the history then lists them)
 */
async function scanNow(body, out, started) {
  replace(out, h('p', { class: 'progress' }, 'Starting the scan…'));
  let runs;
  try {
    runs = await api.startScan(body);
  } catch (error) {
    const message = error instanceof ApiError && error.status === 409 ? `A scan is already running: ${error.message}` : error instanceof Error ? error.message : String(error);
    replace(out, notice('error', message));
    return;
  }
  started();
  for (;;) {
    const states = await Promise.all(runs.map((r) => api.run(r.id)));
    replace(out, ...states.map(progressLine));
    if (states.every((r) => !UNFINISHED.includes(r.status))) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** "Run #12 (default) running for 4 s…" or how it ended. @param {any} r */
function progressLine(r) {
  if (UNFINISHED.includes(r.status)) {
    return h('p', { class: 'progress', dataset: { runId: String(r.id), status: r.status } }, `Run #${r.id} (${r.target}) ${r.status} for ${duration(Date.now() - Date.parse(r.started_at))}…`);
  }
  if (r.status === 'succeeded') {
    const counts = r.stats.unsuppressed ?? r.stats;
    return notice(
      'info',
      h('span', { dataset: { runId: String(r.id), status: r.status } }, `Run #${r.id} (${r.target}) succeeded in ${duration(r.duration_ms)}: ${num(counts.findings)} findings, ${num(counts.new)} new, ${num(counts.resolved)} resolved. `),
      h('a', { href: api.reportUrl(r.id) }, 'Report'),
      ' · ',
      h('a', { href: `/ui/compare?${new URLSearchParams({ target: r.target, run: String(r.id) })}` }, 'Compare with the run before'),
    );
  }
  return notice('error', h('span', { dataset: { runId: String(r.id), status: r.status } }, `Run #${r.id} (${r.target}) ${r.status}: ${r.error ? `${r.error.code}: ${r.error.message}` : 'no error recorded'}`));
}

/**
 * @param {HTMLElement} results @param {import('../app.js').PageContext} ctx @param {boolean} org
 * @param {number} offset @param {(offset: number) => void} page
 */
async function drawRuns(results, ctx, org, offset, page) {
  const answer = await api.runs({ target: (org && ctx.query.get('target')) || undefined, status: ctx.query.get('status') || undefined, limit: PAGE_SIZE, offset });
  const rows = answer.items.map((/** @type {any} */ r) => {
    const stats = r.stats ?? {};
    const running = UNFINISHED.includes(r.status);
    return h(
      'tr',
      { dataset: { runId: String(r.id) } },
      h('th', { scope: 'row' }, `#${r.id}`),
      org ? h('td', {}, r.target) : null,
      h('td', {}, statusBadge(r.status)),
      h('td', {}, r.source, h('div', { class: 'muted' }, r.trigger)),
      h('td', { class: 'date' }, dateTime(r.started_at)),
      h('td', { class: 'num' }, running ? `${duration(Date.now() - Date.parse(r.started_at))} so far` : duration(r.duration_ms)),
      h('td', { class: 'num' }, num(stats.api_calls)),
      h('td', { class: 'num' }, num(stats.throttled)),
      h(
        'td',
        {},
        r.skipped_checks.length === 0
          ? '—'
          : h('details', {}, h('summary', {}, `${r.skipped_checks.length} skipped`), h('ul', {}, ...r.skipped_checks.map((/** @type {any} */ s) => h('li', {}, h('code', {}, s.check_id), `: ${s.reason}`)))),
      ),
      h('td', {}, r.error ? [h('code', {}, r.error.code), `: ${r.error.message}`] : '—'),
      h(
        'td',
        {},
        h('a', { href: api.reportUrl(r.id), 'aria-label': `Report of run ${r.id}` }, 'Report'),
        r.status === 'succeeded' ? [' · ', h('a', { href: `/ui/compare?${new URLSearchParams({ target: r.target, run: String(r.id) })}`, 'aria-label': `Compare run ${r.id} with the run before` }, 'Compare')] : null,
      ),
    );
  });
  replace(
    results,
    answer.total === 0
      ? h('p', {}, 'No run matches. Start a scan above.')
      : table({ caption: `Runs (${num(answer.total)})`, head: ['Run', ...(org ? ['Target'] : []), 'Status', 'Source', 'Started', 'Duration', 'IAM calls', 'Throttled', 'Skipped checks', 'Error', 'Links'], rows }),
    answer.total === 0
      ? null
      : h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages of runs' },
          h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onClick: () => page(offset - PAGE_SIZE) }, 'Newer runs'),
          h('span', {}, `${num(offset + 1)}–${num(offset + answer.items.length)} of ${num(answer.total)}`),
          h('button', { type: 'button', class: 'secondary', disabled: answer.next_offset === null, onClick: () => page(answer.next_offset) }, 'Older runs'),
        ),
  );
}
