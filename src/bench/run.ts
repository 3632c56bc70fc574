/**
 * `npm run bench`: runs every scenario, each in its own process (so peak RSS is per scenario), and
 * prints one JSON object per scenario on its own line. `node dist/bench/run.js live_scan` runs one.
 *
 * The scenarios of one invocation share a temporary folder: `history_year` leaves its database
 * there and `dashboard` measures the dashboard on it (instead of building it again for minutes).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the scenarios of one `npm run bench` share. */
interface Shared {
  dir: string;
}

type Scenario = (shared: Shared) => Promise<Record<string, unknown>>;

const historyDb = (shared: Shared) => path.join(shared.dir, 'history-year.db');

export const HEAP_CAP_MB = 192;

const SCENARIOS: Record<string, () => Scenario | null> = {
  live_scan: () => {
    const run = require('./live-scan').runLiveScanScenario;
    return () => run();
  },
  report_scan: () => {
    const run = optional('./report-scan', 'runReportScanScenario');
    return run && (() => run({}));
  },
  history_year: () => {
    const run = optional('./history-year', 'runHistoryYearScenario');
    return run && ((shared) => run({ keepDatabaseAt: historyDb(shared) }));
  },
  dashboard: () => {
    const run = optional('./dashboard', 'runDashboardScenario');
    return run && ((shared) => run({ historyDb: historyDb(shared) }));
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each scenario has its own options
function optional(module: string, name: string): ((options: any) => Promise<Record<string, unknown>>) | null {
  try {
    return require(module)[name] ?? null;
  } catch {
    return null;
  }
}

async function runOne(name: string, shared: Shared): Promise<void> {
  const scenario = SCENARIOS[name]?.();
  if (!scenario) {
    process.stdout.write(JSON.stringify({ scenario: name, error: 'scenario not available in this build' }) + '\n');
    return;
  }
  const result = await scenario(shared);
  process.stdout.write(JSON.stringify({ ...result, node_heap_cap_mb: HEAP_CAP_MB }) + '\n');
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    await runOne(argv[1]!, { dir: argv[2]! });
    return;
  }
  const names = argv.length > 0 ? argv : Object.keys(SCENARIOS);
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  let failed = false;
  const shared: Shared = { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-bench-shared-')) };
  process.on('exit', () => fs.rmSync(shared.dir, { recursive: true, force: true }));
  for (const name of names) {
    const code = await new Promise<number>((resolve) => {
      // Each scenario in a fresh process with the heap capped as we recommend for deployment
      // (NODE_OPTIONS in k8s/deployment.yaml): peak RSS then measures what keywatch keeps, not
      // garbage V8 has not bothered to collect yet.
      const child = fork(__filename, ['--child', name, shared.dir], { stdio: 'inherit', execArgv: [`--max-old-space-size=${HEAP_CAP_MB}`] });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      failed = true;
      process.stdout.write(JSON.stringify({ scenario: name, error: `exited with code ${code}` }) + '\n');
    }
  }
  if (failed) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
