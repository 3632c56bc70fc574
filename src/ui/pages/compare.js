// @ts-check
/**
 * Compare (/ui/compare?target=…&run=…&base=…): two succeeded runs of one target — by default the
 * latest against the one before — and what changed between them, side by side: new, resolved and
 * changed (severity and evidence before → after), with the count of unchanged findings.
 *
 * API: GET /api/scans?status=succeeded (the runs to pick), GET /api/scans/{id}/diff?base=… (counts
 * always complete; the first items of each category, then page by page with `category` and
 * `next_cursor`, see api.diffCategory), GET /api/targets through api.targets().
 */
import { api } from '../api.js';
import { evidenceChanges, h, notice, replace, selectField, severityBadge } from '../dom.js';
import { dateTime, num } from '../format.js';

export const title = 'Compare runs';

/** Items shown per category at first, and added by each "Show more". */
const STEP = 100;
/** How many succeeded runs the pickers offer (newest first). */
const RUNS_OFFERED = 200;
const CATEGORIES = /** @type {const} */ (['new', 'resolved', 'changed']);
const HEADINGS = { new: 'New', resolved: 'Resolved', changed: 'Changed' };
const EMPTY = { new: 'Nothing new.', resolved: 'Nothing resolved.', changed: 'Nothing changed.' };

/** @param {import('../app.js').PageContext} ctx */
export async function render(ctx) {
  const { main, query } = ctx;
  const list = await api.targets();
  const requestedRun = Number(query.get('run')) || null;
  let target = list.organization ? query.get('target') || (requestedRun ? (await api.run(requestedRun)).target : list.targets[0]?.name) : undefined;
  const runs = (await api.runs({ target, status: 'succeeded', limit: RUNS_OFFERED })).items;
  if (!target) target = runs[0]?.target ?? list.targets[0]?.name;

  if (runs.length === 0) {
    replace(main, h('h1', {}, 'Compare runs'), notice('info', `Target ${target} has no succeeded run yet: start a scan on the `, h('a', { href: '/ui/runs' }, 'runs page'), '.'));
    return;
  }
  const runId = requestedRun ?? runs[0].id;
  const requestedBase = Number(query.get('base')) || null;
  // Default base: the succeeded run before `run` (what the API picks when `base` is left out).
  const baseId = requestedBase ?? runs.find((/** @type {any} */ r) => r.id < runId)?.id ?? null;

  const results = h('div', { id: 'compare-results' });
  /** @param {any} r */
  const label = (r) => `#${r.id} · ${dateTime(r.finished_at)} · ${r.source}`;
  const runOptions = /** @type {[string, string][]} */ (runs.map((/** @type {any} */ r) => [String(r.id), label(r)]));
  if (!runs.some((/** @type {any} */ r) => r.id === runId)) runOptions.unshift([String(runId), `#${runId}`]);
  const state = { runId, baseId };
  // The API compares with the previous succeeded run when `base` is left out; the first run has none (everything is new).
  const baseOptions = () =>
    /** @type {[string, string][]} */ ([...(state.baseId === null ? [['', 'no earlier run (everything is new)']] : []), ...runOptions.filter(([v]) => v !== String(state.runId))]);
  const baseField = selectField({
    id: 'compare-base',
    label: 'Compared with',
    value: baseId === null ? '' : String(baseId),
    options: baseOptions(),
    onChange: (v) => {
      state.baseId = v ? Number(v) : null;
      ctx.setQuery({ base: v || undefined });
      ctx.refresh(results, () => drawDiff(results, state.runId, state.baseId ?? undefined));
    },
  });
  const baseSelect = /** @type {HTMLSelectElement} */ (baseField.querySelector('select'));

  replace(
    main,
    h('h1', {}, 'Compare runs'),
    h('p', { class: 'lead' }, `What changed between two runs of target ${target}.`),
    h(
      'form',
      { class: 'controls', 'aria-label': 'Runs to compare', onSubmit: (/** @type {Event} */ e) => e.preventDefault() },
      list.organization
        ? selectField({
            id: 'compare-target',
            label: 'Target',
            value: target ?? '',
            options: list.targets.map((t) => /** @type {[string, string]} */ ([t.name, t.name])),
            // Another target has other runs: load the page again for it.
            onChange: (v) => location.assign(`/ui/compare?${new URLSearchParams({ target: v })}`),
          })
        : null,
      selectField({
        id: 'compare-run',
        label: 'Run',
        value: String(runId),
        options: runOptions,
        onChange: (v) => {
          // A new run is compared with the succeeded run before it, as by default.
          state.runId = Number(v);
          state.baseId = runs.find((/** @type {any} */ r) => r.id < state.runId)?.id ?? null;
          baseSelect.replaceChildren(...baseOptions().map(([value, text]) => h('option', { value, selected: value === String(state.baseId ?? '') }, text)));
          ctx.setQuery({ run: v, base: undefined });
          ctx.refresh(results, () => drawDiff(results, state.runId, state.baseId ?? undefined));
        },
      }),
      baseField,
    ),
    results,
  );
  await drawDiff(results, runId, baseId ?? undefined);
}

/**
 * The counts, then the three categories side by side.
 * @param {HTMLElement} results @param {number} runId @param {number | undefined} baseId
 */
async function drawDiff(results, runId, baseId) {
  const head = await api.diff(runId, baseId);
  const counts = head.counts;
  const columns = CATEGORIES.map((category) => categoryColumn(head, category, counts[category], runId, head.base_run_id ?? undefined));
  replace(
    results,
    h('p', {}, head.base_run_id === null ? `Run #${runId} is the first succeeded run of ${head.target}: everything it found is new.` : `Run #${runId} (${dateTime(head.run_finished_at)}) compared with run #${head.base_run_id} (${dateTime(head.base_finished_at)}). `, h('a', { href: api.reportUrl(runId) }, `Printable report of run #${runId}`)),
    h(
      'ul',
      { class: 'tiles', 'aria-label': 'Changes between the two runs' },
      ...[...CATEGORIES, 'unchanged'].map((c) => h('li', { class: 'tile', dataset: { count: c } }, h('span', { class: 'value' }, num(c === 'unchanged' ? counts.unchanged : counts[c])), h('span', { class: 'label' }, c))),
    ),
    counts.suppressed_left_out > 0
      ? h('p', { class: 'muted' }, counts.suppressed_left_out === 1 ? '1 suppressed finding is left out.' : `${num(counts.suppressed_left_out)} suppressed findings are left out.`)
      : null,
    h('div', { class: 'compare-columns' }, ...columns.map((c) => c.element)),
  );
  for (const c of columns) await c.more();
}

/**
 * One category: its first items, and a "Show more" button while there are more.
 * @param {any} head @param {'new' | 'resolved' | 'changed'} category @param {number} total @param {number} runId @param {number | undefined} baseId
 */
function categoryColumn(head, category, total, runId, baseId) {
  const list = h('ul', { class: 'items', id: `compare-${category}` });
  const moreButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more'));
  const element = h('section', { 'aria-labelledby': `compare-${category}-title` }, h('h2', { id: `compare-${category}-title` }, `${HEADINGS[category]} (${num(total)})`), total === 0 ? h('p', { class: 'muted' }, EMPTY[category]) : null, list, moreButton);

  // The first page already holds every item of a category that fits in it; a longer one is asked page by page.
  const whole = Array.isArray(head[category]) && head[category].length === total ? head[category] : null;
  let shown = 0;
  /** @type {string | null} */
  let cursor = null;
  let finished = total === 0;
  const more = async () => {
    if (finished) return;
    let items;
    if (whole) {
      items = whole.slice(shown, shown + STEP);
      finished = shown + items.length >= whole.length;
    } else {
      const page = await api.diffCategory(runId, baseId, category, cursor, STEP);
      items = page.items;
      cursor = page.nextCursor;
      // The counts are complete: once every item is shown there is nothing more to ask for.
      finished = cursor === null || items.length === 0 || shown + items.length >= total;
    }
    shown += items.length;
    for (const item of items) list.append(diffItem(item, category));
    moreButton.hidden = finished;
    moreButton.textContent = `Show more (${num(total - shown)} more)`;
  };
  moreButton.addEventListener('click', () => {
    moreButton.disabled = true;
    more().finally(() => (moreButton.disabled = false));
  });
  return { element, more };
}

/** @param {any} item @param {'new' | 'resolved' | 'changed'} category */
function diffItem(item, category) {
  const meta = [item.user_name, item.resource_id].filter(Boolean).join(' · ');
  return h(
    'li',
    { dataset: { findingId: String(item.finding_id) } },
    category === 'changed' ? [severityBadge(item.before.severity), ' → ', severityBadge(item.after.severity)] : severityBadge(item.severity),
    ' ',
    h('a', { href: `/ui/findings/${item.finding_id}` }, item.title),
    item.suppressed ? h('span', { class: 'muted' }, ' (suppressed)') : null,
    h('div', { class: 'item-meta' }, meta),
    category === 'changed' ? evidenceChanges(item.before.evidence, item.after.evidence) : null,
  );
}
