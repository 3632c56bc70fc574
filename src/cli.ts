#!/usr/bin/env node
/**
 * keywatch CLI. `keywatch scan [--source api|credential_report]` runs one scan against the
 * configured account through the same use case as the API and the scheduler, stores it, prints
 * the findings, and exits 1 if the scan failed.
 */
import { Command, Option } from 'commander';
import { buildAppContext } from './app-context';
import { ConfigError, loadConfig } from './config';
import { SCAN_SOURCES, type ScanSource } from './domain/snapshot';
import { createLogger } from './logger';
import { formatFindingsTable, formatRunSummary } from './cli/format';

function loadCliConfig() {
  try {
    return loadConfig(process.env, { requireApiPassword: false });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keywatch: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

export function buildCli(): Command {
  const program = new Command();
  program.name('keywatch').description('AWS IAM credential-hygiene scanner').version(loadCliConfig().version);

  program
    .command('scan')
    .description('Run one scan of the configured account, store it, and print its findings')
    .addOption(new Option('-s, --source <source>', 'scan source').choices([...SCAN_SOURCES]).default('api'))
    .option('--json', 'print the run and its findings as JSON')
    .action(async (opts: { source: ScanSource; json?: boolean }) => {
      const config = loadCliConfig();
      // Logs go to stderr so stdout stays the table (or JSON) a script can read.
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr as never);
      const ctx = buildAppContext(config, { logger, schedule: false });
      let exitCode = 0;
      try {
        const run = await ctx.scans.runToCompletion({ source: opts.source, trigger: 'cli' });
        const findings = run.status === 'succeeded' ? ctx.store.findings.seenByRun(run.target, run.id, { limit: 100_000, offset: 0 }).items : [];
        if (opts.json) process.stdout.write(JSON.stringify({ run, findings }, null, 2) + '\n');
        else {
          process.stdout.write(formatRunSummary(run) + '\n');
          if (run.status === 'succeeded') process.stdout.write(formatFindingsTable(findings) + '\n');
        }
        if (run.status !== 'succeeded') exitCode = 1;
      } finally {
        await ctx.close();
      }
      process.exitCode = exitCode;
    });

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
