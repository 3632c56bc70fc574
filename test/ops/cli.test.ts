import fs from 'node:fs';
import path from 'node:path';
import { emptyAccount, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { setRoleTrust } from '../../src/simulator/roles';
import { newLeaseOwner, openStore } from '../../src/store';
import { accountWithKeyAges, ORG_ROLE_NAME, organizationOf } from '../support/accounts';
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

describe('keywatch CLI with an organization', () => {
  const MGMT = '111111111111';
  const M1 = '222222222222';
  const M2 = '333333333333';
  let sim: SimulatorHandle;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = makeTempDir('keywatch-cli-org-');
    const accounts = [
      accountWithKeyAges([100], new Date(), { accountId: MGMT }),
      accountWithKeyAges([200, 300], new Date(), { accountId: M1 }),
      accountWithKeyAges([400, 500, 600], new Date(), { accountId: M2 }),
    ];
    sim = await startSimulator({ account: accounts[0], organization: organizationOf(accounts, { names: ['management', 'prod', 'dev'] }), port: 0 });
    env = {
      KEYWATCH_DB_PATH: path.join(dir, 'k.db'),
      KEYWATCH_IAM_ENDPOINT: sim.url,
      KEYWATCH_IAM_RATE: '2000',
      KEYWATCH_IAM_CONCURRENCY: '16',
      KEYWATCH_IAM_BACKOFF_BASE_MS: '2',
      KEYWATCH_IAM_BACKOFF_MAX_MS: '20',
      KEYWATCH_IAM_MAX_ATTEMPTS: '2',
      KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME,
      AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    };
  });
  afterEach(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The data rows of the targets table, split on runs of two or more spaces. */
  const tableRows = (stdout: string) =>
    stdout
      .split('\n')
      .filter((l) => /^\d{12}\s/.test(l))
      .map((l) => l.split(/\s{2,}/));

  test('when `keywatch targets` runs before and after `keywatch scan --all`, then it prints every account with its name, origin, last run and open findings', async () => {
    const before = await runCli(['targets'], env);
    expect(before.stderr).not.toMatch(/keywatch:/);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^NAME\s+ACCOUNT\s+ACCOUNT NAME\s+ORIGIN\s+ACTIVE\s+SOURCE\s+LAST RUN\s+FINISHED\s+CRIT\s+HIGH\s+MED\s+LOW\s+INFO$/m);
    expect(tableRows(before.stdout)).toEqual([
      [MGMT, MGMT, 'management', 'organization', 'yes', 'api', 'never', '-', '0', '0', '0', '0', '0'],
      [M1, M1, 'prod', 'organization', 'yes', 'api', 'never', '-', '0', '0', '0', '0', '0'],
      [M2, M2, 'dev', 'organization', 'yes', 'api', 'never', '-', '0', '0', '0', '0', '0'],
    ]);
    expect(before.stdout).toMatch(/^organization discovery: ok at .*, 3 accounts$/m);

    const scanned = await runCli(['scan', '--all'], env);
    expect(scanned.stderr).not.toMatch(/keywatch:/);
    expect(scanned.code).toBe(0);
    for (const id of [MGMT, M1, M2]) expect(scanned.stdout).toMatch(new RegExp(`^run \\d+ succeeded — target ${id}, source api, account ${id}$`, 'm'));
    expect(scanned.stdout).toMatch(/^3 targets scanned successfully$/m);

    const after = await runCli(['targets'], env);
    const rows = tableRows(after.stdout);
    expect(rows.map((r) => r[6])).toEqual([expect.stringMatching(/^\d+ succeeded$/), expect.stringMatching(/^\d+ succeeded$/), expect.stringMatching(/^\d+ succeeded$/)]);
    // Open findings per target and in total: the same counts the store lists.
    const store = openStore(env.KEYWATCH_DB_PATH!);
    try {
      const open = (target?: string) => store.findings.list({ target, status: 'open', suppressed: 'exclude', sort: 'severity', order: 'desc', limit: 1000 }).items;
      for (const row of rows) {
        const items = open(row[0]);
        expect({ target: row[0], counts: row.slice(8).map(Number) }).toEqual({
          target: row[0],
          counts: ['critical', 'high', 'medium', 'low', 'info'].map((s) => items.filter((f) => f.severity === s).length),
        });
      }
      expect(after.stdout).toContain(`3 targets (3 active); open findings: ${open().length} (`);
    } finally {
      store.close();
    }
    const json = JSON.parse((await runCli(['targets', '--json'], env)).stdout);
    expect(json.items.map((t: { name: string; account_name: string }) => [t.name, t.account_name])).toEqual([[MGMT, 'management'], [M1, 'prod'], [M2, 'dev']]);
  });

  test('when several targets are active and `keywatch scan` names none, then it exits 2 naming --target and --all; --target scans that one', async () => {
    const none = await runCli(['scan'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/3 targets are active \(111111111111, 222222222222, 333333333333\): name one with --target NAME, or scan them all with --all/);
    const both = await runCli(['scan', '--all', '--target', M1], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --target NAME or --all/);
    const unknown = await runCli(['scan', '--target', 'nowhere'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--target unknown target "nowhere"/);

    const one = await runCli(['scan', '--target', M1], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^run 1 succeeded — target ${M1}, source api, account ${M1}$`, 'm'));
    expect(one.stdout).toMatch(/^MEDIUM\s+access_key_not_rotated\s+user-200d-0\s+/m);
  });

  test('when a member refuses the role or a target is busy, then `keywatch scan --all` scans the others and exits 1 naming each one that did not scan', async () => {
    setRoleTrust(sim.getAccount(M1)!, ORG_ROLE_NAME, { principals: ['999999999999'] });
    // Another keywatch process is scanning dev (a fresh lease).
    expect((await runCli(['targets'], env)).code).toBe(0);
    const store = openStore(env.KEYWATCH_DB_PATH!);
    try {
      store.runs.create({ target: M2, source: 'api', trigger: 'schedule', startedAt: Date.now(), settings: {}, lease: { owner: newLeaseOwner(), staleBefore: 0 } });
    } finally {
      store.close();
    }
    const result = await runCli(['scan', '--all'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^run \\d+ succeeded — target ${MGMT}`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^run \\d+ failed — target ${M1}`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^target ${M2} not scanned: A scan of target "${M2}" is already running`, 'm'));
    expect(result.stderr).toMatch(/keywatch: 2 of 3 targets did not scan successfully: /);
    expect(result.stderr).toMatch(new RegExp(`${M1} \\(run \\d+ failed: sts:AssumeRole into arn:aws:iam::${M1}:role/${ORG_ROLE_NAME} was refused`));
    expect(result.stderr).toMatch(new RegExp(`${M2} \\(busy: A scan of target "${M2}" is already running`));
    expect(result.stdout + result.stderr).not.toContain(AWS_SECRET);
  });
});
