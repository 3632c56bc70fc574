/**
 * Benchmark `dashboard`: how long the dashboard's overview, trends and findings pages take to render
 * in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against the history
 * benchmark's database (5,000 users, 365 daily runs): from navigation to the page drawn (the page's
 * `keywatch-ready` performance mark, set once every API call it makes has answered and its charts
 * are drawn). Each page is loaded once to warm up, then MEASURED_LOADS times in a fresh tab; the
 * median is reported.
 *
 * The database is the one the `history_year` scenario of the same `npm run bench` built (it leaves it
 * in the run's shared folder); run alone, this scenario builds it first (minutes). Without Chromium
 * the scenario is skipped and says why.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildAppContext } from '../app-context';
import { loadConfig } from '../config';
import { BENCH_CREDENTIALS, round } from './common';
import { runHistoryYearScenario } from './history-year';

const CHROMIUM = '/usr/bin/chromium';
const MEASURED_LOADS = 5;
const PASSWORD = 'bench';

/**
 * The pages measured. The history database's runs are from 2024–2025: the trends page is measured
 * over every run (`range=all`, 365 points), the heaviest view it has.
 */
const PAGES = { overview: '/ui/', trends: '/ui/trends?range=all', findings: '/ui/findings' } as const;

export interface DashboardOptions {
  /** The history benchmark's database; built there first when it does not exist. */
  historyDb: string;
}

export async function runDashboardScenario(options: DashboardOptions): Promise<Record<string, unknown>> {
  if (!fs.existsSync(CHROMIUM)) {
    return { scenario: 'dashboard', skipped: `Chromium not found at ${CHROMIUM}: apt-get install chromium to measure the dashboard` };
  }
  let builtHere = false;
  if (!fs.existsSync(options.historyDb)) {
    process.stderr.write('dashboard: building the history benchmark database first (5,000 users, 365 runs; minutes)\n');
    await runHistoryYearScenario({ keepDatabaseAt: options.historyDb });
    builtHere = true;
  }
  // playwright-core is a development dependency: loaded only here, never by keywatch itself.
  const { chromium } = await import('playwright-core');
  const config = loadConfig({
    KEYWATCH_API_PASSWORD: PASSWORD,
    KEYWATCH_DB_PATH: options.historyDb,
    KEYWATCH_SCAN_SCHEDULE: '',
    KEYWATCH_LOG_LEVEL: 'silent',
    // Never called: the dashboard only reads.
    KEYWATCH_IAM_ENDPOINT: 'http://127.0.0.1:9',
  });
  const ctx = buildAppContext(config, { logger: pino({ level: 'silent' }), awsCredentials: BENCH_CREDENTIALS });
  const server = ctx.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const context = await browser.newContext({ httpCredentials: { username: config.auth.user, password: PASSWORD }, viewport: { width: 1280, height: 900 } });
    const result: Record<string, unknown> = { scenario: 'dashboard', runs: ctx.store.tableCounts().scan_runs, findings: ctx.store.tableCounts().findings };
    for (const [name, url] of Object.entries(PAGES)) {
      const times: number[] = [];
      for (let i = 0; i <= MEASURED_LOADS; i++) {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await page.goto(`${base}${url}`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
        const ms = await page.evaluate(() => performance.getEntriesByName('keywatch-ready')[0]?.startTime ?? NaN);
        const failed = await page.locator('main .notice-error').count();
        await page.close();
        if (errors.length > 0 || failed > 0) throw new Error(`${url}: the page did not render cleanly: ${errors.join('; ') || 'an error notice is shown'}`);
        if (i > 0) times.push(ms); // the first load warms the caches
      }
      times.sort((a, b) => a - b);
      result[`${name}_ms`] = round(times[Math.floor(times.length / 2)]!, 0);
      result[`${name}_ms_max`] = round(times[times.length - 1]!, 0);
    }
    return { ...result, pages: PAGES, loads_per_page: MEASURED_LOADS, database: builtHere ? 'built by this scenario' : 'reused from history_year' };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
    await ctx.close();
  }
}
