/**
 * root_mfa_disabled — MFA is not enabled for the root user.
 *
 * Boundaries: fails when root.mfaEnabled is false. Root not collected (undefined): no finding.
 *
 * Durable evidence: mfa_enabled.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { ROOT_USER_NAME, rootArn, severitySetting, type SettingSpecs } from './common';

const SETTINGS = {
  severity: { type: 'severity', default: 'critical', description: 'Severity of root without MFA.' },
} satisfies SettingSpecs;

export const rootMfaDisabled: CheckDefinition = {
  id: 'root_mfa_disabled',
  title: 'The root user has MFA enabled',
  severity: 'critical',
  resourceType: 'root',
  risk:
    'Without MFA, the root password (or a password reset through the root e-mail) is enough to take over the ' +
    'entire account, including billing and the ability to close it.',
  remediation:
    'Sign in as the root user, open Security credentials → Multi-factor authentication (MFA) → Assign MFA device, ' +
    'and register a hardware key or authenticator app; store recovery details with the break-glass procedure.',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.5', 'AWS Security Hub IAM.9'],
  needs: ['root_account'],
  settings: SETTINGS,
  weighedByPrivilege: false,
  enabledByDefault: true,
  evaluate(snapshot, settings): FindingDraft[] {
    const root = snapshot.root;
    if (!root || root.mfaEnabled) return [];
    return [
      {
        checkId: rootMfaDisabled.id,
        severity: severitySetting(SETTINGS, settings, 'severity'),
        resourceType: 'root',
        resourceId: 'root',
        userName: ROOT_USER_NAME,
        userArn: rootArn(snapshot),
        message:
          `The root user of account ${snapshot.accountId} has no MFA. Sign in as root and assign an MFA device ` +
          '(Security credentials → Multi-factor authentication).',
        evidence: { durable: { mfa_enabled: false }, volatile: {} },
      },
    ];
  },
};
