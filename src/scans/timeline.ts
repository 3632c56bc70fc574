/**
 * One finding's history: every state interval (severity + durable evidence, the runs that saw it
 * first and last, what ended it) and the events first_seen / changed / resolved / reopened.
 *
 * Intervals record the run that ended them (ended_by_run_id, ended_at, end_reason) when they close,
 * so a timeline never depends on runs that retention deleted.
 */
import type { Store } from '../store';
import type { EndReason, EvidenceMap, Finding, TimelineEventType } from '../domain/findings';

export interface TimelineState {
  intervalId: number;
  severity: string;
  evidence: EvidenceMap;
  fromRunId: number;
  fromAt: number;
  /** The last run that saw this state; null while it lasts. */
  toRunId: number | null;
  toAt: number | null;
  endedBy: EndReason | null;
  endedByRunId: number | null;
  endedAt: number | null;
}

export type { TimelineEventType };

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
  const states: TimelineState[] = intervals.map((s) => ({
    intervalId: s.id,
    severity: s.severity,
    evidence: s.durable,
    fromRunId: s.fromRunId,
    fromAt: s.fromAt,
    toRunId: s.toRunId,
    toAt: s.toAt,
    endedBy: s.endReason,
    endedByRunId: s.endedByRunId,
    endedAt: s.endedAt,
  }));

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
