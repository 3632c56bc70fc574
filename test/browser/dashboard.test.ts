/**
 * The dashboard in a real browser: headless Chromium (Debian's /usr/bin/chromium) against the real
 * app, on a database seeded by real scans of a simulated account over two months (the app's clock
 * moved back for the older runs). Every page loads with no console error, no failed request and
 * nothing from anywhere else; what it shows equals what the API answers; axe-core (from npm,
 * injected into the page) finds no serious or critical accessibility violation.
 *
 * Each page is also saved as a screenshot for people to look at: SCREENSHOT_DIR, default
 * $TMPDIR/keywatch-screens (outside the repository).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { addAccessKey, deleteAccessKey, evolveAccount, generateAccount, mulberry32 } from '../../src/simulator';
import { accountWithUsers } from '../support/accounts';
import { scanViaApi, startHarness, TEST_PASSWORD, TEST_USER } from '../support/harness';
import { accessibilityViolations, browserSuite, CHROMIUM, LAUNCH_ARGS, open, screenshot, serve, type PageGlobals, type Served, type WithDataset } from './support';

const DAY_MS = 86_400_000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * Four scans of a generated 30-user account: 60, 20 and 3 days ago and an hour ago, the account
 * drifting in between (rotations, new users, deactivations, a privilege change), then a suppression.
 */
async function seededKeywatch(): Promise<Served> {
  let at: number | null = Date.now() - 60 * DAY_MS;
  const h = await startHarness({
    account: generateAccount({ seed: 42, users: 30, now: new Date(at) }),
    clock: () => new Date(at ?? Date.now()),
  });
  for (const [i, daysAgo] of [60, 20, 3, 1 / 24].entries()) {
    at = Date.now() - daysAgo * DAY_MS;
    if (i > 0) evolveAccount(h.sim.account, { seed: 100 + i, now: new Date(at), credentialSurface: true });
    const run = await scanViaApi(h);
    if (run.status !== 'succeeded') throw new Error(`seed scan ${i} ${run.status}`);
  }
  at = null; // from now on the app's clock is the wall clock
  const some = (await h.get('/api/findings?severity=medium&limit=1')).body.items[0];
  const suppressed = await h.post('/api/suppressions').send({ finding_id: some.id, reason: 'accepted: break-glass user' });
  if (suppressed.status !== 201) throw new Error(`suppression: ${suppressed.status}`);
  return serve(h);
}

/** The finding ids a compare column lists, after "Show more" until everything is shown. */
async function listedIds(page: Page, category: string): Promise<number[]> {
  const more = page.locator(`#compare-${category} + button`);
  while (await more.isVisible()) {
    await more.click();
    // The click only starts the request: wait until its items are in (button enabled again, or gone).
    await more.evaluate(async (button) => {
      const b = button as unknown as { hidden: boolean; disabled: boolean };
      while (!b.hidden && b.disabled) await new Promise((resolve) => setTimeout(resolve, 20));
    });
  }
  return (await page.locator(`#compare-${category} > li`).evaluateAll((lis) => lis.map((li) => Number((li as unknown as WithDataset).dataset.findingId)))).sort((a, b) => a - b);
}

const ids = (items: { finding_id: number }[]) => items.map((i) => i.finding_id).sort((a, b) => a - b);

describe('the dashboard in a browser', () => {
  const suite = browserSuite(seededKeywatch, { username: TEST_USER, password: TEST_PASSWORD });

  test('when every page is opened, then it loads with no console error, no failed request, nothing from elsewhere and no serious or critical accessibility violation', async () => {
    const runs = (await suite.kw.h.get('/api/scans?limit=10')).body.items;
    const changed = (await suite.kw.h.get(`/api/scans/${runs[0].id}/diff?base=${runs[runs.length - 1].id}`)).body.changed;
    const finding = changed[0]?.finding_id ?? (await suite.kw.h.get('/api/findings?limit=1')).body.items[0].id;
    const pages: [string, string][] = [
      ['overview', '/ui/'],
      ['trends', '/ui/trends'],
      ['trends-all', '/ui/trends?range=all'],
      ['findings', '/ui/findings'],
      ['finding', `/ui/findings/${finding}`],
      ['runs', '/ui/runs'],
      ['compare', '/ui/compare'],
      ['compare-first-last', `/ui/compare?run=${runs[0].id}&base=${runs[runs.length - 1].id}`],
      ['not-found', '/ui/no-such-page'],
    ];
    for (const [name, url] of pages) {
      const { page, problems } = await open(suite.context, suite.kw.base, url);
      expect({ url, heading: await page.locator('h1').count() }).toEqual({ url, heading: 1 });
      await expect(page.locator('main .notice-error').count()).resolves.toBe(0);
      // A field the page reads that the API does not answer shows up as "undefined" or "NaN".
      expect({ url, text: (await page.locator('main').innerText()).match(/\b(undefined|NaN)\b/g) }).toEqual({ url, text: null });
      await screenshot(page, name);
      expect({ url, problems }).toEqual({ url, problems: [] });
      expect({ url, violations: await accessibilityViolations(page) }).toEqual({ url, violations: [] });
      await page.close();
    }
  }, 180_000);

  test('when the overview is opened, then its counts, last run and changes equal what the API answers', async () => {
    const { page, problems } = await open(suite.context, suite.kw.base, '/ui/');
    const shown = async (severity: string) => Number((await page.locator(`.tile[data-severity="${severity}"] .value`).innerText()).replace(/,/g, ''));
    let total = 0;
    for (const severity of SEVERITIES) {
      const api = (await suite.kw.h.get(`/api/findings?severity=${severity}&limit=1`)).body.total;
      total += api;
      expect({ severity, shown: await shown(severity) }).toEqual({ severity, shown: api });
    }
    expect(await shown('total')).toBe(total);
    expect(total).toBeGreaterThan(0);

    const last = (await suite.kw.h.get('/api/scans?status=succeeded&limit=1')).body.items[0];
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain(`#${last.id}`);
    const changes = page.locator('dd[data-new]');
    expect(await changes.getAttribute('data-new')).toBe(String(last.stats.unsuppressed.new));
    expect(await changes.getAttribute('data-resolved')).toBe(String(last.stats.unsuppressed.resolved));
    // No schedule is configured and no run failed: nothing needs attention.
    expect(await page.locator('#attention').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  test('when two runs are compared, then the view lists exactly the diff the API returns, by default the latest against the one before', async () => {
    const runs = (await suite.kw.h.get('/api/scans?status=succeeded&limit=10')).body.items;
    const { page, problems } = await open(suite.context, suite.kw.base, '/ui/compare');
    expect(await page.locator('#compare-run').inputValue()).toBe(String(runs[0].id));
    expect(await page.locator('#compare-base').inputValue()).toBe(String(runs[1].id));
    const expectSame = async (diff: { counts: Record<string, number>; new: { finding_id: number }[]; resolved: { finding_id: number }[]; changed: { finding_id: number }[] }) => {
      for (const c of ['new', 'resolved', 'changed', 'unchanged']) {
        expect({ c, shown: Number(await page.locator(`.tile[data-count="${c}"] .value`).innerText()) }).toEqual({ c, shown: diff.counts[c] });
      }
      expect(await listedIds(page, 'new')).toEqual(ids(diff.new));
      expect(await listedIds(page, 'resolved')).toEqual(ids(diff.resolved));
      expect(await listedIds(page, 'changed')).toEqual(ids(diff.changed));
    };
    const latest = (await suite.kw.h.get(`/api/scans/${runs[0].id}/diff`)).body;
    expect(latest.base_run_id).toBe(runs[1].id);
    await expectSame(latest);

    // Another base, picked with the keyboard-usable select: the view follows the API again.
    const oldest = runs[runs.length - 1].id;
    await page.selectOption('#compare-base', String(oldest));
    await page.waitForSelector('body[data-ready="true"]');
    expect(page.url()).toContain(`base=${oldest}`);
    const wide = (await suite.kw.h.get(`/api/scans/${runs[0].id}/diff?base=${oldest}`)).body;
    expect(wide.counts.new + wide.counts.resolved + wide.counts.changed).toBeGreaterThan(latest.counts.new + latest.counts.resolved + latest.counts.changed);
    await expectSame(wide);
    expect(problems).toEqual([]);
  });

  test('when the findings filters change, then the rows follow the API and the CSV link carries the filter', async () => {
    const { page, problems } = await open(suite.context, suite.kw.base, '/ui/findings');
    const rowIds = () => page.locator('tr[data-finding-id]').evaluateAll((trs) => trs.map((tr) => Number((tr as unknown as WithDataset).dataset.findingId)));
    const all = (await suite.kw.h.get('/api/findings?limit=50')).body;
    expect(await rowIds()).toEqual(all.items.map((f: { id: number }) => f.id));

    await page.selectOption('#f-min_severity', 'high');
    await page.waitForSelector('body[data-ready="true"]');
    const high = (await suite.kw.h.get('/api/findings?min_severity=high&limit=50')).body;
    expect(high.total).toBeLessThan(all.total);
    expect(await rowIds()).toEqual(high.items.map((f: { id: number }) => f.id));
    expect(page.url()).toContain('min_severity=high');
    const csvHref = (await page.locator('#csv-link').getAttribute('href'))!;
    expect(csvHref).toContain('min_severity=high');
    expect(csvHref).toContain('format=csv');
    // The link downloads exactly the filtered findings (one CSV line each, after the header).
    const csv = await suite.context.request.get(`${suite.kw.base}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).trim().split('\n').length - 1).toBe(high.total);

    // A user filter (typed, then Enter) narrows further, and the CSV link follows.
    const user = high.items.find((f: { user_name: string | null }) => f.user_name)!.user_name as string;
    await page.fill('#f-user', user);
    await page.press('#f-user', 'Enter');
    await page.waitForSelector('body[data-ready="true"]');
    const mine = (await suite.kw.h.get(`/api/findings?min_severity=high&user=${encodeURIComponent(user)}&limit=50`)).body;
    expect(await rowIds()).toEqual(mine.items.map((f: { id: number }) => f.id));
    expect(await page.locator('#csv-link').getAttribute('href')).toContain(`user=${encodeURIComponent(user)}`);

    // The address keeps the filters: a reload shows the same rows.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#f-min_severity').inputValue()).toBe('high');
    expect(await rowIds()).toEqual(mine.items.map((f: { id: number }) => f.id));
    expect(problems).toEqual([]);
  });

  test('when the findings are paged with the keyboard, then the next page is the API\'s next page and focus stays on the controls', async () => {
    const { page, problems } = await open(suite.context, suite.kw.base, '/ui/findings?limit=25');
    const first = (await suite.kw.h.get('/api/findings?limit=25')).body;
    expect(first.next_cursor).not.toBeNull();
    const second = (await suite.kw.h.get(`/api/findings?limit=25&cursor=${encodeURIComponent(first.next_cursor)}`)).body;
    await page.locator('button', { hasText: 'Next page' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-ready="true"]');
    const rowIds = await page.locator('tr[data-finding-id]').evaluateAll((trs) => trs.map((tr) => Number((tr as unknown as WithDataset).dataset.findingId)));
    expect(rowIds).toEqual(second.items.map((f: { id: number }) => f.id));
    expect(await page.locator('#findings-count').innerText()).toBe(`Showing 26–${25 + second.items.length} of ${first.total} findings.`);

    // A filter changed from the keyboard keeps the focus on its control.
    await page.focus('#f-status');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe('f-status');
    expect(page.url()).toContain('status=resolved');
    expect(problems).toEqual([]);
  });

  test('when a finding is opened from its row, then its page shows the message, evidence, remediation and every event of its timeline', async () => {
    const runs = (await suite.kw.h.get('/api/scans?status=succeeded&limit=10')).body.items;
    const changed = (await suite.kw.h.get(`/api/scans/${runs[0].id}/diff?base=${runs[runs.length - 1].id}`)).body.changed;
    expect(changed.length).toBeGreaterThan(0);
    const id = changed[0].finding_id;
    const detail = (await suite.kw.h.get(`/api/findings/${id}`)).body;
    const { page, problems } = await open(suite.context, suite.kw.base, `/ui/findings?status=all&limit=250`);
    await page.locator(`tr[data-finding-id="${id}"] a`).click();
    await page.waitForURL(`**/ui/findings/${id}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('h1').innerText()).toBe(detail.title);
    const text = await page.locator('main').innerText();
    for (const part of [detail.message, detail.remediation, detail.resource_id]) expect(text).toContain(part);
    expect(await page.locator('ol.timeline > li').count()).toBe(detail.events.length);
    expect(detail.events.map((e: { type: string }) => e.type)).toContain('changed');
    expect(await page.locator('ol.timeline > li.event-changed').count()).toBe(detail.events.filter((e: { type: string }) => e.type === 'changed').length);
    expect(problems).toEqual([]);
  });

  test('when the time range changes, then the charts show the runs of that range, with their data as a table', async () => {
    const all = (await suite.kw.h.get('/api/trends')).body.points;
    const lastMonth = (await suite.kw.h.get(`/api/trends?since=${new Date(Date.now() - 30 * DAY_MS).toISOString()}`)).body.points;
    expect(lastMonth.length).toBeLessThan(all.length);
    const { page, problems } = await open(suite.context, suite.kw.base, '/ui/trends?range=30d');
    const tableRows = () => page.locator('#chart-open').locator('xpath=ancestor::figure').locator('tbody tr').count();
    expect(await tableRows()).toBe(lastMonth.length);
    expect(await page.locator('#chart-open').getAttribute('role')).toBe('img');
    expect(await page.locator('#chart-open').getAttribute('aria-label')).toContain(`open findings went from ${lastMonth[0].open} to ${lastMonth[lastMonth.length - 1].open}`);
    // The chart is drawn (Chart.js attached to the canvas).
    expect(await page.evaluate(() => Boolean((globalThis as unknown as PageGlobals).Chart.getChart('chart-open')))).toBe(true);

    await page.selectOption('#trend-range', 'all');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await tableRows()).toBe(all.length);
    expect(page.url()).toContain('range=all');
    // With every run, the first one (everything new) is left out of the new/resolved chart, and said so.
    const churnRows = await page.locator('#chart-churn').locator('xpath=ancestor::figure').locator('tbody tr').count();
    expect(churnRows).toBe(all.length - 1);
    expect(await page.locator('#chart-churn').locator('xpath=ancestor::figure').innerText()).toContain(`The first run (#${all[0].run_id}`);
    expect(problems).toEqual([]);
  });

  test('when a run\'s report is opened from the runs page, then the page holds the run\'s counts and requests nothing', async () => {
    const run = (await suite.kw.h.get('/api/scans?status=succeeded&limit=1')).body.items[0];
    const runs = await open(suite.context, suite.kw.base, '/ui/runs');
    const popup = runs.page.locator(`tr[data-run-id="${run.id}"] a`, { hasText: 'Report' });
    const href = await popup.getAttribute('href');
    expect(href).toBe(`/api/scans/${run.id}/report`);
    const report = await open(suite.context, suite.kw.base, href!, { ready: false });
    await screenshot(report.page, 'report');
    expect(report.requests).toEqual([`${suite.kw.base}/api/scans/${run.id}/report`]); // the page and nothing else
    const text = await report.page.locator('main').innerText();
    expect(text).toContain(`run #${run.id}`);
    const counts = await report.page.locator('ul.counts[aria-label="Findings by severity"] li').allInnerTexts();
    const byLabel = Object.fromEntries(counts.map((c) => c.split('\n').map((s) => s.trim())).map(([label, n]) => [label, Number(n!.replace(/,/g, ''))]));
    expect(byLabel.total).toBe(run.stats.findings);
    for (const s of SEVERITIES) expect({ s, n: byLabel[s] }).toEqual({ s, n: run.stats.findings_by_severity[s] ?? 0 });
    expect(report.problems).toEqual([]);
    expect(await accessibilityViolations(report.page)).toEqual([]);
    expect(runs.problems).toEqual([]);
  });

  test('when the dashboard is opened without credentials, then the browser is refused (basic-auth challenge)', async () => {
    const anonymous = await suite.browser.newContext();
    const page = await anonymous.newPage();
    await expect(page.goto(`${suite.kw.base}/ui/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.close();
  });
});

describe('the dashboard when a scan runs or fails', () => {
  let browser: Browser;
  let kw: Served | undefined;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  });
  afterAll(async () => browser?.close());
  afterEach(async () => {
    await kw?.close();
    kw = undefined;
  });

  test('when Scan now is pressed, then the run\'s progress shows until it ends, and the run is listed', async () => {
    // Each IAM call takes 30 ms: the scan runs long enough to be seen running.
    kw = await serve(await startHarness({ account: accountWithUsers(60), sim: { latencyMs: 30 } }));
    const context = await browser.newContext({ httpCredentials: { username: TEST_USER, password: TEST_PASSWORD } });
    const { page, problems } = await open(context, kw.base, '/ui/runs');
    expect(await page.locator('tr[data-run-id]').count()).toBe(0);
    await page.click('#scan-now');
    await page.waitForSelector('#scan-progress [data-status="running"]', { timeout: 10_000 });
    await expect(page.locator('#scan-now').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'runs-scan-running');
    await page.waitForSelector('#scan-progress [data-status="succeeded"]', { timeout: 30_000 });
    await page.waitForSelector('body[data-ready="true"]');
    const run = (await kw.h.get('/api/scans?limit=1')).body.items[0];
    expect(run.status).toBe('succeeded');
    expect(await page.locator('#scan-progress').innerText()).toContain(`Run #${run.id} (${run.target}) succeeded`);
    expect(await page.locator('tr[data-run-id]').evaluateAll((trs) => trs.map((tr) => Number((tr as unknown as WithDataset).dataset.runId)))).toEqual([run.id]);
    await expect(page.locator('#scan-now').isDisabled()).resolves.toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('when a category has more items than one step, then Show more adds them until the list is exactly the API\'s', async () => {
    // 150 users whose keys are all replaced by 400-day-old ones: well over 100 new and resolved findings.
    kw = await serve(await startHarness({ account: accountWithUsers(150) }));
    await scanViaApi(kw.h);
    const rng = mulberry32(9);
    for (const user of kw.h.sim.account.users) {
      for (const key of [...user.accessKeys]) deleteAccessKey(kw.h.sim.account, key.accessKeyId);
      addAccessKey(kw.h.sim.account, user.userName, { ageDays: 400, now: new Date(), lastUsedDaysAgo: 1, rng });
    }
    const second = await scanViaApi(kw.h);
    const diff = (await kw.h.get(`/api/scans/${second.id}/diff`)).body;
    expect(diff.counts.new).toBeGreaterThan(100);
    expect(diff.counts.resolved).toBeGreaterThan(100);
    const context = await browser.newContext({ httpCredentials: { username: TEST_USER, password: TEST_PASSWORD } });
    const { page, problems } = await open(context, kw.base, '/ui/compare');
    expect(await page.locator('#compare-new > li').count()).toBe(100); // the first step
    expect(await page.locator('#compare-new + button').innerText()).toBe(`Show more (${diff.counts.new - 100} more)`);
    // Every item the API lists, page by page when it pages (`category`, `cursor`), in full when it does not.
    const all = async (category: string) => {
      const items: { finding_id: number }[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `category=${category}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const body = (await kw!.h.get(`/api/scans/${second.id}/diff?${q}`)).body;
        items.push(...body[category]);
        cursor = body.next_cursor ?? null;
      } while (cursor);
      return ids(items);
    };
    expect(await listedIds(page, 'new')).toEqual(await all('new'));
    expect(await listedIds(page, 'resolved')).toEqual(await all('resolved'));
    expect(await listedIds(page, 'new')).toHaveLength(diff.counts.new);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  test('when the last run failed, or the last success is older than twice the schedule, then the overview says so', async () => {
    kw = await serve(await startHarness({ account: accountWithUsers(5), env: { KEYWATCH_SCAN_SCHEDULE: '0 3 * * *' } }));
    const ok = await scanViaApi(kw.h);
    kw.h.sim.setFaults([{ action: 'ListUsers', error: 'AccessDenied' }]);
    const failed = await scanViaApi(kw.h);
    expect(failed.status).toBe('failed');
    const context = await browser.newContext({ httpCredentials: { username: TEST_USER, password: TEST_PASSWORD } });
    const now = await open(context, kw.base, '/ui/');
    const attention = now.page.locator('#attention + ul');
    const error = failed.error as { code: string; message: string };
    expect(await attention.innerText()).toContain(`the last run failed (run #${failed.id}`);
    expect(await attention.innerText()).toContain(`${error.code}: ${error.message}`);
    expect(await attention.innerText()).not.toContain('no succeeded scan');
    await screenshot(now.page, 'overview-failed-run');
    expect(now.problems).toEqual([]);

    // Three days later (the browser's clock), the daily schedule's last success is too old.
    const later = await context.newPage();
    await later.clock.setFixedTime(Date.now() + 3 * DAY_MS);
    await later.goto(`${kw.base}/ui/`);
    await later.waitForSelector('body[data-ready="true"]');
    const text = await later.locator('#attention + ul').innerText();
    expect(text).toContain('default: no succeeded scan for 3 d');
    expect(text).toContain('a scan every 24 h');
    expect(text).toContain(`Last succeeded: run #${ok.id}`);
    await context.close();
  });
});
