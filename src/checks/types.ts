import type { DataNeed, IamSnapshot, ScanSource } from '../domain/snapshot';
import type { ResourceType } from '../domain/findings';
import type { PrivilegeClass } from '../domain/privilege';
import type { Severity } from '../domain/severity';


/** A scalar setting value. Lists (canary key ids) are comma-separated strings in env, arrays here. */
export type SettingValue = number | boolean | string | string[];

export interface SettingSpec {
  type: 'integer' | 'boolean' | 'string' | 'string_list' | 'severity';
  default: SettingValue;
  description: string;
  /** inclusive lower bound for integers */
  min?: number;
}

export type Settings = Record<string, SettingValue>;

/**
 * What a check reports about one resource. Evidence is split so history grows with change only:
 * - `durable` fields (status, creation date, limits) define the finding's state: a change opens a new interval;
 * - `volatile` fields (last-used date, region, service) update the latest evidence only.
 * Ages are derived from dates when shown, never stored.
 */
export interface FindingDraft {
  checkId: string;
  severity: Severity;
  resourceType: ResourceType;
  /**
   * The AccessKeyId for key findings, the SSHPublicKeyId / CertificateId / ServiceSpecificCredentialId
   * for those credentials, the user ARN for user findings, `root` / account id otherwise. Never a
   * key or certificate slot of the credential report.
   */
  resourceId: string;
  userName: string | null;
  userArn: string | null;
  /** A sentence a person can act on. */
  message: string;
  evidence: {
    durable: Record<string, string | number | boolean | null>;
    volatile: Record<string, string | number | boolean | null>;
  };
  /**
   * The privilege class of the finding's user (src/checks/privilege.ts), set by evaluateChecks after
   * the checks ran (checks leave it out): null when unknown — a root or account finding, the
   * authorization details were not collected, or the user is not in them. Set whether or not
   * severities are raised for privilege (KEYWATCH_RISK_ESCALATION), so findings can be filtered by it.
   */
  privilege?: PrivilegeClass | null;
}

export interface CheckDefinition {
  id: string;
  title: string;
  /** The default severity; some checks escalate (e.g. access_key_not_rotated goes high past 365 days). */
  severity: Severity;
  resourceType: ResourceType;
  risk: string;
  remediation: string;
  references: string[];
  /** Data this check reads from the snapshot; a source that cannot provide all of it skips the check. */
  needs: DataNeed[];
  settings: Record<string, SettingSpec>;
  /**
   * true when the check's findings are about a user's credentials (access keys, console password,
   * SSH keys, signing certificates, service-specific credentials): evaluateChecks raises them one
   * severity level for admin and privilege-escalation users (KEYWATCH_RISK_ESCALATION). false for
   * root and account checks, and for checks whose severity already reflects privilege
   * (user_admin_with_access_key).
   */
  weighedByPrivilege: boolean;
  /** false for checks that are off until configured (canary_key_used). */
  enabledByDefault: boolean;
  /**
   * For a check that is off by default: true when its settings configure it, which turns it on
   * unless KEYWATCH_CHECK_<ID>_ENABLED says otherwise (canary_key_used with canary key ids).
   */
  configuredBy?(settings: Settings): boolean;
  evaluate(snapshot: IamSnapshot, settings: Settings, now: Date): FindingDraft[];
}

export interface SkippedCheck {
  checkId: string;
  reason: string;
}

export type { IamSnapshot, ScanSource };
