#!/usr/bin/env node
/**
 * keywatch CLI.
 *
 *   keywatch scan [--source api|credential_report] [--json]
 *       Runs one scan of the configured account through the same use case as the API and the
 *       scheduler, stores it, prints the findings; exit 1 if the scan failed.
 *   keywatch backup <file> [--force]
 *       Copies the database (KEYWATCH_DB_PATH) with SQLite's online backup, safe while the server
 *       runs; refuses to overwrite <file> unless --force; prints the path and size.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 invalid configuration or usage.
 * Actions set process.exitCode instead of exiting, so buildCli() can run inside tests.
 */
import { Command, Option } from 'commander';
import { buildAppContext } from './app-context';
import { ConfigError, loadConfig, type Config } from './config';
import { SCAN_SOURCES, type ScanSource } from './domain/snapshot';
import { configSecrets, createLogger } from './logger';
import { formatBytes, formatFindingsTable, formatRunSummary } from './cli/format';
import { backupDatabase, BackupError } from './store';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageVersion: string = require('../package.json').version;

/** An error that ends the command with a message on stderr and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

function loadCliConfig(): Config {
  try {
    return loadConfig(undefined, { requireApiPassword: false });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

/** Runs an action; failures print `keywatch: <message>` on stderr and set the exit code. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (error) {
      // A database that cannot be opened or migrated (KEYWATCH_DB_PATH) is a configuration error: 2.
      const code = error instanceof CliError ? error.exitCode : error instanceof ConfigError ? 2 : 1;
      process.stderr.write(`keywatch: ${(error as Error).message}\n`);
      process.exitCode = code;
    }
  };
}

export interface BuildCliOptions {
  /** Throw instead of exiting on usage errors, --help and --version (tests). */
  exitOverride?: boolean;
}

export function buildCli(options: BuildCliOptions = {}): Command {
  const program = new Command();
  program.name('keywatch').description('AWS IAM credential-hygiene scanner').version(packageVersion);
  if (options.exitOverride) program.exitOverride();

  program
    .command('scan')
    .description('Run one scan of the configured account, store it, and print its findings')
    .addOption(new Option('-s, --source <source>', 'scan source').choices([...SCAN_SOURCES]).default('api'))
    .option('--json', 'print the run and its findings as JSON')
    .action(
      action(async (opts: { source: ScanSource; json?: boolean }) => {
        const config = loadCliConfig();
        // Logs go to stderr so stdout stays the table (or JSON) a script can read.
        const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr as never, {
          secrets: configSecrets(config),
        });
        const ctx = buildAppContext(config, { logger, schedule: false });
        try {
          const run = await ctx.scans.runToCompletion({ source: opts.source, trigger: 'cli' });
          const findings =
            run.status === 'succeeded' ? ctx.store.runViews.seenByRun(run.target, run.id, { limit: 100_000, offset: 0 }).items : [];
          if (opts.json) process.stdout.write(JSON.stringify({ run, findings }, null, 2) + '\n');
          else {
            process.stdout.write(formatRunSummary(run) + '\n');
            if (run.status === 'succeeded') process.stdout.write(formatFindingsTable(findings) + '\n');
          }
          return run.status === 'succeeded' ? 0 : 1;
        } finally {
          await ctx.close();
        }
      }),
    );

  program
    .command('backup')
    .description('Copy the database (KEYWATCH_DB_PATH) to <file> with SQLite online backup; safe while the server runs')
    .argument('<file>', 'the backup file to create')
    .option('-f, --force', 'overwrite <file> if it exists')
    .action(
      action(async (file: string, opts: { force?: boolean }) => {
        const config = loadCliConfig();
        try {
          const result = await backupDatabase(config.dbPath, file, { force: opts.force ?? false });
          process.stdout.write(
            `Backed up ${result.source} to ${result.path} (${formatBytes(result.bytes)}, ${result.bytes} bytes, ${result.runs} scan runs, ${result.durationMs} ms)\n`,
          );
          return 0;
        } catch (error) {
          if (error instanceof BackupError) throw new CliError(error.message, 1);
          throw error;
        }
      }),
    );

  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error) => {
      process.stderr.write(`keywatch: ${(error as Error).message}\n`);
      process.exit(1);
    });
}
