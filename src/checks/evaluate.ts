/**
 * Runs the resolved checks over one snapshot.
 *
 * - Disabled checks are neither run nor reported as skipped.
 * - An enabled check whose `needs` the snapshot's source cannot provide (SOURCE_PROVIDES) is returned in
 *   `skipped` with a reason; it is never silently treated as passing.
 * - An enabled check whose data the source could provide but that this snapshot does not hold is skipped
 *   too: account-level data (root, password policy) that is undefined, or per-user / per-key data that is
 *   undefined for every user / key (partially missing data runs the check; entries without data produce
 *   no finding). The reason is the collector's where it gave one (snapshot.notCollectedReasons, e.g. a
 *   credential report without a `<root_account>` row).
 * - After the checks ran, every finding about a user gets the user's privilege class, and findings on
 *   the credentials of admin and privilege-escalation users are raised one severity level unless
 *   `riskEscalation` is false (risk.ts; classification in privilege.ts). Without authorization details
 *   (not collected) nothing is raised and every privilege is null.
 */
import { DATA_NEED_LABELS as NEED_LABELS, DATA_NEEDS, SOURCE_PROVIDES, type DataNeed, type IamSnapshot, type ScanSource } from '../domain/snapshot';
import type { FindingDraft, SkippedCheck } from './types';
import type { ResolvedCheck } from './settings';
import { classifyUsers } from './privilege';
import { weighFinding } from './risk';

export interface EvaluateOptions {
  /**
   * Raise findings on the credentials of admin and privilege-escalation users one severity level
   * (KEYWATCH_RISK_ESCALATION, config.riskEscalation). Default true.
   */
  riskEscalation?: boolean;
}

function sourcesProviding(need: DataNeed): ScanSource[] {
  return (Object.keys(SOURCE_PROVIDES) as ScanSource[]).filter((s) => SOURCE_PROVIDES[s].includes(need));
}

function sourceLabel(source: ScanSource): string {
  return source === 'credential_report' ? 'the credential report' : `the ${source} source`;
}

/** Why `source` cannot evaluate a check with these needs, or null when it can. */
function unsupportedReason(needs: readonly DataNeed[], source: ScanSource): string | null {
  const missing = needs.filter((n) => !SOURCE_PROVIDES[source].includes(n));
  if (missing.length === 0) return null;
  return missing
    .map((need) => {
      const providers = sourcesProviding(need);
      const where = providers.length === 0 ? 'not provided by any source' : `only in ${providers.map(sourceLabel).join(' or ')}`;
      return `${NEED_LABELS[need]} is ${where}; the ${source} source cannot evaluate it`;
    })
    .join('; ');
}

/** True when the snapshot holds the data for `need` (see module comment). */
function hasData(snapshot: IamSnapshot, need: DataNeed): boolean {
  const users = snapshot.users;
  const keys = users.flatMap((u) => u.accessKeys);
  switch (need) {
    case 'access_keys':
      return true;
    case 'key_last_used':
      return keys.length === 0 || keys.some((k) => k.lastUsedAt !== undefined);
    case 'login_profiles':
      return users.length === 0 || users.some((u) => u.loginProfile !== undefined);
    case 'mfa_devices':
      return users.length === 0 || users.some((u) => u.mfaDeviceCount !== undefined);
    case 'root_account':
      return snapshot.root !== undefined;
    case 'root_last_used':
      return (
        snapshot.root !== undefined &&
        (snapshot.root.passwordLastUsedAt !== undefined || snapshot.root.accessKeyLastUsedAt !== undefined)
      );
    case 'password_policy':
      return snapshot.passwordPolicy !== undefined;
    case 'ssh_keys':
      return users.length === 0 || users.some((u) => u.sshPublicKeys !== undefined);
    case 'signing_certificates':
      return users.length === 0 || users.some((u) => u.signingCertificates !== undefined);
    case 'service_credentials':
      return users.length === 0 || users.some((u) => u.serviceCredentials !== undefined);
    case 'root_virtual_mfa':
      return snapshot.root?.virtualMfaSerial !== undefined;
    case 'authorization_details':
      return snapshot.authorizationDetails !== undefined;
  }
}

/**
 * Why the data a check needs is absent: the collector's own sentence where it gave one
 * (snapshot.notCollectedReasons: a credential report without a root row), else "… was not collected".
 */
function absentReason(snapshot: IamSnapshot, absent: readonly DataNeed[]): string {
  const explained = [...new Set(absent.map((n) => snapshot.notCollectedReasons?.[n]).filter((r): r is string => r !== undefined))];
  const unexplained = absent.filter((n) => snapshot.notCollectedReasons?.[n] === undefined);
  const parts = [...explained];
  if (unexplained.length > 0) {
    parts.unshift(`${unexplained.map((n) => NEED_LABELS[n]).join(' and ')} ${unexplained.length === 1 ? 'was' : 'were'} not collected in this snapshot`);
  }
  return parts.join('; ');
}

export function evaluateChecks(
  snapshot: IamSnapshot,
  resolved: readonly ResolvedCheck[],
  now: Date,
  options: EvaluateOptions = {},
): { findings: FindingDraft[]; skipped: SkippedCheck[] } {
  const escalate = options.riskEscalation ?? true;
  const privileges = snapshot.authorizationDetails ? classifyUsers(snapshot.authorizationDetails) : undefined;
  const findings: FindingDraft[] = [];
  const skipped: SkippedCheck[] = [];
  for (const { check, enabled, settings } of resolved) {
    if (!enabled) continue;
    const unsupported = unsupportedReason(check.needs, snapshot.source);
    if (unsupported) {
      skipped.push({ checkId: check.id, reason: unsupported });
      continue;
    }
    const absent = check.needs.filter((n) => !hasData(snapshot, n));
    if (absent.length > 0) {
      skipped.push({ checkId: check.id, reason: absentReason(snapshot, absent) });
      continue;
    }
    findings.push(...check.evaluate(snapshot, settings, now).map((f) => weighFinding(f, check, privileges, escalate)));
  }
  return { findings, skipped };
}

/**
 * The data to collect for `source`: the union of needs of enabled checks that the source can evaluate,
 * plus the authorization details when severities are raised for privilege (riskEscalation, default
 * true) and an enabled check's findings are weighed by it.
 */
export function neededData(resolved: readonly ResolvedCheck[], source: ScanSource, options: EvaluateOptions = {}): DataNeed[] {
  const needed = new Set<DataNeed>();
  for (const { check, enabled } of resolved) {
    if (!enabled || unsupportedReason(check.needs, source)) continue;
    for (const n of check.needs) needed.add(n);
    if ((options.riskEscalation ?? true) && check.weighedByPrivilege && SOURCE_PROVIDES[source].includes('authorization_details')) {
      needed.add('authorization_details');
    }
  }
  return DATA_NEEDS.filter((n) => needed.has(n));
}
