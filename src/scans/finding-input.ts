/** A check's FindingDraft → the store's FindingInput. Shared by the run evaluation (run-evaluation.ts) and the benchmarks. */
import { type FindingDraft } from '../checks/types';
import { severityRank, type Severity } from '../domain/severity';
import type { FindingInput } from '../domain/findings';

export function toFindingInput(d: FindingDraft): FindingInput {
  return {
    checkId: d.checkId,
    severity: d.severity,
    severityRank: severityRank(d.severity),
    resourceType: d.resourceType,
    resourceId: d.resourceId,
    userName: d.userName,
    userArn: d.userArn,
    message: d.message,
    durable: d.evidence.durable,
    volatile: d.evidence.volatile,
    privilege: d.privilege ?? null,
  };
}

export function countBySeverity(findings: FindingDraft[]): Record<Severity, number> {
  const out: Record<Severity, number> = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}
