/**
 * Swagger UI in a real browser: headless Chromium (Debian's /usr/bin/chromium, or
 * KEYWATCH_TEST_CHROMIUM) loads /api/docs with basic auth, renders the operations generated from
 * the zod schemas, and "Try it out" executes a real call against keywatch.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { accountWithKeyAges } from '../support/accounts';
import { startHarness, TEST_PASSWORD, TEST_USER, type Harness } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';

describe('Swagger UI in a browser', () => {
  let h: Harness;
  let server: Server;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    server = h.ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  test('when the docs are opened with credentials, then every endpoint is listed and Try it out runs a scan', async () => {
    const context = await browser.newContext({ httpCredentials: { username: TEST_USER, password: TEST_PASSWORD } });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url());
    });
    await page.goto(`${base}/api/docs/`);
    await page.waitForSelector('.opblock', { timeout: 20000 });
    const summaries = await page.locator('.opblock-summary-path').allInnerTexts();
    const paths = summaries.map((s) => s.replace(/\u200b/g, '').trim());
    for (const p of ['/api/scans', '/api/findings', '/api/scans/{id}/diff', '/api/v1/iam/old-access-keys/list-users']) expect(paths).toContain(p);

    // Try it out: POST /api/scans with the example body, through the browser, with basic auth.
    const post = page.locator('.opblock-post').filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/api\/scans$/ }) });
    await post.locator('.opblock-summary').click();
    await post.getByRole('button', { name: 'Try it out' }).click();
    await post.locator('textarea.body-param__text').fill('{"source":"api"}');
    await post.getByRole('button', { name: 'Execute' }).click();
    const status = post.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 20000 });
    expect((await status.innerText()).trim()).toBe('202');
    await h.ctx.scans.waitForRunning();
    expect(h.ctx.store.runs.list({ limit: 5, offset: 0 }).items.map((r) => [r.trigger, r.status])).toEqual([['api', 'succeeded']]);

    expect(external).toEqual([]); // everything came from keywatch itself: no CDN
    await context.close();
  });

  test('when the docs are opened with a wrong password, then the browser gets 401 and no Swagger UI', async () => {
    const context = await browser.newContext({ httpCredentials: { username: TEST_USER, password: 'wrong' } });
    const page = await context.newPage();
    const response = await page.goto(`${base}/api/docs/`);
    expect(response?.status()).toBe(401);
    expect(await page.locator('.swagger-ui').count()).toBe(0);
    await context.close();
  });

  test('when the docs are opened without credentials, then the browser is refused (basic-auth challenge)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Headless Chromium turns a challenge it has no credentials for into this navigation error.
    await expect(page.goto(`${base}/api/docs/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await context.close();
  });
});
