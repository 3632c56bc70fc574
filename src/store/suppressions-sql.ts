/**
 * The SQL forms of the domain's suppression rules (src/domain/suppressions.ts, src/domain/findings.ts),
 * written once for every query that needs them.
 */
import { and, eq, gt, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SuppressedFilter } from '../domain/findings';
import type { SuppressionState } from '../domain/suppressions';
import { findings, suppressions } from './schema';

/** isActiveAt in SQL: the suppression has not expired at `now` (no expiry, or now < expires_at). */
export const activeAt = (now: number): SQL => or(isNull(suppressions.expiresAt), gt(suppressions.expiresAt, now)) as SQL;

/** Suppressions that apply to a target: its own and those for every target (target NULL). */
export const appliesTo = (target: string): SQL => or(eq(suppressions.target, target), isNull(suppressions.target)) as SQL;

/** Suppressions in a state at `now` (undefined: every suppression). */
export function suppressionState(state: SuppressionState, now: number): SQL | undefined {
  if (state === 'active') return activeAt(now);
  if (state === 'expired') return and(isNotNull(suppressions.expiresAt), lte(suppressions.expiresAt, now)) as SQL;
  return undefined;
}

/**
 * keepsSuppressed in SQL over findings, given the ids of the findings a suppression covers now:
 * `include` keeps every row (no clause), `only` the covered ones, `exclude` the others.
 */
export function suppressedFilter(filter: SuppressedFilter, coveredIds: readonly number[]): SQL | undefined {
  if (filter === 'include') return undefined;
  const ids = JSON.stringify(coveredIds);
  return filter === 'only'
    ? sql`${findings.id} IN (SELECT value FROM json_each(${ids}))`
    : sql`${findings.id} NOT IN (SELECT value FROM json_each(${ids}))`;
}
