// @ts-check
/**
 * Trends (/ui/trends?target=…&range=…): open findings by severity over time (stacked) and new versus
 * resolved per run, for one target or the whole organization, over a chosen time range; with
 * several targets, also the open findings of every target on one chart. Each chart has a text
 * summary and its data as a table (charts.js).
 *
 * API: GET /api/trends (`target`, `since`; without `target`, the organization when keywatch has
 * several targets, else the configured one) and GET /api/targets through api.targets().
 */
import { api } from '../api.js';
import { chartFigure, loadChartJs, paletteColor, severitySeries } from '../charts.js';
import { h, notice, replace, selectField } from '../dom.js';
import { SEVERITIES, date, dateTime, num } from '../format.js';

export const title = 'Trends';

/** @type {[string, string, number | null][]} value, label, days */
const RANGES = [
  ['7d', 'Last 7 days', 7],
  ['30d', 'Last 30 days', 30],
  ['90d', 'Last 90 days', 90],
  ['365d', 'Last year', 365],
  ['all', 'All runs', null],
];
const DEFAULT_RANGE = '90d';

/** @param {import('../app.js').PageContext} ctx */
export async function render(ctx) {
  const { main } = ctx;
  loadChartJs().catch(() => undefined); // starts loading now; a failure is reported when a chart is drawn
  const list = await api.targets();
  const results = h('div', { id: 'trend-results' });
  const draw = () => ctx.refresh(results, () => drawTrends(ctx, list, results));
  const controls = h(
    'form',
    { class: 'controls', 'aria-label': 'What to chart', onSubmit: (/** @type {Event} */ e) => e.preventDefault() },
    list.organization
      ? selectField({
          id: 'trend-target',
          label: 'Target',
          value: ctx.query.get('target') ?? '',
          options: [['', 'All targets (organization)'], ...list.targets.map((t) => /** @type {[string, string]} */ ([t.name, t.name]))],
          onChange: (v) => {
            ctx.setQuery({ target: v });
            draw();
          },
        })
      : null,
    selectField({
      id: 'trend-range',
      label: 'Time range',
      value: ctx.query.get('range') ?? DEFAULT_RANGE,
      options: RANGES.map(([v, label]) => /** @type {[string, string]} */ ([v, label])),
      onChange: (v) => {
        ctx.setQuery({ range: v === DEFAULT_RANGE ? undefined : v });
        draw();
      },
    }),
  );
  replace(
    main,
    h('h1', {}, 'Trends'),
    h('p', { class: 'lead' }, list.organization ? 'Is the organization getting better? Open findings over time, and what each run found and fixed.' : `Is target ${list.targets[0]?.name} getting better? Open findings over time, and what each run found and fixed.`),
    controls,
    results,
  );
  await drawTrends(ctx, list, results);
}

/** @param {string | null} range */
function sinceOf(range) {
  const days = (RANGES.find(([v]) => v === range) ?? RANGES.find(([v]) => v === DEFAULT_RANGE))?.[2];
  return days ? new Date(Date.now() - days * 86_400_000).toISOString() : undefined;
}

/**
 * @param {import('../app.js').PageContext} ctx @param {import('../api.js').TargetList} list @param {HTMLElement} results
 */
async function drawTrends(ctx, list, results) {
  const target = list.organization ? ctx.query.get('target') || undefined : undefined;
  const range = ctx.query.get('range') ?? DEFAULT_RANGE;
  const since = sinceOf(range);
  // The points of the range, and (at the same time) the latest point before it: without one, the
  // range begins with the target's very first run.
  const [trends, before] = await Promise.all([
    api.trends({ target, since }),
    since ? api.trends({ target, until: new Date(Date.parse(since) - 1).toISOString(), limit: 1 }) : null,
  ]);
  const points = /** @type {any[]} */ (trends.points);
  const scope = target ?? (list.organization ? 'the organization' : trends.target);

  if (points.length === 0) {
    const latest = since ? (await api.trends({ target, limit: 1 })).points[0] : null;
    replace(
      results,
      notice(
        'info',
        `No succeeded run of ${scope} in this range.`,
        latest ? [` The latest is from ${dateTime(latest.finished_at)}: choose a longer range, or `, h('a', { href: `?${new URLSearchParams({ ...(target ? { target } : {}), range: 'all' })}` }, 'show all runs'), '.'] : ' Start a scan on the runs page.',
      ),
    );
    return;
  }

  const labels = points.map((p) => dateTime(p.finished_at));
  const first = points[0];
  const last = points[points.length - 1];
  // The very first run of a target finds everything "new": its bar would flatten every other one.
  // It is left out of the new/resolved chart (and said so); the open-findings chart keeps it.
  const firstEver = points.length > 1 && (before ? before.points.length === 0 : !trends.truncated);
  const churnPoints = firstEver ? points.slice(1) : points;
  const newTotal = churnPoints.reduce((n, p) => n + p.new, 0);
  const resolvedTotal = churnPoints.reduce((n, p) => n + p.resolved, 0);
  const bySeverity = SEVERITIES.map((s) => `${s} ${num(first.open_by_severity[s])} → ${num(last.open_by_severity[s])}`).join(', ');
  // An organization's points are days (every target's last run of the day, summed); a target's are runs.
  const unit = trends.bucket === 'day' ? 'day' : 'run';
  const period = `${points.length === 1 ? `1 ${unit}` : `${num(points.length)} ${unit}s`} from ${dateTime(first.finished_at)} to ${dateTime(last.finished_at)}`;

  const open = chartFigure({
    id: 'chart-open',
    title: `Open findings by severity — ${scope}`,
    summary: `${period}: open findings went from ${num(first.open)} to ${num(last.open)} (${bySeverity}).`,
    kind: 'line',
    stacked: true,
    labels,
    series: severitySeries(points.map((p) => p.open_by_severity)),
    tableHead: 'Run finished',
  });
  const churn = chartFigure({
    id: 'chart-churn',
    title: `New and resolved findings per ${unit} — ${scope}`,
    summary:
      `${period}: ${num(newTotal)} new and ${num(resolvedTotal)} resolved findings in total.` +
      (firstEver
        ? ` The first ${first.run_id != null ? `run (#${first.run_id}` : `point (${dateTime(first.finished_at)}`}, where all ${num(first.new)} findings were new) is left out of this chart.`
        : ''),
    kind: 'bar',
    labels: churnPoints.map((p) => dateTime(p.finished_at)),
    series: [
      { label: 'new', data: churnPoints.map((p) => p.new), color: '#b91c1c' },
      { label: 'resolved', data: churnPoints.map((p) => p.resolved), color: '#059669' },
    ],
    tableHead: 'Run finished',
  });
  const figures = [open, churn];
  if (list.organization && !target && list.targets.length > 1) figures.push(await perTargetChart(list.targets.map((t) => t.name), since));

  replace(
    results,
    trends.truncated ? notice('info', `Only the most recent ${num(points.length)} runs are shown: choose a shorter range to see every run.`) : null,
    ...figures.map((f) => f.element),
  );
  for (const f of figures) await f.draw();
}

/**
 * The open findings of every target, one line each, by day (a target's last run of the day).
 * @param {string[]} targets @param {string | undefined} since
 */
async function perTargetChart(targets, since) {
  const answers = await Promise.all(targets.map((target) => api.trends({ target, since })));
  /** @type {Map<string, Map<string, number>>} */
  const byTarget = new Map();
  const days = new Set();
  answers.forEach((a, i) => {
    const perDay = new Map();
    for (const p of a.points) {
      const day = date(p.finished_at);
      perDay.set(day, p.open);
      days.add(day);
    }
    byTarget.set(targets[i], perDay);
  });
  const labels = [...days].sort();
  return chartFigure({
    id: 'chart-targets',
    title: 'Open findings of every target',
    summary: targets.map((t) => `${t}: ${num([...(byTarget.get(t)?.values() ?? [])].pop() ?? 0)} open at its latest run`).join('; ') + '.',
    kind: 'line',
    labels,
    series: targets.map((t, i) => ({ label: t, data: labels.map((d) => byTarget.get(t)?.get(d) ?? NaN), color: paletteColor(i) })),
    tableHead: 'Day',
  });
}
