/**
 * One finding's history: every state interval (severity + durable evidence, the runs that saw it
 * first and last, what ended it) and the events first_seen / changed / resolved / reopened.
 *
 * Intervals record the run that ended them (ended_by_run_id, ended_at, end_reason) when they close,
 * so a timeline never depends on runs that retention deleted. Intervals closed before that was
 * recorded fall back to "the first succeeded run after to_run" (still in the runs table).
 */
import type { Store } from '../store';
import type { EvidenceMap, Finding } from '../store/findings-repository';

export interface TimelineState {
  intervalId: number;
  severity: string;
  evidence: EvidenceMap;
  fromRunId: number;
  fromAt: number;
  /** The last run that saw this state; null while it lasts. */
  toRunId: number | null;
  toAt: number | null;
  endedBy: 'changed' | 'resolved' | null;
  endedByRunId: number | null;
  endedAt: number | null;
}

export type TimelineEventType = 'first_seen' | 'changed' | 'resolved' | 'reopened';

export interface TimelineEvent {
  type: TimelineEventType;
  runId: number;
  at: number;
  /** The severity from then on (first_seen, changed, reopened). */
  severity?: string;
  /** changed: the severity before. */
  previousSeverity?: string;
}

export interface FindingTimeline {
  finding: Finding;
  states: TimelineState[];
  events: TimelineEvent[];
}

export function findingTimeline(store: Store, id: number, now: number): FindingTimeline | null {
  const finding = store.findings.get(id, now);
  if (!finding) return null;
  const intervals = store.findings.intervalsOf(id);
  const states: TimelineState[] = intervals.map((s, i) => {
    const base = {
      intervalId: s.id,
      severity: s.severity,
      evidence: s.durable,
      fromRunId: s.fromRunId,
      fromAt: s.fromAt,
      toRunId: s.toRunId,
      toAt: s.toAt,
    };
    if (s.toRunId === null) return { ...base, endedBy: null, endedByRunId: null, endedAt: null };
    if (s.endReason !== null) return { ...base, endedBy: s.endReason, endedByRunId: s.endedByRunId, endedAt: s.endedAt };
    // Closed before end runs were recorded: the first succeeded run after the last one that saw it ended it.
    const next = store.runs.nextSucceededAfter(finding.target, s.toRunId);
    const following = intervals[i + 1];
    const changed = next !== null && following !== undefined && following.fromRunId === next.id;
    return {
      ...base,
      endedBy: changed ? 'changed' : 'resolved',
      endedByRunId: next?.id ?? null,
      endedAt: next ? (next.finishedAt ?? next.startedAt) : null,
    };
  });

  const events: TimelineEvent[] = [];
  states.forEach((s, i) => {
    if (i === 0) {
      events.push({ type: 'first_seen', runId: s.fromRunId, at: s.fromAt, severity: s.severity });
    } else {
      const previous = states[i - 1]!;
      if (previous.endedBy === 'changed') {
        events.push({ type: 'changed', runId: s.fromRunId, at: s.fromAt, severity: s.severity, previousSeverity: previous.severity });
      } else {
        events.push({ type: 'reopened', runId: s.fromRunId, at: s.fromAt, severity: s.severity });
      }
    }
    if (s.endedBy === 'resolved' && s.endedByRunId !== null && s.endedAt !== null) {
      events.push({ type: 'resolved', runId: s.endedByRunId, at: s.endedAt });
    }
  });
  return { finding, states, events };
}
