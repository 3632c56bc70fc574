/**
 * Date arithmetic shared by the checks. Time limits mean elapsed time:
 *   "older than N days"  ⇔  now − date > N × 24 h    (olderThanDays)
 *   "within N days"      ⇔  now − date ≤ N × 24 h    (withinDays)
 * so a key 90 days and 17 hours old is past a 90-day limit, exactly 90 × 24 h old is not, and
 * peers that compare elapsed time (Trusted Advisor, Prowler) agree with keywatch at the boundary.
 * Whole days (ageInDays) are only for the messages people read.
 */

export const DAY_MS = 86_400_000;

/** True when more than `days` × 24 h have elapsed from `date` to `now`. */
export function olderThanDays(date: Date, now: Date, days: number): boolean {
  return now.getTime() - date.getTime() > days * DAY_MS;
}

/** True when at most `days` × 24 h have elapsed from `date` to `now` (a date in the future counts). */
export function withinDays(date: Date, now: Date, days: number): boolean {
  return now.getTime() - date.getTime() <= days * DAY_MS;
}

/** Whole days elapsed from `date` to `now`, rounded down (negative if `date` is in the future): for messages. */
export function ageInDays(date: Date, now: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / DAY_MS);
}

/**
 * An elapsed time past a limit, for a message: "120 days", or "more than 90 days" while the whole
 * days still equal the limit (90 days and 17 hours past a 90-day limit).
 */
export function elapsedPast(date: Date, now: Date, limitDays: number): string {
  const age = ageInDays(date, now);
  return age > limitDays ? `${age} ${age === 1 ? 'day' : 'days'}` : `more than ${limitDays} ${limitDays === 1 ? 'day' : 'days'}`;
}

/**
 * ISO-8601 string for evidence (`2025-01-31T12:00:00.000Z`), to the whole second: IAM's APIs and
 * its credential report give whole seconds, so evidence from either source compares equal and a
 * switch of source never makes a finding look "changed".
 */
export function iso(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
}

/** ISO string, or null for "never" / "none"; undefined stays undefined (not collected). */
export function isoOrNull(date: Date | null | undefined): string | null | undefined {
  if (date === undefined) return undefined;
  return date === null ? null : iso(date);
}
