/**
 * The real server process (`node dist/main.js`, built by server-build.ts): what demo mode prints, and
 * start-up refusing a configuration it does not understand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../support/harness';
import { buildServer, removeBuild } from './server-build';
import { waitFor } from './support';

let buildDir: string;

beforeAll(async () => {
  buildDir = await buildServer();
}, 150_000);

afterAll(() => removeBuild(buildDir));

interface Process {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

describe('the server process', () => {
  let dir: string;
  let proc: Process | undefined;
  beforeEach(() => {
    dir = makeTempDir('keywatch-process-');
  });
  afterEach(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    proc = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start(args: string[], env: Record<string, string>): Process {
    const child = spawn(process.execPath, [path.join(buildDir, 'dist', 'main.js'), ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        PORT: '0',
        KEYWATCH_HOST: '127.0.0.1',
        KEYWATCH_DB_PATH: path.join(dir, 'keywatch.db'),
        KEYWATCH_SCAN_SCHEDULE: '',
        KEYWATCH_DEMO_USERS: '3',
        AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    proc = { child, stdout: () => out, stderr: () => err, exited };
    return proc;
  }

  /** Starts demo mode and waits until the first scan has finished (the banner's last line). */
  async function startDemo(env: Record<string, string>): Promise<{ p: Process; base: string }> {
    const p = start(['--demo'], env);
    await waitFor(() => /First scan : .*\bsucceeded\b/.test(p.stdout()) || p.child.exitCode !== null, 30_000, 'the demo scan');
    const base = /Swagger UI : (http:\/\/localhost:\d+)\/api\/docs/.exec(p.stdout())?.[1];
    if (!base) throw new Error(`no demo banner:\n${p.stdout()}\n${p.stderr()}`);
    return { p, base };
  }

  const get = (url: string, user: string, password: string) =>
    fetch(url, { headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }, signal: AbortSignal.timeout(5_000) });

  test('when demo mode runs with KEYWATCH_API_PASSWORD set, then the banner refers to the variable and never prints the password', async () => {
    const password = 'Operator-Chosen-Secret-42';
    const { p, base } = await startDemo({ KEYWATCH_API_PASSWORD: password });
    const banner = p.stdout();
    expect(banner).toContain('Login      : keywatch / the password in KEYWATCH_API_PASSWORD');
    expect(banner).toContain(`Try        : curl -u "keywatch:$KEYWATCH_API_PASSWORD" '${base}/api/findings?limit=5'`);
    expect(banner).not.toContain('generated');
    expect(banner + p.stderr()).not.toContain(password);
    // the password it did not print is the one that works
    expect((await get(`${base}/api/findings?limit=1`, 'keywatch', password)).status).toBe(200);
  });

  test('when demo mode runs without KEYWATCH_API_PASSWORD, then the banner prints the generated password, and that password works', async () => {
    const { p, base } = await startDemo({});
    const login = /Login {6}: keywatch \/ (\S+) {3}\(generated; set KEYWATCH_API_PASSWORD to choose one\)/.exec(p.stdout());
    expect(login).not.toBeNull();
    const generated = login![1]!;
    expect(generated.length).toBeGreaterThanOrEqual(20);
    expect(p.stdout()).toContain(`Try        : curl -u "keywatch:${generated}" '${base}/api/findings?limit=5'`);
    expect((await get(`${base}/api/findings?limit=1`, 'keywatch', generated)).status).toBe(200);
    expect((await get(`${base}/api/findings?limit=1`, 'keywatch', 'not-it')).status).toBe(401);
  });

  test('when the built server runs, then it serves the dashboard from dist/ui: / leads to /ui/, the page, its modules and Chart.js', async () => {
    const password = 'Operator-Chosen-Secret-42';
    const { p, base } = await startDemo({ KEYWATCH_API_PASSWORD: password });
    expect(p.stdout()).toContain(`Dashboard  : ${base}/ui/`);
    const root = await fetch(`${base}/`, { redirect: 'manual', headers: { Authorization: `Basic ${Buffer.from(`keywatch:${password}`).toString('base64')}` } });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const page = await get(`${base}/ui/`, 'keywatch', password);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/ui/app.js"></script>');
    for (const file of ['/ui/app.js', '/ui/api.js', '/ui/pages/overview.js', '/ui/style.css', '/ui/vendor/chart.umd.min.js']) {
      expect({ file, status: (await get(`${base}${file}`, 'keywatch', password)).status }).toEqual({ file, status: 200 });
    }
    expect((await get(`${base}/ui/`, 'keywatch', 'wrong')).status).toBe(401);
  });

  test('when demo mode starts, then it scans a simulated organization of three accounts: three runs succeed, each account\'s findings are its own, and a second scan of each account shows change', async () => {
    const password = 'Operator-Chosen-Secret-42';
    const { p, base } = await startDemo({ KEYWATCH_API_PASSWORD: password, KEYWATCH_DEMO_USERS: '30' });
    const banner = p.stdout();
    expect(banner).toContain('demo mode (simulated AWS Organization of 3 accounts, 30 users)');
    expect(banner).toContain('First scan : runs 1, 2 and 3 started, one per account');
    await waitFor(() => /First scan : runs 1, 2 and 3 succeeded, \d+ findings in 3 accounts/.test(p.stdout()), 30_000, 'the three first runs');

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json = async (url: string, init?: RequestInit): Promise<any> => {
      const res = await fetch(`${base}${url}`, {
        ...init,
        headers: { Authorization: `Basic ${Buffer.from(`keywatch:${password}`).toString('base64')}`, 'Content-Type': 'application/json' },
        signal: AbortSignal.timeout(20_000),
      });
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      return res.json();
    };
    const runs = (await json('/api/scans?limit=10')).items as { id: number; target: string; account_id: string; status: string; trigger: string }[];
    expect(runs.map((r) => [r.status, r.trigger])).toEqual([['succeeded', 'demo'], ['succeeded', 'demo'], ['succeeded', 'demo']]);
    const accountIds = runs.map((r) => r.account_id);
    expect(new Set(accountIds).size).toBe(3);
    for (const id of accountIds) expect(id).toMatch(/^\d{12}$/);

    // Every run's findings are of its own account (users' ARNs name it), and together they span the three.
    const seen = new Set<string>();
    for (const run of runs) {
      expect(run.target).toBe(run.account_id);
      const findings = (await json(`/api/scans/${run.id}/findings?limit=500`)).items as { target: string; user_arn: string | null }[];
      expect(findings.length).toBeGreaterThan(0);
      const arnAccounts = new Set(findings.flatMap((f) => (f.user_arn ? [f.user_arn.split(':')[4]!] : [])));
      expect([...arnAccounts]).toEqual([run.account_id]);
      for (const f of findings) seen.add(f.target);
    }
    expect([...seen].sort()).toEqual([...accountIds].sort());

    // Each account changed after its first scan: scanning each again shows what changed, in more than one account.
    for (const accountId of accountIds) {
      const again = await json('/api/scans?wait=true', { method: 'POST', body: JSON.stringify({ target: accountId, source: 'api' }) });
      expect(again.status).toBe('succeeded');
      const diff = await json(`/api/scans/${again.id}/diff`);
      const changed = diff.counts.new + diff.counts.resolved + diff.counts.changed;
      expect({ accountId, changed: changed > 0 }).toEqual({ accountId, changed: true });
    }
  });

  test('when an unknown KEYWATCH_ variable is set, then the server does not start: it names the variable and the closest known one and exits 2', async () => {
    const p = start([], { KEYWATCH_API_PASSWORD: 'some-password-123', KEYWATCH_IAM_RAET: '10' });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('KEYWATCH_IAM_RAET: not a keywatch variable; did you mean KEYWATCH_IAM_RATE?');
    expect(p.stdout()).not.toContain('keywatch listening');
  });
});
