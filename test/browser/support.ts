/**
 * What the browser tests share: a real keywatch listening on a port, Chromium's launch arguments,
 * opening a page while recording everything that went wrong, the axe-core scan, screenshots.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Harness } from '../support/harness';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'keywatch-screens');
export const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A real keywatch listening on a port, with its harness. */
export interface Served {
  h: Harness;
  server: Server;
  base: string;
  close(): Promise<void>;
}

export async function serve(h: Harness): Promise<Served> {
  const server = h.ctx.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    h,
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await h.close();
    },
  };
}

/** What went wrong while a page was open: console errors, page errors, failed or refused requests, requests elsewhere. */
export interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

export async function open(context: BrowserContext, base: string, url: string, options: { ready?: boolean } = {}): Promise<Opened> {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    requests.push(r.url());
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push(`request elsewhere: ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(`${base}${url}`);
  if (options.ready ?? true) await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  return { page, problems, requests };
}

/** Serious and critical axe-core violations on the page, named with the elements concerned. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return g.axe.run(g.document);
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * What the callbacks run inside the page touch, typed here (this project compiles without the DOM
 * library). Types only: a callback sent to the page cannot use anything defined in this file.
 */
export type WithDataset = { dataset: Record<string, string | undefined> };
export interface PageGlobals {
  axe: { run(context: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> };
  document: { activeElement: { id: string } | null };
  Chart: { getChart(id: string): unknown };
}


/**
 * The lifecycle every dashboard test file shares: keywatch built once (`build`), one Chromium, a fresh
 * context with the API's credentials per test. Read `suite.kw` and `suite.context` inside tests.
 */
export function browserSuite(
  build: () => Promise<Served>,
  credentials: { username: string; password: string },
): { kw: Served; context: BrowserContext; browser: Browser } {
  const suite = {} as { kw: Served; context: BrowserContext; browser: Browser };
  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
    suite.kw = await build();
    suite.browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.kw?.close();
  });
  beforeEach(async () => {
    suite.context = await suite.browser.newContext({ httpCredentials: credentials, viewport: { width: 1280, height: 900 } });
  });
  afterEach(async () => suite.context?.close());
  return suite;
}
