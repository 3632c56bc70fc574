/**
 * Date arithmetic shared by the checks. All checks measure time the same way:
 * age in days = floor((now − date) / 86,400,000), i.e. whole elapsed days, rounded down.
 * A key created 90 days and 23 hours ago is 90 days old.
 */

export const DAY_MS = 86_400_000;

/** Whole days elapsed from `date` to `now`, rounded down (negative if `date` is in the future). */
export function ageInDays(date: Date, now: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / DAY_MS);
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
