/**
 * The organization at a glance (GET /api/targets, `keywatch targets`): every target with its latest
 * run, its open findings by severity and its next scheduled scan, the totals over every target, and
 * how the last organization discovery went.
 *
 * Three reads whatever the number of targets: the targets, the latest run of each (one query), and
 * the open findings no suppression covers, counted per target and severity (one grouped query).
 */
import { SEVERITIES, type Severity } from '../domain/severity';
import type { ScanRun } from '../domain/runs';
import type { Target } from '../domain/targets';
import type { Store } from '../store';
import type { DiscoveryStatus, TargetRegistry } from './targets';

export type SeverityCounts = Record<Severity, number> & { total: number };

export interface TargetOverview {
  target: Target;
  lastRun: ScanRun | null;
  /** Open findings that no suppression covers now, by severity. */
  openFindings: SeverityCounts;
  /** The next scheduled scan (active targets, with a schedule); null otherwise. */
  nextScanAt: Date | null;
}

export interface TargetsOverview {
  targets: TargetOverview[];
  /** Over every target (active or not): the total of GET /api/findings (open, suppressed left out). */
  totals: SeverityCounts;
  discovery: { enabled: boolean; last: DiscoveryStatus | null };
}

const noFindings = (): SeverityCounts => ({ ...(Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>), total: 0 });

export function targetsOverview(
  store: Store,
  registry: TargetRegistry,
  options: { nextScheduledScan: () => Date | null; now: number },
): TargetsOverview {
  const targets = registry.list();
  const lastRuns = store.runs.latestByTarget();
  const counts = new Map<string, SeverityCounts>();
  const totals = noFindings();
  for (const row of store.findings.openUnsuppressedCounts(options.now)) {
    let c = counts.get(row.target);
    if (!c) counts.set(row.target, (c = noFindings()));
    const severity = row.severity as Severity;
    c[severity] += row.count;
    c.total += row.count;
    totals[severity] += row.count;
    totals.total += row.count;
  }
  const next = options.nextScheduledScan();
  return {
    targets: targets.map((target) => ({
      target,
      lastRun: lastRuns.get(target.name) ?? null,
      openFindings: counts.get(target.name) ?? noFindings(),
      nextScanAt: target.active ? next : null,
    })),
    totals,
    discovery: { enabled: registry.discovers, last: registry.lastDiscovery },
  };
}
