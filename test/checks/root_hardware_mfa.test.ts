import { rootHardwareMfa as check } from '../../src/checks/root_hardware_mfa';
import { defaultSettings } from '../../src/checks/settings';
import { ACCOUNT_ID, NOW, ROOT_VIRTUAL_MFA_SERIAL, aRoot, aSnapshot } from '../factories/snapshot';

const run = (root: ReturnType<typeof aRoot> | undefined, settings = defaultSettings(check)) => check.evaluate(aSnapshot({ root }), settings, NOW);

describe('root_hardware_mfa', () => {
  it('when root MFA is on and no virtual device is assigned to root, then it passes (hardware MFA)', () => {
    expect(run(aRoot({ mfaEnabled: true, virtualMfaSerial: null }))).toEqual([]);
  });

  it('when root MFA is on a virtual device, then it fails as medium on the root resource with the serial', () => {
    expect(run(aRoot({ mfaEnabled: true, virtualMfaSerial: ROOT_VIRTUAL_MFA_SERIAL }))).toEqual([
      {
        checkId: 'root_hardware_mfa',
        severity: 'medium',
        resourceType: 'root',
        resourceId: 'root',
        userName: '<root_account>',
        userArn: `arn:aws:iam::${ACCOUNT_ID}:root`,
        message:
          `The root user of account ${ACCOUNT_ID} uses a virtual MFA device (${ROOT_VIRTUAL_MFA_SERIAL}). ` +
          'Assign a hardware MFA device (FIDO security key or hardware token) and remove the virtual one.',
        evidence: { durable: { mfa_enabled: true, mfa_type: 'virtual', virtual_mfa_serial: ROOT_VIRTUAL_MFA_SERIAL }, volatile: {} },
      },
    ]);
  });

  it('when root has no MFA at all, then it passes here (root_mfa_disabled reports it)', () => {
    expect(run(aRoot({ mfaEnabled: false, virtualMfaSerial: null }))).toEqual([]);
    expect(run(aRoot({ mfaEnabled: false, virtualMfaSerial: ROOT_VIRTUAL_MFA_SERIAL }))).toEqual([]);
  });

  it('when the MFA device type or root was not collected, then it produces no finding', () => {
    expect(run(aRoot({ mfaEnabled: true, virtualMfaSerial: undefined }))).toEqual([]);
    expect(run(undefined)).toEqual([]);
  });

  it('when severity is set to high, then the finding is high', () => {
    expect(run(aRoot({ virtualMfaSerial: ROOT_VIRTUAL_MFA_SERIAL }), { severity: 'high' })[0].severity).toBe('high');
  });

  it('when declared, then it needs the root summary and the virtual MFA devices, and is never weighed by privilege', () => {
    expect(check.needs).toEqual(['root_account', 'root_virtual_mfa']);
    expect(check.weighedByPrivilege).toBe(false);
    expect(check.references).toContain('CIS AWS Foundations Benchmark v3.0.0 1.6');
  });
});
