/**
 * Scan runs: what one scan of one target did. A run is `queued` (waiting for a scan slot, its
 * target already reserved), then `running`, then `succeeded`, `failed` (with an error a person can
 * act on) or `interrupted` (the process stopped or died while it waited or ran).
 */
import type { ScanSource } from './snapshot';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run that has not ended: it holds its target's scan lease. */
export const UNFINISHED_RUN_STATUSES = ['queued', 'running'] as const satisfies readonly RunStatus[];
export const isUnfinished = (status: RunStatus): boolean => (UNFINISHED_RUN_STATUSES as readonly string[]).includes(status);

/** What started a run: the REST API, the schedule, the CLI, the v1 compatibility endpoints, the demo. */
export const RUN_TRIGGERS = ['api', 'schedule', 'cli', 'v1', 'demo'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export interface RunStats {
  api_calls: number;
  throttled: number;
  retries: number;
  duration_ms: number;
  users?: number;
  access_keys?: number;
  findings?: number;
  findings_by_severity?: Record<string, number>;
  [key: string]: unknown;
}

/** A check the run's source could not evaluate, and why (never reported as passing). */
export interface SkippedCheck {
  checkId: string;
  reason: string;
}

export interface ScanRun {
  id: number;
  target: string;
  accountId: string | null;
  /** The account's name in the organization when the run was made (discovered targets); null otherwise. */
  accountName: string | null;
  source: ScanSource;
  trigger: RunTrigger;
  status: RunStatus;
  startedAt: number;
  finishedAt: number | null;
  errorCode: string | null;
  error: string | null;
  settings: Record<string, unknown>;
  stats: RunStats;
  skippedChecks: SkippedCheck[];
  reportGeneratedAt: number | null;
  /** The last moment the run was known alive (its start, then each heartbeat while it scans). */
  heartbeatAt: number | null;
}
