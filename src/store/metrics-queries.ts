/**
 * Read-only aggregates for the Prometheus metrics, computed at scrape time. Cheap: without active
 * suppressions one indexed GROUP BY; with some, one pass over the open findings (a few thousand
 * rows) matched by the same rules the API uses.
 */
import { count, eq, max } from 'drizzle-orm';
import type { DatabaseHandle } from './db';
import { findings, scanRuns, suppressions } from './schema';
import { activeAt } from './suppressions-sql';
import { guardRepository } from './errors';
import { compileMatcher } from '../domain/suppressions';

export interface OpenFindingsCount {
  target: string;
  severity: string;
  checkId: string;
  /** true: accepted risk, left out of the API's open counts by default. */
  suppressed: boolean;
  count: number;
}

export interface LastSucceededScan {
  target: string;
  /** finished_at of the latest succeeded run (ms since epoch). */
  finishedAt: number;
}

export function makeMetricsQueries(handle: DatabaseHandle) {
  const { db } = handle;
  return guardRepository({
    /** Open findings grouped by target, severity, check and whether a suppression applies at `now`. */
    openFindingsBySeverityAndCheck(now: number = Date.now()): OpenFindingsCount[] {
      const rules = db
        .select()
        .from(suppressions)
        .where(activeAt(now))
        .all();
      if (rules.length === 0) {
        return db
          .select({ target: findings.target, severity: findings.severity, checkId: findings.checkId, count: count() })
          .from(findings)
          .where(eq(findings.status, 'open'))
          .groupBy(findings.target, findings.severity, findings.checkId)
          .all()
          .map((r) => ({ ...r, suppressed: false }));
      }
      const matchers = new Map<string, ReturnType<typeof compileMatcher>>();
      const matcherFor = (target: string) => {
        let m = matchers.get(target);
        if (!m) {
          m = compileMatcher(rules.filter((r) => r.target === target || r.target === null), now);
          matchers.set(target, m);
        }
        return m;
      };
      const groups = new Map<string, OpenFindingsCount>();
      const open = db
        .select({ id: findings.id, target: findings.target, severity: findings.severity, checkId: findings.checkId, userName: findings.userName })
        .from(findings)
        .where(eq(findings.status, 'open'))
        .all();
      for (const f of open) {
        const suppressed = matcherFor(f.target).match(f) !== null;
        const key = JSON.stringify([f.target, f.severity, f.checkId, suppressed]);
        const g = groups.get(key);
        if (g) g.count++;
        else groups.set(key, { target: f.target, severity: f.severity, checkId: f.checkId, suppressed, count: 1 });
      }
      return [...groups.values()];
    },

    /** The finish time of the latest succeeded run of every target that has one. */
    lastSucceededScanByTarget(): LastSucceededScan[] {
      return db
        .select({ target: scanRuns.target, finishedAt: max(scanRuns.finishedAt) })
        .from(scanRuns)
        .where(eq(scanRuns.status, 'succeeded'))
        .groupBy(scanRuns.target)
        .all()
        .filter((r): r is LastSucceededScan => r.finishedAt !== null);
    },
  }, handle.path);
}

export type MetricsQueries = ReturnType<typeof makeMetricsQueries>;
