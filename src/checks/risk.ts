/**
 * Privilege-aware severity, applied once to the findings of all checks (evaluate.ts), never inside
 * a check.
 *
 * - Every finding about a user gets that user's privilege class (FindingDraft.privilege); null for
 *   root and account findings, when the authorization details were not collected, or when the user
 *   is not in them. Nothing is guessed.
 * - With escalation on (KEYWATCH_RISK_ESCALATION, default true), a finding of a check that is
 *   weighedByPrivilege (about a user's keys, password, SSH keys, certificates or service
 *   credentials) on an `admin` or `privilege_escalation` user is raised one severity level
 *   (critical stays critical). Its durable evidence says why — privilege, privilege_reason,
 *   base_severity — so a user gaining or losing admin opens a new interval: the finding shows as
 *   `changed` in diffs, with the reason. Off: severities and evidence are the checks' own.
 * - Root and account findings are never raised.
 */
import type { PrivilegeClass } from '../domain/privilege';
import type { UserPrivilege } from './privilege';
import { type CheckDefinition, type FindingDraft } from './types';
import { SEVERITIES, type Severity } from '../domain/severity';

/** One level up; critical stays critical. */
export function raiseSeverity(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)]!;
}

const DESCRIBED: Record<Exclude<PrivilegeClass, 'standard'>, string> = {
  admin: 'an admin',
  privilege_escalation: 'able to escalate privileges',
};

/**
 * The finding with its privilege class, and raised when `escalate` and the check is weighed by
 * privilege. `privileges` undefined = authorization details not collected.
 */
export function weighFinding(
  finding: FindingDraft,
  check: Pick<CheckDefinition, 'weighedByPrivilege'>,
  privileges: ReadonlyMap<string, UserPrivilege> | undefined,
  escalate: boolean,
): FindingDraft {
  const aboutUser = finding.resourceType !== 'root' && finding.resourceType !== 'account' && finding.userArn !== null;
  const known = aboutUser && privileges ? privileges.get(finding.userArn!) : undefined;
  if (!known) return { ...finding, privilege: null };
  if (!escalate || !check.weighedByPrivilege || known.privilege === 'standard') return { ...finding, privilege: known.privilege };
  const raised = raiseSeverity(finding.severity);
  const change = raised === finding.severity ? `stays ${raised}` : `raised from ${finding.severity} to ${raised}`;
  return {
    ...finding,
    privilege: known.privilege,
    severity: raised,
    message: `${finding.message} Severity ${change}: ${finding.userName ?? 'the user'} is ${DESCRIBED[known.privilege]} (${known.reason}).`,
    evidence: {
      durable: {
        ...finding.evidence.durable,
        privilege: known.privilege,
        privilege_reason: known.reason,
        base_severity: finding.severity,
      },
      volatile: finding.evidence.volatile,
    },
  };
}
