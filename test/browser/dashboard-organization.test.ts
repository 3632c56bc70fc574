/**
 * The dashboard over an AWS Organization: three simulated accounts discovered and scanned twice
 * through the real SDK, then the pages in headless Chromium. The organization views load clean,
 * show every account, and their numbers equal GET /api/targets'.
 */
import { evolveAccount } from '../../src/simulator';
import { accountWithUsers, ORG_ROLE_NAME, organizationOf } from '../support/accounts';
import { startHarness, TEST_PASSWORD, TEST_USER } from '../support/harness';
import { accessibilityViolations, browserSuite, open, screenshot, serve, type Served } from './support';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];

async function organizationKeywatch(): Promise<Served> {
  const accounts = [accountWithUsers(25, new Date(), ACCOUNTS[0]), accountWithUsers(15, new Date(), ACCOUNTS[1]), accountWithUsers(10, new Date(), ACCOUNTS[2])];
  const organization = organizationOf(accounts, { names: ['management', 'prod', 'dev'] });
  const h = await startHarness({ account: accounts[0], sim: { organization }, env: { KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME } });
  await h.ctx.discovered;
  for (let round = 0; round < 2; round++) {
    if (round > 0) for (const a of accounts) evolveAccount(a, { seed: 7 + Number(a.accountId.slice(-1)), now: new Date() });
    const res = await h.post('/api/scans?wait=true').send({ all: true });
    if (res.status !== 200 || res.body.runs.some((r: { status: string }) => r.status !== 'succeeded')) throw new Error(`seed scans: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return serve(h);
}

describe('the dashboard over an organization', () => {
  const suite = browserSuite(organizationKeywatch, { username: TEST_USER, password: TEST_PASSWORD });

  test('when every page is opened for the organization and for one account, then it loads clean, shows no undefined value and passes the accessibility scan', async () => {
    const pages: [string, string][] = [
      ['org-overview', '/ui/'],
      ['org-trends', '/ui/trends?range=all'],
      ['org-trends-one-account', `/ui/trends?range=all&target=${ACCOUNTS[1]}`],
      ['org-findings', '/ui/findings'],
      ['org-findings-one-account', `/ui/findings?target=${ACCOUNTS[2]}`],
      ['org-runs', '/ui/runs'],
      ['org-compare', `/ui/compare?target=${ACCOUNTS[1]}`],
    ];
    for (const [name, url] of pages) {
      const { page, problems } = await open(suite.context, suite.kw.base, url);
      expect({ url, heading: await page.locator('h1').count() }).toEqual({ url, heading: 1 });
      expect({ url, text: (await page.locator('main').innerText()).match(/\b(undefined|NaN|null)\b/g) }).toEqual({ url, text: null });
      await screenshot(page, name);
      expect({ url, problems }).toEqual({ url, problems: [] });
      expect({ url, violations: await accessibilityViolations(page) }).toEqual({ url, violations: [] });
      await page.close();
    }
  }, 180_000);

  test('when the overview is opened, then it names every account and its organization total equals GET /api/targets\'', async () => {
    const targets = (await suite.kw.h.get('/api/targets')).body;
    const { page } = await open(suite.context, suite.kw.base, '/ui/');
    const text = await page.locator('main').innerText();
    for (const name of ['management', 'prod', 'dev']) expect(text).toContain(name);
    expect(text).toContain(String(targets.totals.total));
    await page.close();
  });
});
