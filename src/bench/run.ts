/**
 * `npm run bench`: runs every scenario, each in its own process (so peak RSS is per scenario), and
 * prints one JSON object per scenario on its own line. `node dist/bench/run.js live_scan` runs one.
 */
import { fork } from 'node:child_process';

type Scenario = () => Promise<Record<string, unknown>>;

export const HEAP_CAP_MB = 192;

const SCENARIOS: Record<string, () => Scenario | null> = {
  live_scan: () => require('./live-scan').runLiveScanScenario,
  report_scan: () => optional('./report-scan', 'runReportScanScenario'),
  history_year: () => optional('./history-year', 'runHistoryYearScenario'),
  org_scan: () => optional('./org-scan', 'runOrgScanScenario'),
};

function optional(module: string, name: string): Scenario | null {
  try {
    return require(module)[name] ?? null;
  } catch {
    return null;
  }
}

async function runOne(name: string): Promise<void> {
  const scenario = SCENARIOS[name]?.();
  if (!scenario) {
    process.stdout.write(JSON.stringify({ scenario: name, error: 'scenario not available in this build' }) + '\n');
    return;
  }
  const result = await scenario();
  process.stdout.write(JSON.stringify({ ...result, node_heap_cap_mb: HEAP_CAP_MB }) + '\n');
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    await runOne(argv[1]);
    return;
  }
  const names = argv.length > 0 ? argv : Object.keys(SCENARIOS);
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  let failed = false;
  for (const name of names) {
    const code = await new Promise<number>((resolve) => {
      // Each scenario in a fresh process with the heap capped as we recommend for deployment
      // (NODE_OPTIONS in k8s/deployment.yaml): peak RSS then measures what keywatch keeps, not
      // garbage V8 has not bothered to collect yet.
      const child = fork(__filename, ['--child', name], { stdio: 'inherit', execArgv: [`--max-old-space-size=${HEAP_CAP_MB}`] });
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
