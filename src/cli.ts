#!/usr/bin/env node
/**
 * keywatch CLI.
 *
 *   keywatch targets [--json]
 *       Prints every target (configured and discovered, active or not): account, origin, source, last
 *       run, open findings by severity; then the totals and the last organization discovery.
 *   keywatch scan [--target NAME | --all] [--source api|credential_report] [--json]
 *       Runs a scan of one target (--target; may be left out while exactly one is active) and prints
 *       its findings, or of every active target (--all) and prints each run; stores every run through
 *       the same use case as the API and the scheduler. Exit 1 if a run failed (or, with --all, a
 *       target was busy), naming them; exit 2 with several active targets and neither flag.
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
import { formatBytes, formatFindingsTable, formatRunSummary, formatTargetsTable } from './cli/format';
import { isAppError } from './errors';
import type { Logger } from 'pino';
import { presentTargets } from './presenters/json';
import { targetsOverview } from './scans/targets-overview';
import { backupDatabase, BackupError } from './store';
import type { ScanRun } from './domain/runs';

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

/** Logs go to stderr so stdout stays the table (or JSON) a script can read. */
function cliLogger(config: Config): Logger {
  return createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr as never, { secrets: configSecrets(config) });
}

/** `--target` rather than the API's `target` in a validation message. */
function cliMessage(details: { field: string; message: string }[]): string {
  return details.map((d) => `--${d.field} ${d.message.replace('name one, or scan all', 'name one with --target NAME, or scan them all with --all')}`).join('; ');
}

/**
 * `keywatch scan --all`: every active target (KEYWATCH_SCAN_PARALLELISM at once), each run printed
 * as it is stored. Exit 1 when any run did not succeed or a target was busy, naming them on stderr.
 */
async function scanAll(ctx: ReturnType<typeof buildAppContext>, opts: { source?: ScanSource; json?: boolean }): Promise<number> {
  if (ctx.targets.active().length === 0) throw new CliError('no target is active (see `keywatch targets`)', 1);
  const { started, refused } = ctx.scans.startAll({ trigger: 'cli', source: opts.source });
  const settled = await Promise.allSettled(started.map((s) => s.recorded));
  const runs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const unrecorded = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${started[i]!.run.target} (run ${started[i]!.run.id}: ${(s.reason as Error).message})`] : []));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ runs, refused: refused.map((r) => ({ target: r.target, error: r.error.message })) }, null, 2) + '\n');
  } else {
    for (const run of runs) process.stdout.write(formatRunSummary(run) + '\n\n');
    for (const r of refused) process.stdout.write(`target ${r.target} not scanned: ${r.error.message}\n`);
  }
  const problems = [
    ...runs.filter((r) => r.status !== 'succeeded').map((r) => `${r.target} (run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''})`),
    ...unrecorded,
    ...refused.map((r) => `${r.target} (busy: ${r.error.message})`),
  ];
  const total = started.length + refused.length;
  if (problems.length > 0) {
    process.stderr.write(`keywatch: ${problems.length} of ${total} targets did not scan successfully: ${problems.join('; ')}\n`);
    return 1;
  }
  if (!opts.json) process.stdout.write(`${total} targets scanned successfully\n`);
  return 0;
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
    .command('targets')
    .description('Print every target (configured and discovered, active or not) with its last run and open findings by severity')
    .option('--json', 'print the targets as GET /api/targets answers them')
    .action(
      action(async (opts: { json?: boolean }) => {
        const config = loadCliConfig();
        const ctx = buildAppContext(config, { logger: cliLogger(config), schedule: false });
        try {
          // With discovery on, the organization's accounts as they are now.
          await ctx.discovered;
          const overview = targetsOverview(ctx.store, ctx.targets, { nextScheduledScan: () => null, now: Date.now() });
          if (opts.json) process.stdout.write(JSON.stringify(presentTargets(overview, { limit: overview.targets.length, offset: 0 }), null, 2) + '\n');
          else process.stdout.write(formatTargetsTable(overview) + '\n');
          return 0;
        } finally {
          await ctx.close();
        }
      }),
    );

  program
    .command('scan')
    .description('Scan one target (--target; may be left out while exactly one is active) or every active target (--all), store the runs, print the results')
    .option('-t, --target <name>', 'the target to scan (see `keywatch targets`)')
    .option('-a, --all', 'scan every active target')
    .addOption(new Option('-s, --source <source>', "scan source (default: each target's own, KEYWATCH_SCAN_SOURCE or the targets file's)").choices([...SCAN_SOURCES]))
    .option('--json', 'print the run and its findings (--all: the runs and the refused targets) as JSON')
    .action(
      action(async (opts: { target?: string; all?: boolean; source?: ScanSource; json?: boolean }) => {
        if (opts.target !== undefined && opts.all) throw new CliError('use either --target NAME or --all, not both', 2);
        const config = loadCliConfig();
        const ctx = buildAppContext(config, { logger: cliLogger(config), schedule: false });
        try {
          // With discovery on, the organization's accounts as they are now.
          await ctx.discovered;
          if (opts.all) return await scanAll(ctx, opts);
          const active = ctx.targets.active();
          if (opts.target === undefined && active.length > 1) {
            throw new CliError(
              `${active.length} targets are active (${active.map((t) => t.name).join(', ')}): name one with --target NAME, or scan them all with --all`,
              2,
            );
          }
          let run: ScanRun;
          try {
            run = await ctx.scans.runToCompletion({ source: opts.source, target: opts.target, trigger: 'cli' });
          } catch (error) {
            // An unknown or inactive target, or no active target: a usage problem, named as the API names it.
            if (isAppError(error) && error.code === 'validation_failed') throw new CliError(cliMessage(error.details ?? []), 2);
            throw error;
          }
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
