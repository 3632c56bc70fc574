import { defaultSettings } from '../../src/checks/settings';
import { signingCertificateActive as check } from '../../src/checks/signing_certificate_active';
import type { Settings } from '../../src/checks/types';
import type { SigningCertificateSnapshot } from '../../src/domain/snapshot';
import { NOW, aSigningCertificate, aSnapshot, aUser, daysAgo, userArn } from '../factories/snapshot';

const MINUTE_IN_DAYS = 1 / 1440;

const run = (certs: SigningCertificateSnapshot[] | undefined, overrides: Settings = {}) =>
  check.evaluate(aSnapshot({ users: [aUser({ name: 'frank', signingCertificates: certs })] }), { ...defaultSettings(check), ...overrides }, NOW);

describe('signing_certificate_active', () => {
  it.each([
    ['90 days minus a minute', 90 - MINUTE_IN_DAYS, 0],
    ['exactly 90 days', 90, 0],
    ['90 days plus a minute', 90 + MINUTE_IN_DAYS, 1],
  ])('when an active certificate was uploaded %s ago, then it yields %i finding(s)', (_label, days, count) => {
    expect(run([aSigningCertificate({ ageDays: days })])).toHaveLength(count);
  });

  it('when an active certificate is 200 days old, then it fails on the certificate id with medium severity', () => {
    expect(run([aSigningCertificate({ id: 'CERTOLD', ageDays: 200 })])).toEqual([
      {
        checkId: 'signing_certificate_active',
        severity: 'medium',
        resourceType: 'signing_certificate',
        resourceId: 'CERTOLD',
        userName: 'frank',
        userArn: userArn('frank'),
        message:
          'Signing certificate CERTOLD of user frank is active and was uploaded 200 days ago (limit 90 days). ' +
          'Delete it if nothing signs with it, or replace it.',
        evidence: { durable: { status: 'Active', upload_date: daysAgo(200).toISOString(), limit_days: 90 }, volatile: {} },
      },
    ]);
  });

  it('when an inactive certificate is 400 days old, then it passes', () => {
    expect(run([aSigningCertificate({ status: 'Inactive', ageDays: 400 })])).toEqual([]);
  });

  it('when certificates were not collected, then it produces no finding', () => {
    expect(run(undefined)).toEqual([]);
  });

  it('when max_age_days is 365, then a 365-day certificate passes and a 366-day one fails', () => {
    expect(run([aSigningCertificate({ ageDays: 365 })], { max_age_days: 365 })).toEqual([]);
    expect(run([aSigningCertificate({ ageDays: 366 })], { max_age_days: 365 })).toHaveLength(1);
  });

  it('when declared, then it needs signing certificates (both sources) and is weighed by privilege', () => {
    expect(check.needs).toEqual(['signing_certificates']);
    expect(check.weighedByPrivilege).toBe(true);
    expect(defaultSettings(check)).toEqual({ max_age_days: 90, severity: 'medium' });
  });
});
