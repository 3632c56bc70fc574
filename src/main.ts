#!/usr/bin/env node
/**
 * keywatch server: `node dist/main.js` (real account) or `node dist/main.js --demo` (the
 * built-in simulated account). Thin: load config, build the context, listen, shut down cleanly.
 */
import type { Server } from 'node:http';
import { buildAppContext, type AppContext } from './app-context';
import { ConfigError, loadConfig } from './config';
import { DEMO_CREDENTIALS, startDemoAccount } from './demo';
import { createLogger } from './logger';

async function main(argv: string[]): Promise<void> {
  const demo = argv.includes('--demo');
  let config;
  try {
    config = loadConfig(process.env, { demo });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keywatch: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  let demoAccount: Awaited<ReturnType<typeof startDemoAccount>> | null = null;
  if (demo) {
    demoAccount = await startDemoAccount({ users: config.demoAccount.users, seed: config.demoAccount.seed, logger });
    config = { ...config, aws: { ...config.aws, iamEndpoint: demoAccount.simulator.url } };
    logger.info({ simulator: demoAccount.simulator.url, users: config.demoAccount.users }, 'demo: simulated AWS account started');
  }

  const ctx: AppContext = buildAppContext(config, {
    logger,
    schedule: true,
    awsCredentials: demo ? DEMO_CREDENTIALS : undefined,
    onRunFinished: demoAccount ? () => demoAccount!.evolve() : undefined,
  });

  const server: Server = ctx.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://localhost:${port}`;
  logger.info({ port, version: config.version, target: config.target, demo }, 'keywatch listening');

  if (demo) {
    const { run, done } = ctx.scans.start({ source: 'api', trigger: 'demo' });
    process.stdout.write(
      [
        '',
        `keywatch ${config.version} — demo mode (simulated AWS account, ${config.demoAccount.users} users)`,
        `  Swagger UI : ${base}/api/docs`,
        `  API        : ${base}/api/findings`,
        `  Login      : ${config.auth.user} / ${config.auth.password}${config.auth.passwordGenerated ? '   (generated; set KEYWATCH_API_PASSWORD to choose one)' : ''}`,
        `  First scan : run ${run.id} started`,
        `  Try        : curl -u ${config.auth.user}:'${config.auth.password}' ${base}/api/findings?limit=5`,
        '',
      ].join('\n'),
    );
    void done.then((r) => process.stdout.write(`  First scan : run ${r.id} ${r.status}, ${r.stats.findings ?? 0} findings\n\n`));
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, grace_ms: config.shutdownGraceMs }, 'shutting down');
    server.close();
    server.closeIdleConnections();
    await ctx.close(config.shutdownGraceMs);
    await demoAccount?.simulator.stop();
    server.closeAllConnections();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`keywatch: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
