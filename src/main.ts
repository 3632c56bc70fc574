#!/usr/bin/env node
/**
 * keywatch server: `node dist/main.js` (real accounts) or `node dist/main.js --demo` (the
 * built-in simulated AWS Organization). Thin: load config, build the context, listen, shut down cleanly.
 *
 * Shutdown (SIGTERM from Kubernetes/Docker, SIGINT from Ctrl-C) has ONE deadline, computed when the
 * signal arrives: now + KEYWATCH_SHUTDOWN_GRACE_S (src/deadline.ts). Then, all at the same time:
 *   - the listening socket closes (idle keep-alive sockets too); requests in progress may finish,
 *   - the scheduler stops,
 *   - a running scan may finish, and the webhook deliveries in flight (and those of a scan that
 *     finishes now) may complete,
 * each until that deadline. At the deadline what is still running is aborted: a scan's IAM calls
 * are cancelled and its run marked `interrupted`, webhook requests are cancelled and recorded as
 * failed, open connections are closed. Then SQLite is closed (WAL checkpointed by better-sqlite3)
 * and the process exits 0 — at most about a second after the deadline. A second SIGINT forces an
 * immediate exit (1); if closing hangs anyway, a last resort closes the database and exits.
 */
import type { Server } from 'node:http';
import { buildAppContext, type AppContext } from './app-context';
import { ConfigError, loadConfig, type Config } from './config';
import { UNWIND_MS } from './deadline';
import { DEMO_CREDENTIALS, demoBanner, demoConfig, demoFirstScanResult, startDemoOrganization, type DemoOrganization } from './demo';
import { configSecrets, createLogger, type Logger } from './logger';

/**
 * If closing hangs anyway (it should not: every stage is bounded by the deadline, aborted work by the
 * unwind allowance), the database is closed and the process exits this long after the deadline.
 */
const LAST_RESORT_AFTER_DEADLINE_MS = UNWIND_MS + 500;

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

  let demoOrganization: DemoOrganization | null = null;
  if (demo) {
    demoOrganization = await startDemoOrganization({ users: config.demoAccount.users, seed: config.demoAccount.seed, logger });
    config = demoConfig(config, demoOrganization.simulator.url);
    logger.info(
      { simulator: demoOrganization.simulator.url, accounts: demoOrganization.accounts, users: config.demoAccount.users },
      'demo: simulated AWS Organization started',
    );
  }

  let ctx: AppContext;
  try {
    ctx = buildAppContext(config, {
      logger,
      schedule: true,
      awsCredentials: demo ? DEMO_CREDENTIALS : undefined,
      onRunFinished: demoOrganization ? (run) => demoOrganization!.evolveAfter(run) : undefined,
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
  const requests = trackRequests(server);
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

  if (demoOrganization) {
    // Every account of the organization, once discovered, scanned at once (KEYWATCH_SCAN_PARALLELISM).
    const discovery = await ctx.discovered;
    const { started } = ctx.scans.startAll({ source: 'api', trigger: 'demo' });
    process.stdout.write(
      demoBanner({
        version: config.version,
        accounts: demoOrganization.accounts,
        users: config.demoAccount.users,
        baseUrl: base,
        auth: config.auth,
        firstRunIds: started.map((s) => s.run.id),
        notStarted: discovery?.error,
      }),
    );
    if (started.length > 0) {
      void Promise.all(started.map((s) => s.done)).then(
        (runs) => process.stdout.write(demoFirstScanResult(runs)),
        () => undefined,
      );
    }
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
    const deadline = Date.now() + graceMs;
    const running = ctx.scans.runningRunIds();
    logger.info({ signal, grace_ms: graceMs, deadline: new Date(deadline).toISOString(), running_run_ids: running }, 'shutting down');

    // No new connections; idle keep-alive connections closed. Requests in progress may finish by the deadline.
    server.close();
    server.closeIdleConnections();

    // Scheduler, running scans, webhook deliveries and requests in progress: all until the one
    // deadline; then the rest is aborted and SQLite closed (ctx.close).
    let exitCode = 0;
    let lastResort: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ctx.close(deadline, [requests.drained()]).then(
        () => 'closed' as const,
        (error: unknown) => {
          logger.error({ err: error }, 'error while shutting down');
          return 'error' as const;
        },
      ),
      new Promise<'last_resort'>((resolve) => {
        lastResort = setTimeout(() => resolve('last_resort'), Math.max(0, deadline - Date.now()) + LAST_RESORT_AFTER_DEADLINE_MS);
      }),
    ]);
    clearTimeout(lastResort);
    server.closeAllConnections();
    if (outcome !== 'closed') {
      // Running scans were marked interrupted at the deadline; close the database ourselves.
      logger.warn({ outcome }, 'shutdown did not complete in time; closing the database and exiting');
      try {
        ctx.store.close();
      } catch (error) {
        logger.error({ err: error }, 'could not close the database');
        exitCode = 1;
      }
    }
    await demoOrganization?.simulator.stop().catch(() => undefined);
    logger.info({ exit_code: exitCode }, 'stopped');
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Counts the requests in progress, so that shutdown can wait for them (until its deadline). */
function trackRequests(server: Server): { drained(): Promise<void> } {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      // The connection may stay open (keep-alive): once the server is closing, close it when idle.
      if (!server.listening) server.closeIdleConnections();
      if (inFlight === 0) waiting.splice(0).forEach((resolve) => resolve());
    });
  });
  return { drained: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))) };
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
