// @ts-check
/**
 * The dashboard's entry point: picks the page from the path (/ui/, /ui/trends, /ui/findings,
 * /ui/findings/{id}, /ui/runs, /ui/compare), marks it in the navigation, and lets the page draw
 * itself into <main>. Each page is one module in pages/. Links are ordinary links (a page load each):
 * the browser's back button, bookmarks and new tabs work as everywhere.
 *
 * When a page has drawn, <main> loses aria-busy and <body> gets data-ready="true" (tests and the
 * dashboard benchmark wait for it); a failure is shown in the page, never only in the console.
 */
import { destroyCharts } from './charts.js';
import { h, notice, replace } from './dom.js';

/**
 * What a page gets: its <main>, the path's parameters, the query, and two helpers.
 * - setQuery: filters and selections live in the address (shareable, bookmarkable, kept on reload);
 * - refresh: redraws one region of the page (its results) while the controls stay where they are, so
 *   that keyboard focus is not lost; a failure is shown in that region.
 * @typedef {{
 *   main: HTMLElement, params: string[], query: URLSearchParams,
 *   setQuery: (changes: Record<string, string | undefined>) => void,
 *   refresh: (region: HTMLElement, draw: () => Promise<void>) => Promise<void>
 * }} PageContext
 */
/** @typedef {{ title: string, render: (ctx: PageContext) => Promise<void> }} Page */

/** @type {[RegExp, string, () => Promise<Page>][]} */
const ROUTES = [
  [/^\/ui\/?$/, 'overview', () => import('./pages/overview.js')],
  [/^\/ui\/trends\/?$/, 'trends', () => import('./pages/trends.js')],
  [/^\/ui\/findings\/?$/, 'findings', () => import('./pages/findings.js')],
  [/^\/ui\/findings\/(\d+)\/?$/, 'findings', () => import('./pages/finding.js')],
  [/^\/ui\/runs\/?$/, 'runs', () => import('./pages/runs.js')],
  [/^\/ui\/compare\/?$/, 'compare', () => import('./pages/compare.js')],
];

async function start() {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  const route = ROUTES.find(([re]) => re.test(location.pathname));
  if (!route) {
    document.title = 'Not found · keywatch';
    replace(main, h('h1', {}, 'Page not found'), h('p', {}, 'This address is not a page of the dashboard. ', h('a', { href: '/ui/' }, 'Go to the overview'), '.'));
    done(main);
    return;
  }
  const [re, nav, load] = route;
  for (const link of document.querySelectorAll('nav a[data-page]')) {
    if (/** @type {HTMLElement} */ (link).dataset.page === nav) link.setAttribute('aria-current', 'page');
  }
  const params = /** @type {RegExpExecArray} */ (re.exec(location.pathname)).slice(1);
  try {
    const page = await load();
    document.title = `${page.title} · keywatch`;
    /** @type {PageContext} */
    const ctx = {
      main,
      params,
      query: new URLSearchParams(location.search),
      setQuery: (changes) => {
        const q = new URLSearchParams(location.search);
        for (const [k, v] of Object.entries(changes)) {
          if (v === undefined || v === '') q.delete(k);
          else q.set(k, v);
        }
        const qs = q.toString();
        history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
        ctx.query = q;
      },
      refresh: async (region, draw) => {
        main.setAttribute('aria-busy', 'true');
        document.body.dataset.ready = 'false';
        region.setAttribute('aria-busy', 'true');
        destroyCharts();
        try {
          await draw();
        } catch (error) {
          replace(region, notice('error', error instanceof Error ? error.message : String(error)));
        } finally {
          region.setAttribute('aria-busy', 'false');
          done(main);
        }
      },
    };
    await page.render(ctx);
    done(main);
  } catch (error) {
    failed(main, error);
  }
}

/** @param {HTMLElement} main */
function done(main) {
  main.setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
  // How long the page took, from navigation to drawn (the dashboard benchmark reads the first mark).
  performance.mark('keywatch-ready');
}

/** @param {HTMLElement} main @param {unknown} error */
function failed(main, error) {
  const message = error instanceof Error ? error.message : String(error);
  replace(main, h('h1', {}, 'Something went wrong'), notice('error', message));
  done(main);
}

start();
