import { defaultSettings } from '../../src/checks/settings';
import { serviceCredentialNotRotated as check } from '../../src/checks/service_credential_not_rotated';
import type { Settings } from '../../src/checks/types';
import type { ServiceCredentialSnapshot } from '../../src/domain/snapshot';
import { NOW, aServiceCredential, aSnapshot, aUser, daysAgo, userArn } from '../factories/snapshot';

const MINUTE_IN_DAYS = 1 / 1440;

const run = (creds: ServiceCredentialSnapshot[] | undefined, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ source: 'api', users: [aUser({ name: 'gina', serviceCredentials: creds })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('service_credential_not_rotated', () => {
  it.each([
    ['90 days minus a minute', 90 - MINUTE_IN_DAYS, 0],
    ['exactly 90 days', 90, 0],
    ['90 days plus a minute', 90 + MINUTE_IN_DAYS, 1],
  ])('when an active service credential was created %s ago, then it yields %i finding(s)', (_label, days, count) => {
    expect(run([aServiceCredential({ ageDays: days })])).toHaveLength(count);
  });

  it('when an active Keyspaces credential is 100 days old, then it fails on the credential id naming the service', () => {
    const cred = aServiceCredential({ id: 'ACCAOLD', serviceName: 'cassandra.amazonaws.com', serviceUserName: 'gina-at-123', ageDays: 100 });
    expect(run([cred])).toEqual([
      {
        checkId: 'service_credential_not_rotated',
        severity: 'medium',
        resourceType: 'service_credential',
        resourceId: 'ACCAOLD',
        userName: 'gina',
        userArn: userArn('gina'),
        message:
          'Service-specific credential ACCAOLD (cassandra.amazonaws.com) of user gina is 100 days old (limit 90 days). ' +
          'Create a new one, move clients to it, then deactivate and delete the old one.',
        evidence: {
          durable: {
            status: 'Active',
            service_name: 'cassandra.amazonaws.com',
            service_user_name: 'gina-at-123',
            created_date: daysAgo(100).toISOString(),
            limit_days: 90,
          },
          volatile: {},
        },
      },
    ]);
  });

  it.each(['Inactive', 'Expired'] as const)('when a %s credential is 400 days old, then it passes', (status) => {
    expect(run([aServiceCredential({ status, ageDays: 400 })])).toEqual([]);
  });

  it('when a Bedrock API key has no service user name, then the evidence says null', () => {
    const [f] = run([aServiceCredential({ serviceName: 'bedrock.amazonaws.com', serviceUserName: null, ageDays: 100 })]);
    expect(f.evidence.durable).toMatchObject({ service_name: 'bedrock.amazonaws.com', service_user_name: null });
  });

  it('when service credentials were not collected, then it produces no finding', () => {
    expect(run(undefined)).toEqual([]);
  });

  it('when max_age_days is 30, then a 31-day credential fails', () => {
    expect(run([aServiceCredential({ ageDays: 31 })], { max_age_days: 30 })).toHaveLength(1);
  });

  it('when declared, then it needs service credentials (api source only) and is weighed by privilege', () => {
    expect(check.needs).toEqual(['service_credentials']);
    expect(check.weighedByPrivilege).toBe(true);
    expect(defaultSettings(check)).toEqual({ max_age_days: 90, severity: 'medium' });
  });
});
