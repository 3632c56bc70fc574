import type { PrivilegeClass } from './privilege';

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

/** A finding as it is now: its identity, latest state and evidence, and where its history begins and ends. */
export interface Finding {
  id: number;
  target: string;
  /** The AWS account of the target when the finding was last seen. */
  accountId: string | null;
  checkId: string;
  severity: string;
  severityRank: number;
  message: string;
  resourceType: string;
  resourceId: string;
  userName: string | null;
  userArn: string | null;
  durable: EvidenceMap;
  volatile: EvidenceMap;
  /** The user's privilege class as the latest run saw it; null when unknown or not about a user. */
  privilege: PrivilegeClass | null;
  status: FindingStatus;
  firstSeenRunId: number;
  firstSeenAt: number;
  lastSeenRunId: number;
  lastSeenAt: number;
  resolvedRunId: number | null;
  resolvedAt: number | null;
  /** The suppression that applies now (evaluated at read time against the clock), or null. */
  suppressionId: number | null;
}

/** What ended a state interval: another state of the same finding, or the finding went away. */
export const END_REASONS = ['changed', 'resolved'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** What happened to a finding in a run (its timeline). */
export const TIMELINE_EVENT_TYPES = ['first_seen', 'changed', 'resolved', 'reopened'] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

/** What a diff of two runs lists: findings new in the run, resolved since the base, changed between them. */
export const DIFF_CATEGORIES = ['new', 'resolved', 'changed'] as const;
export type DiffCategory = (typeof DIFF_CATEGORIES)[number];

/** Sort direction of lists. */
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** One state of a finding: a severity and durable evidence, from the run that first saw it to the last. */
export interface FindingInterval {
  id: number;
  findingId: number;
  severity: string;
  durable: EvidenceMap;
  fromRunId: number;
  fromAt: number;
  toRunId: number | null;
  toAt: number | null;
  /** The run that ended this state and why (null while open). */
  endedByRunId: number | null;
  endedAt: number | null;
  endReason: EndReason | null;
}

/** What a finding looked like in one run (a diff's before/after, a run view), with the finding's identity. */
export interface FindingStateView {
  findingId: number;
  checkId: string;
  resourceType: string;
  resourceId: string;
  userName: string | null;
  severity: string;
  /** stableJson of the durable evidence: compare as strings, or write into JSON as is. */
  durableJson: string;
  /** The durable evidence, parsed on first use. */
  readonly durable: EvidenceMap;
}

/** A finding as a check produced it in one run, ready to be recorded. */
export interface FindingInput {
  checkId: string;
  severity: string;
  severityRank: number;
  resourceType: string;
  resourceId: string;
  userName: string | null;
  userArn: string | null;
  message: string;
  durable: EvidenceMap;
  volatile: EvidenceMap;
  /** The user's privilege class when the run knew it (evidence of the risk weighting); null otherwise. */
  privilege?: PrivilegeClass | null;
}
