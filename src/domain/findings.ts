/**
 * Findings: what a check reported about one resource, and the vocabulary to list and filter them.
 * A finding's identity is target + check + resource (the AccessKeyId, the user ARN, …; never a key
 * slot); its state is its severity and durable evidence, kept as intervals of runs.
 */

/** What a finding is about; its resource id is the id of that thing. */
export const RESOURCE_TYPES = [
  'access_key',
  'ssh_key',
  'signing_certificate',
  'service_credential',
  'user',
  'root',
  'account',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const FINDING_STATUSES = ['open', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Sort keys of finding lists; ties are broken by id. */
export const FINDING_SORTS = ['severity', 'first_seen', 'last_seen', 'check', 'user'] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

/**
 * What a list, diff, trend or count does with suppressed findings: `exclude` leaves them out (the
 * default everywhere), `include` keeps them (flagged), `only` keeps only them.
 */
export const SUPPRESSED_FILTERS = ['exclude', 'include', 'only'] as const;
export type SuppressedFilter = (typeof SUPPRESSED_FILTERS)[number];

/** The one suppression filter: whether a finding that is (or is not) suppressed is kept. */
export function keepsSuppressed(filter: SuppressedFilter, suppressed: boolean): boolean {
  return filter === 'include' || (filter === 'only') === suppressed;
}

/**
 * The same filter over counts that were taken with and without the suppressed findings: what a
 * trend point or a run's totals report in each mode.
 */
export function countForFilter(filter: SuppressedFilter, counts: { all: number; unsuppressed: number }): number {
  return filter === 'include' ? counts.all : filter === 'exclude' ? counts.unsuppressed : counts.all - counts.unsuppressed;
}

/** Evidence values: what a check records about a resource (durable: the state; volatile: last use). */
export type EvidenceMap = Record<string, string | number | boolean | null>;

/** Stable JSON (sorted keys) so that equal evidence always compares equal. */
export const stableJson = (value: EvidenceMap): string =>
  JSON.stringify(Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])));

/**
 * Whether a finding's state differs between two observations: another severity or other durable
 * evidence (compared as stable JSON). Volatile evidence (last use) never changes the state. The
 * history writer opens a new interval exactly when this is true, and a diff calls a finding
 * `changed` by the same rule.
 */
export function stateChanged(a: { severity: string; durableJson: string }, b: { severity: string; durableJson: string }): boolean {
  return a.severity !== b.severity || a.durableJson !== b.durableJson;
}
