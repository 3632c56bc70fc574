/**
 * `npm run bench`: runs every scenario, each in its own process (so peak RSS is per scenario), and
 * prints one JSON object per scenario on its own line (api_load: one per endpoint).
 * `node dist/bench/run.js live_scan` runs one; `--load-seconds=N` sets api_load's seconds of load per
 * endpoint (default 20), e.g. `npm run bench -- api_load --load-seconds=5` for a quick run.
 *
 * The scenarios of one invocation share a temporary folder: `history_year` leaves its database
 * there and `dashboard` measures the dashboard on it (instead of building it again for minutes).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the scenarios of one `npm run bench` share, and the options from the command line. */
interface ScenarioContext {
  /** A folder the scenarios of this invocation share. */
  dir: string;
  /** api_load: seconds of load per endpoint. */
  durationS?: number;
}

type Scenario = (context: ScenarioContext) => Promise<Record<string, unknown> | Record<string, unknown>[]>;

const historyDb = (context: ScenarioContext) => path.join(context.dir, 'history-year.db');

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
    return run && ((context) => run({ keepDatabaseAt: historyDb(context) }));
  },
  dashboard: () => {
    const run = optional('./dashboard', 'runDashboardScenario');
    return run && ((context) => run({ historyDb: historyDb(context) }));
  },
  api_load: () => {
    const run = optional('./api-load', 'runApiLoadScenario');
    return run && ((context) => run({ durationS: context.durationS }));
  },
  org_scan: () => {
    const run = optional('./org-scan', 'runOrgScanScenario');
    return run && (() => run({}));
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each scenario has its own options
function optional(module: string, name: string): ((options: any) => Promise<Record<string, unknown> | Record<string, unknown>[]>) | null {
  try {
    return require(module)[name] ?? null;
  } catch {
    return null;
  }
}

/** The command line's options; an unknown one is refused before any scenario starts. */
function parseFlags(flags: readonly string[]): Pick<ScenarioContext, 'durationS'> {
  const options: Pick<ScenarioContext, 'durationS'> = {};
  for (const flag of flags) {
    const m = /^--load-seconds=(\d+)$/.exec(flag);
    if (m && Number(m[1]) > 0) options.durationS = Number(m[1]);
    else throw new Error(`unknown option ${flag}; known: --load-seconds=N`);
  }
  return options;
}

async function runOne(name: string, context: ScenarioContext): Promise<void> {
  const scenario = SCENARIOS[name]?.();
  if (!scenario) {
    process.stdout.write(JSON.stringify({ scenario: name, error: 'scenario not available in this build' }) + '\n');
    return;
  }
  const result = await scenario(context);
  for (const line of Array.isArray(result) ? result : [result]) {
    process.stdout.write(JSON.stringify({ ...line, node_heap_cap_mb: HEAP_CAP_MB }) + '\n');
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    await runOne(argv[1]!, { dir: argv[2]!, ...parseFlags(argv.slice(3)) });
    return;
  }
  const flags = argv.filter((a) => a.startsWith('--'));
  parseFlags(flags);
  const given = argv.filter((a) => !a.startsWith('--'));
  const names = given.length > 0 ? given : Object.keys(SCENARIOS);
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  let failed = false;
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-bench-shared-'));
  process.on('exit', () => fs.rmSync(shared, { recursive: true, force: true }));
  for (const name of names) {
    const code = await new Promise<number>((resolve) => {
      // Each scenario in a fresh process with the heap capped as we recommend for deployment
      // (NODE_OPTIONS in k8s/deployment.yaml): peak RSS then measures what keywatch keeps, not
      // garbage V8 has not bothered to collect yet.
      const child = fork(__filename, ['--child', name, shared, ...flags], { stdio: 'inherit', execArgv: [`--max-old-space-size=${HEAP_CAP_MB}`] });
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
