#!/usr/bin/env node
/**
 * keywatch server: `node dist/main.js` (real account) or `node dist/main.js --demo` (the
 * built-in simulated account). Thin: load config, build the context, listen, shut down cleanly.
 *
 * Shutdown (SIGTERM from Kubernetes/Docker, SIGINT from Ctrl-C):
 *   1. stop accepting connections (the listening socket closes; idle keep-alive sockets too),
 *   2. stop the scheduler,
 *   3. let a running scan finish within KEYWATCH_SHUTDOWN_GRACE_S; after that its IAM calls are
 *      aborted and the run is marked `interrupted` (a later start never finds it `running`),
 *   4. close SQLite (WAL checkpointed by better-sqlite3 on close), exit 0.
 * A second SIGINT forces an immediate exit (1). If closing hangs anyway, a last-resort deadline
 * closes the database and exits shortly after the grace period.
 */
import type { Server } from 'node:http';
import { buildAppContext, type AppContext } from './app-context';
import { ConfigError, loadConfig, type Config } from './config';
import { DEMO_CREDENTIALS, demoBanner, startDemoAccount } from './demo';
import { configSecrets, createLogger, type Logger } from './logger';

/** How long after the grace period in-flight IAM calls may take before the process exits anyway. */
const SHUTDOWN_SLACK_MS = 4_000;

async function main(argv: string[]): Promise<void> {
  const demo = argv.includes('--demo');
  let config: Config;
  try {
    config = loadConfig(undefined, { demo });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keywatch: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, undefined, { secrets: configSecrets(config) });
  installProcessHandlers(logger);

  let demoAccount: Awaited<ReturnType<typeof startDemoAccount>> | null = null;
  if (demo) {
    demoAccount = await startDemoAccount({ users: config.demoAccount.users, seed: config.demoAccount.seed, logger });
    config = { ...config, aws: { ...config.aws, endpoints: { iam: demoAccount.simulator.url, sts: demoAccount.simulator.url, organizations: demoAccount.simulator.url } } };
    logger.info({ simulator: demoAccount.simulator.url, users: config.demoAccount.users }, 'demo: simulated AWS account started');
  }

  let ctx: AppContext;
  try {
    ctx = buildAppContext(config, {
      logger,
      schedule: true,
      awsCredentials: demo ? DEMO_CREDENTIALS : undefined,
      onRunFinished: demoAccount ? () => demoAccount!.evolve() : undefined,
    });
  } catch (error) {
    // A database that cannot be opened, written or migrated (KEYWATCH_DB_PATH) is a configuration error.
    if (error instanceof ConfigError) {
      process.stderr.write(`keywatch: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const server: Server = ctx.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://localhost:${port}`;
  logger.info(
    { port, host: config.host, version: config.version, target: config.target, demo, grace_ms: config.shutdownGraceMs },
    'keywatch listening',
  );

  if (demo) {
    const { run, done } = ctx.scans.start({ source: 'api', trigger: 'demo' });
    process.stdout.write(
      demoBanner({ version: config.version, users: config.demoAccount.users, baseUrl: base, auth: config.auth, firstRunId: run.id }),
    );
    void done.then(
      (r) => process.stdout.write(`  First scan : run ${r.id} ${r.status}, ${r.stats.findings ?? 0} findings\n\n`),
      () => undefined,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      if (signal === 'SIGINT') {
        logger.warn({ signal }, 'second SIGINT: exiting at once');
        process.exit(1);
      }
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    const graceMs = config.shutdownGraceMs;
    const running = ctx.scans.runningRunIds();
    logger.info({ signal, grace_ms: graceMs, running_run_ids: running }, 'shutting down');

    // 1. No new connections; idle keep-alive connections closed. Requests in progress may finish.
    server.close();
    server.closeIdleConnections();

    // 2-4. Scheduler, running scan (after the grace period ctx.close marks it interrupted and aborts
    //     its in-flight IAM calls), SQLite.
    let exitCode = 0;
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ctx.close(graceMs).then(
        () => 'closed' as const,
        (error: unknown) => {
          logger.error({ err: error }, 'error while shutting down');
          return 'error' as const;
        },
      ),
      new Promise<'deadline'>((resolve) => {
        deadline = setTimeout(() => resolve('deadline'), graceMs + SHUTDOWN_SLACK_MS);
      }),
    ]);
    clearTimeout(deadline);
    if (outcome !== 'closed') {
      // The scan's run is already marked interrupted; close the database ourselves.
      logger.warn({ outcome }, 'shutdown did not complete in time; closing the database and exiting');
      try {
        ctx.store.close();
      } catch (error) {
        logger.error({ err: error }, 'could not close the database');
        exitCode = 1;
      }
    }
    await demoAccount?.simulator.stop().catch(() => undefined);
    server.closeAllConnections();
    logger.info({ exit_code: exitCode }, 'stopped');
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function installProcessHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`keywatch: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
