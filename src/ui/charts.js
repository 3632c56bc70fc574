// @ts-check
/**
 * Charts (Chart.js 4, its own browser file served by keywatch at /ui/vendor/chart.umd.min.js and
 * loaded only by the pages that draw). Every chart comes with its text alternative: the canvas has
 * role="img" and a label that says what it shows, and the same numbers are in a table below it.
 */
import { h, table } from './dom.js';
import { SEVERITIES } from './format.js';

/** Severity colours, darkest for the worst (the badges in style.css use the same hues). */
export const SEVERITY_COLORS = { critical: '#7f1d1d', high: '#dc2626', medium: '#d97706', low: '#2563eb', info: '#9ca3af' };
/** Lines of several targets. */
const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'];
export const paletteColor = (/** @type {number} */ i) => PALETTE[i % PALETTE.length];

/** @type {Promise<any> | null} */
let loading = null;

/**
 * window.Chart, loading Chart.js's script on first use (a same-origin script: allowed by the page's
 * CSP). A page that will draw calls it early, so the script loads while its data is asked for.
 */
export function loadChartJs() {
  const w = /** @type {any} */ (window);
  if (w.Chart) return Promise.resolve(w.Chart);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/ui/vendor/chart.umd.min.js';
    script.addEventListener('load', () => resolve(w.Chart));
    script.addEventListener('error', () => reject(new Error('Chart.js could not be loaded from /ui/vendor/chart.umd.min.js')));
    document.head.append(script);
  });
  return loading;
}

/** Charts drawn on the current page, destroyed before the page draws again. @type {Set<any>} */
const drawn = new Set();
export function destroyCharts() {
  for (const chart of drawn) chart.destroy();
  drawn.clear();
}

/**
 * @typedef {{ label: string, data: number[], color: string, fill?: boolean }} Series
 * @typedef {{
 *   id: string, title: string, summary: string, kind: 'line' | 'bar', stacked?: boolean,
 *   labels: string[], series: Series[], tableHead?: string
 * }} ChartSpec
 */

/**
 * A figure with the chart, its label and its data table. The chart is drawn by `draw()` once the
 * figure is in the document (Chart.js measures its container).
 * @param {ChartSpec} spec
 * @returns {{ element: HTMLElement, draw: () => Promise<void> }}
 */
export function chartFigure(spec) {
  const canvas = h('canvas', { id: spec.id, role: 'img', 'aria-label': `${spec.title}. ${spec.summary}` });
  const rows = spec.labels.map((label, i) => h('tr', {}, h('th', { scope: 'row' }, label), ...spec.series.map((s) => h('td', { class: 'num' }, Number.isFinite(s.data[i]) ? String(s.data[i]) : '—'))));
  const element = h(
    'figure',
    { class: 'chart', 'aria-labelledby': `${spec.id}-title` },
    h('figcaption', { id: `${spec.id}-title` }, spec.title),
    h('p', { class: 'chart-summary' }, spec.summary),
    h('div', { class: 'chart-box' }, canvas),
    h(
      'details',
      { class: 'chart-data' },
      h('summary', {}, `Data table: ${spec.title}`),
      table({ caption: spec.title, captionHidden: true, head: [spec.tableHead ?? 'Run', ...spec.series.map((s) => s.label)], rows }),
    ),
  );
  const draw = async () => {
    const Chart = await loadChartJs();
    const chart = new Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s) => ({
          label: s.label,
          data: s.data,
          borderColor: s.color,
          backgroundColor: spec.kind === 'bar' ? s.color : `${s.color}${s.fill ? '99' : ''}`,
          fill: s.fill ? (spec.stacked ? 'stack' : 'origin') : false,
          pointRadius: spec.labels.length > 60 ? 0 : 2,
          borderWidth: spec.kind === 'bar' ? 0 : 1.5,
          tension: 0,
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        // Stacked series are drawn bottom-up; the legend lists them top-down (most severe first).
        plugins: { legend: { position: 'bottom', reverse: spec.stacked ?? false } },
        scales: {
          x: { stacked: spec.stacked ?? false, ticks: { autoSkip: true, maxTicksLimit: 10, maxRotation: 0 } },
          y: { stacked: spec.stacked ?? false, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    drawn.add(chart);
  };
  return { element, draw };
}

/** Open findings by severity, stacked (one series per severity, most severe on top). @param {Record<string, number>[]} counts */
export function severitySeries(counts) {
  return [...SEVERITIES].reverse().map((s) => ({
    label: s,
    data: counts.map((c) => c[s] ?? 0),
    color: SEVERITY_COLORS[/** @type {keyof typeof SEVERITY_COLORS} */ (s)],
    fill: true,
  }));
}
