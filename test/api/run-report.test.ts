/**
 * GET /api/scans/{id}/report through the real app: real scans against the simulator, the page's
 * counts against the API's, and a page that loads nothing from anywhere.
 */
import { createHash } from 'node:crypto';
import { addAccessKey, addUser, deleteAccessKey, mulberry32 } from '../../src/simulator';
import { accountWithKeyAges } from '../support/accounts';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** The text of the page without tags (what a reader sees), whitespace collapsed. */
const visibleText = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

/** The number shown in a count box: `<li>label<b>N</b></li>` (severity labels are badges). */
function countBox(html: string, label: string): number | null {
  const m = new RegExp(`<li>(?:<span class="sev sev-${label}">${label}</span>|${label})<b>([\\d,]+)</b></li>`).exec(html);
  return m ? Number(m[1]!.replace(/,/g, '')) : null;
}

describe('the printable run report', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Two scans with changes in between: a key rotated away (resolved) and a new user with an old key (new). */
  async function twoScans(): Promise<{ first: number; second: number }> {
    const now = new Date();
    h = await startHarness({ account: accountWithKeyAges([100, 400, 10, 200], now) });
    const first = await scanViaApi(h);
    const rng = mulberry32(5);
    deleteAccessKey(h.sim.account, h.sim.account.users[1]!.accessKeys[0]!.accessKeyId);
    addUser(h.sim.account, { userName: 'late.joiner@example.com', createDate: new Date(now.getTime() - 900 * 86_400_000), rng });
    addAccessKey(h.sim.account, 'late.joiner@example.com', { ageDays: 500, now, lastUsedDaysAgo: null, rng });
    const second = await scanViaApi(h);
    return { first: first.id, second: second.id };
  }

  test('when a succeeded run is reported, then the page holds the run, its counts by severity and its changes as the API answers them', async () => {
    const { first, second } = await twoScans();
    const res = await h.get(`/api/scans/${second}/report`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.text;
    const text = visibleText(html);
    expect(text).toContain(`run #${second}`);

    const run = (await h.get(`/api/scans/${second}`)).body;
    expect(countBox(html, 'total')).toBe(run.stats.findings);
    for (const s of SEVERITIES) expect({ s, n: countBox(html, s) }).toEqual({ s, n: run.stats.findings_by_severity[s] ?? 0 });

    const diff = (await h.get(`/api/scans/${second}/diff?suppressed=include`)).body;
    expect(diff.base_run_id).toBe(first);
    expect(text).toContain(`Compared with run #${first}`);
    expect({ new: countBox(html, 'new'), resolved: countBox(html, 'resolved'), changed: countBox(html, 'changed'), unchanged: countBox(html, 'unchanged') }).toEqual({
      new: diff.counts.new,
      resolved: diff.counts.resolved,
      changed: diff.counts.changed,
      unchanged: diff.counts.unchanged,
    });
    expect(diff.counts.new).toBeGreaterThan(0);
    expect(diff.counts.resolved).toBeGreaterThan(0);
    for (const item of [...diff.new, ...diff.resolved]) expect(text).toContain(item.resource_id);

    // Every finding the run saw is listed, with its check's remediation.
    const seen = (await h.get(`/api/scans/${second}/findings?limit=500`)).body;
    expect(seen.total).toBe(run.stats.findings);
    for (const f of seen.items) {
      expect(text).toContain(f.resource_id);
      expect(text).toContain(f.remediation.replace(/\s+/g, ' '));
    }
  });

  test('when the report is read, then it loads nothing: no script, stylesheet link, image or frame, and its CSP allows only its own inline style', async () => {
    const { second } = await twoScans();
    const res = await h.get(`/api/scans/${second}/report`);
    const html = res.text;
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|<video|<audio|<source|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|srcset|href|action|poster|data)=/i);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256').update(styles[0]!, 'utf8').digest('base64');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(html).toMatch(/@media print/);
  });

  test('when the first run of a target is reported, then every finding is new and no previous run is named', async () => {
    h = await startHarness({ account: accountWithKeyAges([100, 400]) });
    const run = await scanViaApi(h);
    const text = visibleText((await h.get(`/api/scans/${run.id}/report`)).text);
    expect(text).toContain(`This is the first succeeded run of target ${run.target}: all ${(run.stats as { findings: number }).findings} findings are new.`);
  });

  test('when a failed run is reported, then the page shows its error and no findings', async () => {
    h = await startHarness({ account: accountWithKeyAges([100]), sim: { faults: [{ action: 'ListUsers', error: 'AccessDenied' }] } });
    const run = await scanViaApi(h);
    expect(run.status).toBe('failed');
    const res = await h.get(`/api/scans/${run.id}/report`);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain((run.error as { message: string }).message);
    expect(text).toContain('This run ended failed: it has no findings of its own.');
    expect(text).not.toContain('Findings by severity');
  });

  test('when the run does not exist, then the answer is 404 in the API error shape', async () => {
    h = await startHarness();
    const res = await h.get('/api/scans/999/report');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
