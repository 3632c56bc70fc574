/**
 * The check catalog, in display order. Each check is a pure function over an IamSnapshot
 * (see types.ts); settings.ts resolves their settings from the environment and evaluate.ts runs them.
 */
import type { CheckDefinition } from './types';
import { accessKeyNotRotated } from './access_key_not_rotated';
import { accessKeyUnused } from './access_key_unused';
import { accessKeyInactiveLingering } from './access_key_inactive_lingering';
import { userMultipleActiveKeys } from './user_multiple_active_keys';
import { userConsoleWithoutMfa } from './user_console_without_mfa';
import { userPasswordUnused } from './user_password_unused';
import { userPasswordAndKeys } from './user_password_and_keys';
import { canaryKeyUsed } from './canary_key_used';
import { rootAccessKey } from './root_access_key';
import { rootMfaDisabled } from './root_mfa_disabled';
import { rootRecentlyUsed } from './root_recently_used';
import { passwordPolicyWeak } from './password_policy_weak';
import { userAdminWithAccessKey } from './user_admin_with_access_key';
import { userInactive } from './user_inactive';
import { sshKeyNotRotated } from './ssh_key_not_rotated';
import { signingCertificateActive } from './signing_certificate_active';
import { serviceCredentialNotRotated } from './service_credential_not_rotated';
import { rootHardwareMfa } from './root_hardware_mfa';

/** Access keys, then the user's other credentials, then tripwires, root and the account. */
export const CHECKS: readonly CheckDefinition[] = [
  accessKeyNotRotated,
  accessKeyUnused,
  accessKeyInactiveLingering,
  userMultipleActiveKeys,
  userAdminWithAccessKey,
  userConsoleWithoutMfa,
  userPasswordUnused,
  userPasswordAndKeys,
  userInactive,
  sshKeyNotRotated,
  signingCertificateActive,
  serviceCredentialNotRotated,
  canaryKeyUsed,
  rootAccessKey,
  rootMfaDisabled,
  rootHardwareMfa,
  rootRecentlyUsed,
  passwordPolicyWeak,
];

const BY_ID = new Map(CHECKS.map((c) => [c.id, c]));

/** The check with this id, or undefined. */
export function getCheck(id: string): CheckDefinition | undefined {
  return BY_ID.get(id);
}

/** What people read about a check: the one place a finding's title, remediation and references come from. */
export interface CheckText {
  title: string;
  remediation: string;
  references: readonly string[];
}

/**
 * The text of a check by id. A check that no longer exists in this version (its findings are still
 * in the history) reads as its id, with no remediation.
 */
export function checkText(checkId: string): CheckText {
  const check = BY_ID.get(checkId);
  return check
    ? { title: check.title, remediation: check.remediation, references: check.references }
    : { title: checkId, remediation: '', references: [] };
}
