/**
 * root_hardware_mfa — the root user's MFA is a virtual device (an authenticator app), not hardware.
 *
 * Boundaries: fails when root.mfaEnabled and root.virtualMfaSerial is a serial (ListVirtualMFADevices
 * lists a device assigned to root). Root without MFA passes here (root_mfa_disabled reports it, as
 * critical); root with MFA and no virtual device (null) has hardware MFA and passes. Root or its MFA
 * device type not collected (undefined): no finding.
 *
 * Durable evidence: mfa_enabled, mfa_type ("virtual"), virtual_mfa_serial.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { ROOT_USER_NAME, rootArn, severitySetting, type SettingSpecs } from './common';

const SETTINGS = {
  severity: { type: 'severity', default: 'medium', description: 'Severity of root MFA on a virtual device.' },
} satisfies SettingSpecs;

export const rootHardwareMfa: CheckDefinition = {
  id: 'root_hardware_mfa',
  title: 'The root user has a hardware MFA device',
  severity: 'medium',
  resourceType: 'root',
  risk:
    'A virtual MFA device is an app on a phone: the phone gets replaced, backed up to the cloud, lost or shared, ' +
    'and the root account\'s second factor goes with it. A hardware device (FIDO security key or hardware TOTP ' +
    'token) stays in a safe.',
  remediation:
    'Sign in as the root user, open Security credentials → Multi-factor authentication (MFA), assign a FIDO security ' +
    'key or hardware TOTP token, then remove the virtual device. Keep the hardware device with the break-glass procedure.',
  references: ['CIS AWS Foundations Benchmark v3.0.0 1.6', 'AWS Security Hub IAM.6'],
  needs: ['root_account', 'root_virtual_mfa'],
  settings: SETTINGS,
  weighedByPrivilege: false,
  enabledByDefault: true,
  evaluate(snapshot, settings): FindingDraft[] {
    const root = snapshot.root;
    if (!root || !root.mfaEnabled || typeof root.virtualMfaSerial !== 'string') return [];
    return [
      {
        checkId: rootHardwareMfa.id,
        severity: severitySetting(SETTINGS, settings, 'severity'),
        resourceType: 'root',
        resourceId: 'root',
        userName: ROOT_USER_NAME,
        userArn: rootArn(snapshot),
        message:
          `The root user of account ${snapshot.accountId} uses a virtual MFA device (${root.virtualMfaSerial}). ` +
          'Assign a hardware MFA device (FIDO security key or hardware token) and remove the virtual one.',
        evidence: { durable: { mfa_enabled: true, mfa_type: 'virtual', virtual_mfa_serial: root.virtualMfaSerial }, volatile: {} },
      },
    ];
  },
};
