// @ts-check
/**
 * Overview (/ui/): for each target, its open findings by severity, its last run (status, source,
 * age), what the last succeeded run found new and resolved; organization totals when there are
 * several targets; and a warning for every target whose last succeeded scan is older than twice its
 * schedule, or whose last run failed (with the error).
 *
 * API: GET /api/targets (every target with its last run and open findings), GET /api/health
 * (the schedule), GET /api/scans (last runs, each target's last succeeded run).
 */
import { api } from '../api.js';
import { h, notice, replace, severityBadge, statusBadge, table } from '../dom.js';
import { SEVERITIES, ago, dateTime, duration, num } from '../format.js';

export const title = 'Overview';

/**
 * @typedef {import('../api.js').Target} Target
 * @typedef {import('../api.js').SeverityCounts} SeverityCounts
 * @typedef {{ target: Target, lastRun: any, lastSucceeded: any, firstRun: boolean, open: SeverityCounts, warnings: Node[] }} TargetState
 */

/** @param {import('../app.js').PageContext} ctx */
export async function render({ main }) {
  const latestRuns = api.runs({ limit: 8 });
  const [list, health] = await Promise.all([api.targets(), api.health()]);
  const [states, recent] = await Promise.all([Promise.all(list.targets.map((t) => targetState(t, list.organization, health.scan_interval_seconds))), latestRuns]);
  const totals = list.totals ?? sum(states.map((s) => s.open));
  const warnings = states.flatMap((s) => s.warnings);
  const single = states.length === 1 && !list.organization ? states[0] : null;

  replace(
    main,
    h('h1', {}, 'Overview'),
    h(
      'p',
      { class: 'lead' },
      single
        ? ['Open findings of target ', h('strong', {}, single.target.name), ' now, and how its last scans went.']
        : `${states.length} targets. Open findings now, and how each target's last scan went.`,
    ),
    warnings.length > 0 ? h('section', { 'aria-labelledby': 'attention' }, h('h2', { id: 'attention' }, 'Needs attention'), h('ul', { class: 'warnings' }, ...warnings.map((w) => h('li', {}, w)))) : null,
    h(
      'section',
      { 'aria-labelledby': 'open-title' },
      h('h2', { id: 'open-title' }, single ? 'Open findings' : 'Open findings in the organization'),
      severityTiles(totals),
    ),
    single ? lastScanPanel(single) : targetsTable(states),
    h('section', { 'aria-labelledby': 'recent-title' }, h('h2', { id: 'recent-title' }, 'Latest runs'), recentRuns(recent.items, !single)),
  );
}

/**
 * Everything the overview shows about one target: /api/targets' last run and open findings, and its last succeeded run.
 * @param {Target} target @param {boolean} organization @param {number | null} healthInterval
 * @returns {Promise<TargetState>}
 */
async function targetState(target, organization, healthInterval) {
  // The last succeeded run, and whether it was the first (then everything it found was new).
  const succeeded = await api.runs({ target: target.name, status: 'succeeded', limit: 1 });
  const lastRun = target.lastRun;
  const open = target.open;
  const lastSucceeded = succeeded.items[0] ?? null;
  const firstRun = succeeded.total === 1;
  const warnings = [];
  if (lastRun && (lastRun.status === 'failed' || lastRun.status === 'interrupted')) {
    warnings.push(
      notice(
        'error',
        h('strong', {}, `${target.name}: the last run ${lastRun.status}`),
        ` (run #${lastRun.id}, ${ago(lastRun.finished_at ?? lastRun.started_at)}). `,
        lastRun.error ? `${lastRun.error.code}: ${lastRun.error.message}` : '',
        ' ',
        h('a', { href: `/ui/runs?${new URLSearchParams(organization ? { target: target.name } : {})}` }, 'See the runs'),
      ),
    );
  }
  const interval = healthInterval;
  if (interval) {
    const since = lastSucceeded ? Date.now() - Date.parse(lastSucceeded.finished_at) : Infinity;
    if (since > 2 * interval * 1000) {
      warnings.push(
        notice(
          'warning',
          h('strong', {}, `${target.name}: no succeeded scan ${lastSucceeded ? `for ${duration(since)}` : 'yet'}`),
          ` — more than twice its schedule (a scan every ${duration(interval * 1000)}).`,
          lastSucceeded ? ` Last succeeded: run #${lastSucceeded.id}, ${dateTime(lastSucceeded.finished_at)}.` : '',
        ),
      );
    }
  }
  return { target, lastRun, lastSucceeded, firstRun, open, warnings };
}

/** @param {SeverityCounts[]} counts @returns {SeverityCounts} */
function sum(counts) {
  return /** @type {SeverityCounts} */ (Object.fromEntries(SEVERITIES.map((s) => [s, counts.reduce((n, c) => n + (c?.[/** @type {keyof SeverityCounts} */ (s)] ?? 0), 0)])));
}

/** Tiles: the total and each severity, each a link to those findings. @param {SeverityCounts} counts */
function severityTiles(counts) {
  const total = SEVERITIES.reduce((n, s) => n + (counts[/** @type {keyof SeverityCounts} */ (s)] ?? 0), 0);
  const link = (/** @type {Record<string, string>} */ q) => `/ui/findings?${new URLSearchParams(q)}`;
  return h(
    'ul',
    { class: 'tiles', 'aria-label': 'Open findings by severity' },
    h('li', { class: 'tile total', dataset: { severity: 'total' } }, h('a', { class: 'tile-link', href: link({}) }, h('span', { class: 'value' }, num(total)), h('span', { class: 'label' }, 'open findings'))),
    ...SEVERITIES.map((s) =>
      h(
        'li',
        { class: 'tile', dataset: { severity: s } },
        h('a', { class: 'tile-link', href: link({ severity: s }) }, h('span', { class: 'value' }, num(counts[/** @type {keyof SeverityCounts} */ (s)] ?? 0)), ' ', severityBadge(s)),
      ),
    ),
  );
}

/** New and resolved of a succeeded run, suppressed findings left out (what the trends chart). @param {any} run */
function changesOf(run) {
  const counts = run?.stats?.unsuppressed ?? run?.stats ?? {};
  return { new: counts.new ?? 0, resolved: counts.resolved ?? 0 };
}

/** One target: its last run and last succeeded run. @param {TargetState} s */
function lastScanPanel(s) {
  const { lastRun, lastSucceeded } = s;
  if (!lastRun) {
    return h('section', { class: 'panel' }, h('h2', {}, 'Last scan'), h('p', {}, 'No scan yet. ', h('a', { href: '/ui/runs' }, 'Start one from the runs page'), '.'));
  }
  const changes = changesOf(lastSucceeded);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'last-scan' },
    h('h2', { id: 'last-scan' }, 'Last scan'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Last run'),
      h('dd', {}, `#${lastRun.id} `, statusBadge(lastRun.status), ` ${lastRun.source}, ${ago(lastRun.finished_at ?? lastRun.started_at)}`),
      h('dt', {}, 'Last succeeded'),
      h('dd', {}, lastSucceeded ? `#${lastSucceeded.id}, ${dateTime(lastSucceeded.finished_at)} (${ago(lastSucceeded.finished_at)})` : 'none yet'),
      h('dt', {}, 'Since the run before'),
      h(
        'dd',
        { dataset: { new: String(changes.new), resolved: String(changes.resolved) } },
        !lastSucceeded
          ? '—'
          : s.firstRun
            ? `none: run #${lastSucceeded.id} is the first succeeded run (all ${num(changes.new)} findings were new)`
            : [`${num(changes.new)} new, ${num(changes.resolved)} resolved `, h('a', { href: `/ui/compare?run=${lastSucceeded.id}` }, 'compare')],
      ),
      lastSucceeded ? [h('dt', {}, 'Report'), h('dd', {}, h('a', { href: api.reportUrl(lastSucceeded.id) }, `Printable report of run #${lastSucceeded.id}`))] : null,
    ),
  );
}

/** Several targets: one row each. @param {TargetState[]} states */
function targetsTable(states) {
  const rows = states.map((s) => {
    const t = s.target;
    const changes = changesOf(s.lastSucceeded);
    const q = new URLSearchParams({ target: t.name });
    return h(
      'tr',
      { dataset: { target: t.name } },
      h('th', { scope: 'row' }, h('a', { href: `/ui/findings?${q}` }, t.name), t.accountName || t.accountId ? h('div', { class: 'muted' }, [t.accountName, t.accountId].filter(Boolean).join(' · ')) : null, t.active ? null : h('div', { class: 'muted' }, 'inactive')),
      ...SEVERITIES.map((sev) => h('td', { class: 'num' }, num(s.open?.[/** @type {keyof SeverityCounts} */ (sev)] ?? 0))),
      h('td', {}, s.lastRun ? [statusBadge(s.lastRun.status), ` ${s.lastRun.source}, ${ago(s.lastRun.finished_at ?? s.lastRun.started_at)}`] : 'never scanned'),
      h('td', {}, s.lastSucceeded ? [`+${num(changes.new)} / −${num(changes.resolved)} `, h('a', { href: `/ui/compare?${new URLSearchParams({ target: t.name, run: String(s.lastSucceeded.id) })}` }, 'compare')] : '—'),
      h('td', {}, t.nextScan ? dateTime(t.nextScan) : '—'),
      h('td', {}, h('a', { href: `/ui/trends?${q}` }, 'trends'), ' · ', h('a', { href: `/ui/runs?${q}` }, 'runs')),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'targets-title' },
    h('h2', { id: 'targets-title' }, 'Targets'),
    table({ caption: 'Targets: open findings by severity, last run and changes', captionHidden: true, head: ['Target', ...SEVERITIES, 'Last run', 'New / resolved', 'Next scan', 'More'], rows }),
  );
}

/** @param {any[]} runs @param {boolean} withTarget */
function recentRuns(runs, withTarget) {
  if (runs.length === 0) return h('p', {}, 'No runs yet.');
  const rows = runs.map((r) =>
    h(
      'tr',
      {},
      h('td', {}, `#${r.id}`),
      withTarget ? h('td', {}, r.target) : null,
      h('td', {}, statusBadge(r.status)),
      h('td', {}, r.source),
      h('td', { class: 'date' }, dateTime(r.started_at)),
      h('td', { class: 'num' }, duration(r.duration_ms)),
      h('td', {}, r.status === 'succeeded' ? h('a', { href: api.reportUrl(r.id), 'aria-label': `Report of run ${r.id}` }, 'report') : (r.error?.message ?? '')),
    ),
  );
  return h(
    'div',
    {},
    table({ caption: 'Latest runs', captionHidden: true, head: ['Run', ...(withTarget ? ['Target'] : []), 'Status', 'Source', 'Started', 'Duration', 'Report or error'], rows }),
    h('p', {}, h('a', { href: '/ui/runs' }, 'All runs')),
  );
}
