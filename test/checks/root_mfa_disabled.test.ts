import { rootMfaDisabled as check } from '../../src/checks/root_mfa_disabled';
import { defaultSettings } from '../../src/checks/settings';
import { ACCOUNT_ID, NOW, aRoot, aSnapshot } from '../factories/snapshot';

describe('root_mfa_disabled', () => {
  it('when root MFA is enabled, then it passes', () => {
    expect(check.evaluate(aSnapshot({ root: aRoot({ mfaEnabled: true }) }), defaultSettings(check), NOW)).toEqual([]);
  });

  it('when root MFA is not enabled, then it fails as critical on the root resource', () => {
    const [f] = check.evaluate(aSnapshot({ root: aRoot({ mfaEnabled: false }) }), defaultSettings(check), NOW);
    expect(f).toEqual({
      checkId: 'root_mfa_disabled',
      severity: 'critical',
      resourceType: 'root',
      resourceId: 'root',
      userName: '<root_account>',
      userArn: `arn:aws:iam::${ACCOUNT_ID}:root`,
      message: expect.stringContaining(`The root user of account ${ACCOUNT_ID} has no MFA`),
      evidence: { durable: { mfa_enabled: false }, volatile: {} },
    });
  });

  it('when root was not collected, then it produces no finding', () => {
    expect(check.evaluate(aSnapshot({ root: undefined }), defaultSettings(check), NOW)).toEqual([]);
  });

  it('when severity is set to high, then the finding is high', () => {
    const findings = check.evaluate(aSnapshot({ root: aRoot({ mfaEnabled: false }) }), { severity: 'high' }, NOW);
    expect(findings[0].severity).toBe('high');
  });

  it('when declared, then it needs the root account summary', () => {
    expect(check.needs).toEqual(['root_account']);
  });
});
