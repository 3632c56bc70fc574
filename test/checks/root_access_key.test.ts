import { rootAccessKey as check } from '../../src/checks/root_access_key';
import { defaultSettings } from '../../src/checks/settings';
import { ACCOUNT_ID, NOW, aRoot, aSnapshot, daysAgo } from '../factories/snapshot';

describe('root_access_key', () => {
  it('when root has no access key at all, then it passes', () => {
    expect(check.evaluate(aSnapshot({ root: aRoot({ accessKeyCount: 0 }) }), defaultSettings(check), NOW)).toEqual([]);
  });

  it('when root has only an inactive key (credential report), then it still fails, saying the key is inactive', () => {
    const [f] = check.evaluate(aSnapshot({ root: aRoot({ accessKeyCount: 1, activeAccessKeyCount: 0 }) }), defaultSettings(check), NOW);
    expect(f.message).toContain('has an inactive access key');
    expect(f.evidence.durable).toEqual({ access_keys_present: true });
  });

  it('when the live API only says a root key exists, then it fails without claiming it is active', () => {
    const [f] = check.evaluate(aSnapshot({ root: { mfaEnabled: true, accessKeyCount: 1 } }), defaultSettings(check), NOW);
    expect(f.message).toContain('has an access key');
    expect(f.evidence).toEqual({ durable: { access_keys_present: true }, volatile: {} });
  });

  it('when root has an active access key, then it fails as critical on the root resource', () => {
    const [f] = check.evaluate(
      aSnapshot({ root: aRoot({ activeAccessKeyCount: 1, accessKeyLastUsedDaysAgo: 3 }) }),
      defaultSettings(check),
      NOW,
    );
    expect(f).toEqual({
      checkId: 'root_access_key',
      severity: 'critical',
      resourceType: 'root',
      resourceId: 'root',
      userName: '<root_account>',
      userArn: `arn:aws:iam::${ACCOUNT_ID}:root`,
      message: expect.stringContaining(`The root user of account ${ACCOUNT_ID} has an active access key`),
      evidence: {
        durable: { access_keys_present: true },
        volatile: { active_access_key_count: 1, access_key_last_used: daysAgo(3).toISOString() },
      },
    });
  });

  it('when root has two active keys, then one finding says so', () => {
    const findings = check.evaluate(aSnapshot({ root: aRoot({ activeAccessKeyCount: 2 }) }), defaultSettings(check), NOW);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('2 active access keys');
  });

  it('when root key last use is unknown (api source), then volatile evidence is empty', () => {
    const root = { mfaEnabled: true, accessKeyCount: 1 };
    expect(check.evaluate(aSnapshot({ root }), defaultSettings(check), NOW)[0].evidence.volatile).toEqual({});
  });

  it('when root was not collected, then it produces no finding', () => {
    expect(check.evaluate(aSnapshot({ root: undefined }), defaultSettings(check), NOW)).toEqual([]);
  });

  it('when severity is set to high, then the finding is high', () => {
    const findings = check.evaluate(aSnapshot({ root: aRoot({ activeAccessKeyCount: 1 }) }), { severity: 'high' }, NOW);
    expect(findings[0].severity).toBe('high');
  });

  it('when declared, then it needs the root account summary', () => {
    expect(check.needs).toEqual(['root_account']);
  });
});
