/**
 * A database keywatch cannot use at start-up (folder cannot be created, not a database, read-only,
 * migrations fail) is a configuration error: the message names the path, KEYWATCH_DB_PATH and the
 * SQLite (or file-system) code, and the CLI exits 2 — as for any other configuration error. (The
 * server's exit status is tested on the real process in shutdown.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { buildAppContext } from '../../src/app-context';
import { ConfigError, loadConfig } from '../../src/config';
import { emptyAccount, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { immutableFilesSupported } from '../support/files';
import { makeTempDir, testEnv } from '../support/harness';
import { runCli } from './cli-run';


describe('a database keywatch cannot use at start-up', () => {
  let sim: SimulatorHandle;
  let dir: string;
  const undo: (() => void)[] = [];
  beforeEach(async () => {
    sim = await startSimulator({ account: emptyAccount(), port: 0 });
    dir = makeTempDir('keywatch-dbstart-');
  });
  afterEach(async () => {
    while (undo.length > 0) undo.pop()!();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const scan = (dbPath: string) =>
    runCli(['scan'], { KEYWATCH_DB_PATH: dbPath, KEYWATCH_IAM_ENDPOINT: sim.url, AWS_ACCESS_KEY_ID: 'AKIDCLITEST', AWS_SECRET_ACCESS_KEY: 'cli-test-secret' });

  /** The CLI refuses with exit 2, naming the variable, the path and the code; and no scan ran. */
  async function expectRefused(dbPath: string, code: RegExp): Promise<void> {
    const result = await scan(dbPath);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^keywatch: Invalid configuration:\n {2}- KEYWATCH_DB_PATH: /);
    expect(result.stderr).toContain(dbPath);
    expect(result.stderr).toMatch(code);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    expect(sim.stats.calls).toBe(0);
  }

  test('when the folder of KEYWATCH_DB_PATH cannot be created (a file is in the way), then the CLI exits 2 naming the path', async () => {
    fs.writeFileSync(path.join(dir, 'data'), 'a file, not a folder');
    await expectRefused(path.join(dir, 'data', 'keywatch.db'), /ENOTDIR|EEXIST/);
  });

  test('when KEYWATCH_DB_PATH is not a database, then the CLI exits 2 naming the path and SQLITE_NOTADB', async () => {
    const file = path.join(dir, 'keywatch.db');
    fs.writeFileSync(file, 'this is a text file, not an SQLite database\n'.repeat(200));
    await expectRefused(file, /SQLITE_NOTADB/);
  });

  test('when the migrations cannot be applied, then the CLI exits 2 naming the path and the SQLite error', async () => {
    const file = path.join(dir, 'keywatch.db');
    const other = new Database(file);
    other.exec('CREATE TABLE check_texts (something_else TEXT)'); // a table of another application, same name
    other.close();
    await expectRefused(file, /SQLITE_ERROR.*check_texts/);
  });

  (immutableFilesSupported() ? test : test.skip)('when the database file is read-only (immutable, even for root), then the CLI exits 2 naming the path and SQLITE_READONLY', async () => {
    const file = path.join(dir, 'keywatch.db');
    expect((await scan(file)).code).toBe(0); // a valid keywatch database
    execFileSync('chattr', ['+i', file]);
    undo.push(() => execFileSync('chattr', ['-i', file]));
    sim.resetStats();
    await expectRefused(file, /SQLITE_READONLY/);
  });

  test('when buildAppContext cannot open the database, then it throws a ConfigError naming KEYWATCH_DB_PATH (main.ts exits 2 on it)', () => {
    const file = path.join(dir, 'keywatch.db');
    fs.writeFileSync(file, 'not a database\n'.repeat(300));
    const build = () => buildAppContext(loadConfig(testEnv(file, sim.url)), { logger: pino({ level: 'silent' }) });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(new RegExp(`KEYWATCH_DB_PATH: could not open the database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SQLITE_NOTADB`));
  });
});
