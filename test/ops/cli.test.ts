import fs from 'node:fs';
import path from 'node:path';
import { emptyAccount, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { openStore } from '../../src/store';
import { accountWithKeyAges } from '../support/accounts';
import { makeTempDir } from '../support/harness';
import { runCli } from './cli-run';
import { startOpsApp, type OpsApp } from './support';

const AWS_SECRET = 'cli-test-secret-access-key-0123456789';

describe('keywatch CLI', () => {
  let sim: SimulatorHandle | undefined;
  let app: OpsApp | undefined;
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('keywatch-cli-');
  });
  afterEach(async () => {
    await app?.close();
    await sim?.stop();
    app = undefined;
    sim = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const scanEnv = (dbPath: string, simUrl: string): Record<string, string> => ({
    KEYWATCH_DB_PATH: dbPath,
    KEYWATCH_IAM_ENDPOINT: simUrl,
    KEYWATCH_IAM_RATE: '2000',
    KEYWATCH_IAM_CONCURRENCY: '16',
    KEYWATCH_IAM_BACKOFF_BASE_MS: '2',
    KEYWATCH_IAM_BACKOFF_MAX_MS: '20',
    KEYWATCH_IAM_MAX_ATTEMPTS: '2',
    AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
  });

  test('when `keywatch scan` succeeds, then it prints the run and a findings table, stores the run and exits 0', async () => {
    sim = await startSimulator({ account: accountWithKeyAges([10, 100, 400]), port: 0 });
    const dbPath = path.join(dir, 'k.db');
    const result = await runCli(['scan'], scanEnv(dbPath, sim.url));
    expect(result.stderr).not.toMatch(/keywatch:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^run 1 succeeded — target default, source api, account 111122223333/);
    expect(result.stdout).toMatch(/^SEVERITY\s+CHECK\s+USER\s+RESOURCE\s+MESSAGE$/m);
    expect(result.stdout).toMatch(/^HIGH\s+access_key_not_rotated\s+user-400d-2\s+AKIA[A-Z0-9]{16}\s+/m);
    expect(result.stdout).toMatch(/^MEDIUM\s+access_key_not_rotated\s+user-100d-1\s+/m);
    expect(result.stdout).toMatch(/^\d+ findings$/m);
    const store = openStore(dbPath);
    try {
      expect(store.runs.get(1)).toMatchObject({ status: 'succeeded', trigger: 'cli' });
    } finally {
      store.close();
    }
  });

  test('when `keywatch scan --json` succeeds, then stdout is the run and its findings as JSON', async () => {
    sim = await startSimulator({ account: accountWithKeyAges([400]), port: 0 });
    const result = await runCli(['scan', '--json'], scanEnv(path.join(dir, 'k.db'), sim.url));
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.run).toMatchObject({ id: 1, status: 'succeeded' });
    expect(out.findings.some((f: { checkId: string }) => f.checkId === 'access_key_not_rotated')).toBe(true);
  });

  test('when IAM denies ListUsers, then `keywatch scan` prints the failed run with an actionable error and exits non-zero', async () => {
    sim = await startSimulator({ account: accountWithKeyAges([100]), port: 0, faults: [{ action: 'ListUsers', error: 'AccessDenied' }] });
    const result = await runCli(['scan'], scanEnv(path.join(dir, 'k.db'), sim.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^run 1 failed/);
    expect(result.stdout).toMatch(/error: IAM denied iam:ListUsers \(AccessDenied\)/);
    expect(result.stdout).not.toMatch(/SEVERITY/);
    expect(result.stdout + result.stderr).not.toContain(AWS_SECRET);
  });

  test('when the configuration is invalid, then the CLI names the variable and exits 2', async () => {
    sim = await startSimulator({ account: emptyAccount(), port: 0 });
    const result = await runCli(['scan'], { ...scanEnv(path.join(dir, 'k.db'), sim.url), KEYWATCH_IAM_RATE: 'fast' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/KEYWATCH_IAM_RATE/);
  });

  test('when `keywatch backup <file>` runs while the server has the database open, then it writes a complete copy and prints path and size', async () => {
    app = await startOpsApp({ account: accountWithKeyAges([100, 400]) });
    await app.scan();
    await app.scan();
    const file = path.join(dir, 'backup.db');
    const result = await runCli(['backup', file], { KEYWATCH_DB_PATH: app.dbPath });
    expect(result.stderr).not.toMatch(/keywatch:/);
    expect(result.code).toBe(0);
    const size = fs.statSync(file).size;
    expect(result.stdout).toContain(file);
    expect(result.stdout).toContain(`${size} bytes`);
    expect(result.stdout).toMatch(/2 scan runs/);
    // self-contained: no WAL companions needed
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const copy = openStore(file, { migrate: false });
    try {
      expect(copy.runs.list({ limit: 10, offset: 0 }).total).toBe(2);
      expect(copy.readiness()).toEqual({ ok: true });
    } finally {
      copy.close();
    }
    // the server keeps working on its own database
    expect((await app.scan()).status).toBe('succeeded');
  });

  test('when the backup file exists, then `keywatch backup` refuses unless --force', async () => {
    app = await startOpsApp({ account: accountWithKeyAges([100]) });
    await app.scan();
    const file = path.join(dir, 'backup.db');
    fs.writeFileSync(file, 'precious');
    const refused = await runCli(['backup', file], { KEYWATCH_DB_PATH: app.dbPath });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists; use --force/);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
    const forced = await runCli(['backup', file, '--force'], { KEYWATCH_DB_PATH: app.dbPath });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(file).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  test('when there is no database yet, then `keywatch backup` says so and exits 1 without creating a file', async () => {
    const file = path.join(dir, 'backup.db');
    const result = await runCli(['backup', file], { KEYWATCH_DB_PATH: path.join(dir, 'missing.db') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No database at .*missing\.db/);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('when `keywatch backup` is called without a file, then it is a usage error', async () => {
    const result = await runCli(['backup'], { KEYWATCH_DB_PATH: path.join(dir, 'k.db') });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/missing required argument 'file'/);
  });
});
