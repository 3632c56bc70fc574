import { ConfigError, loadConfig } from '../../src/config';
import { DEMO_EXTERNAL_ID, DEMO_ROLE_NAME, demoAccountSizes, demoConfig } from '../../src/demo';

describe('demo mode', () => {
  test('when the demo sizes its organization, then KEYWATCH_DEMO_USERS is the total: half in the management account, 30 % and 20 % in the members, each at least one', () => {
    expect(demoAccountSizes(250)).toEqual([125, 75, 50]);
    expect(demoAccountSizes(10)).toEqual([5, 3, 2]);
    expect(demoAccountSizes(3)).toEqual([1, 1, 1]);
    for (const total of [3, 4, 5, 7, 11, 99, 1001]) {
      const sizes = demoAccountSizes(total);
      expect({ total, sum: sizes.reduce((a, b) => a + b, 0), smallest: Math.min(...sizes) >= 1 }).toEqual({ total, sum: total, smallest: true });
    }
  });

  test('when KEYWATCH_DEMO_USERS is below 3, then start-up is refused naming it (three accounts of at least one user)', () => {
    expect(() => loadConfig({ KEYWATCH_DEMO_USERS: '2' }, { demo: true })).toThrow(ConfigError);
    expect(() => loadConfig({ KEYWATCH_DEMO_USERS: '2' }, { demo: true })).toThrow(/KEYWATCH_DEMO_USERS: must be at least 3/);
    expect(loadConfig({ KEYWATCH_DEMO_USERS: '3' }, { demo: true }).demoAccount.users).toBe(3);
  });

  test('when demo mode builds its configuration, then it discovers the organization exactly as KEYWATCH_ORG_ROLE_NAME and KEYWATCH_ORG_EXTERNAL_ID would, against the simulator', () => {
    const url = 'http://127.0.0.1:4566';
    const demo = demoConfig(loadConfig({}, { demo: true, generatePassword: () => 'generated-1' }), url);
    const fromEnv = loadConfig({ KEYWATCH_API_PASSWORD: 'x', KEYWATCH_ORG_ROLE_NAME: DEMO_ROLE_NAME, KEYWATCH_ORG_EXTERNAL_ID: DEMO_EXTERNAL_ID });
    expect(demo.targets).toEqual(fromEnv.targets);
    expect(demo.targets.organization).toMatchObject({ roleName: 'KeywatchAudit', includeManagementAccount: true, source: 'api' });
    expect(demo.aws.endpoints).toEqual({ iam: url, sts: url, organizations: url });
  });
});
