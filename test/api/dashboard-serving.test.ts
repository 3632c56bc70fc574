/**
 * How the app serves the dashboard (the browser suite, test/browser/dashboard.test.ts, uses it):
 * behind the API's basic auth with the browser's login prompt, a strict Content-Security-Policy,
 * every module the pages import present, Chart.js from node_modules, and nothing else from the folder.
 */
import request from 'supertest';
import { startHarness, TEST_PASSWORD, TEST_USER, type Harness } from '../support/harness';

/** The `import … from './x.js'` and dynamic `import('./x.js')` specifiers of a module. */
const importsOf = (source: string) => [...source.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);

describe('serving the dashboard', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  test('when the dashboard or / is asked for without credentials or with a wrong password, then the answer is the basic-auth challenge', async () => {
    for (const path of ['/', '/ui/', '/ui/findings', '/ui/app.js', '/ui/vendor/chart.umd.min.js']) {
      const anon = await request(h.ctx.app).get(path);
      expect({ path, status: anon.status, challenge: anon.headers['www-authenticate'] }).toEqual({ path, status: 401, challenge: 'Basic realm="keywatch"' });
      expect(anon.body.error.code).toBe('unauthorized');
      expect((await request(h.ctx.app).get(path).auth(TEST_USER, 'wrong')).status).toBe(401);
    }
  });

  test('when / is opened with credentials, then it redirects to /ui/, and /ui to /ui/', async () => {
    const root = await h.get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/ui/');
    const ui = await h.get('/ui?x=1');
    expect(ui.status).toBe(301);
    expect(ui.headers.location).toBe('/ui/?x=1');
  });

  test('when a page is opened, then it is the dashboard with a CSP that allows only keywatch itself and no inline script or style', async () => {
    for (const path of ['/ui/', '/ui/trends', '/ui/findings', '/ui/findings/12', '/ui/runs', '/ui/compare?run=3']) {
      const res = await h.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<script type="module" src="/ui/app.js"></script>');
      const csp = res.headers['content-security-policy'] as string;
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
      expect(directives).toMatchObject({
        'default-src': "'none'",
        'script-src': "'self'",
        'style-src': "'self'",
        'connect-src': "'self'",
        'img-src': "'self' data:",
        'frame-ancestors': "'none'",
      });
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
      expect(res.headers['x-content-type-options']).toBe('nosniff'); // helmet still applies
    }
    // The page itself has no inline script, style or event handler for the CSP to block.
    const index = (await h.get('/ui/')).text;
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  test('when the page loads its modules, then every file it references or imports is served as JavaScript or CSS', async () => {
    const index = (await h.get('/ui/')).text;
    const referenced = [...index.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1]!);
    expect(referenced).toEqual(expect.arrayContaining(['/ui/app.js', '/ui/style.css']));
    const seen = new Set<string>();
    const queue = [...referenced];
    while (queue.length > 0) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await h.get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      if (url.endsWith('.js')) {
        expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/);
        for (const spec of importsOf(res.text)) queue.push(new URL(spec, `http://x${url}`).pathname);
      }
      if (url.endsWith('.css')) expect(res.headers['content-type']).toMatch(/^text\/css/);
    }
    for (const page of ['overview', 'trends', 'findings', 'finding', 'runs', 'compare']) expect(seen).toContain(`/ui/pages/${page}.js`);
    // Chart.js is loaded by the chart module on demand, from keywatch.
    const chart = await h.get('/ui/vendor/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toMatch(/javascript/);
    expect(chart.text).toContain('window.Chart=');
  });

  test('when a file that does not exist, or anything outside the dashboard folder, is asked for, then the answer is 404', async () => {
    for (const path of ['/ui/nope.js', '/ui/pages/nope.js', '/ui/index.html', '/ui/..%2Fhttp%2Fapp.ts', '/ui/%2e%2e/%2e%2e/package.json', '/ui/../../package.json']) {
      const res = await h.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toContain('"dependencies"');
    }
  });
});
