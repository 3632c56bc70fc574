import { CHECKS, getCheck } from '../../src/checks/catalog';
import { defaultSettings } from '../../src/checks/settings';
import { RESOURCE_TYPES } from '../../src/domain/findings';
import { SEVERITIES } from '../../src/domain/severity';
import {
  NOW,
  ROOT_VIRTUAL_MFA_SERIAL,
  aKey,
  aLoginProfile,
  aRoot,
  aServiceCredential,
  aSigningCertificate,
  aSnapshot,
  aUser,
  adminsGroup,
  anAuthorizationDetails,
  anAuthorizedUser,
  anSshKey,
} from '../factories/snapshot';

describe('catalog', () => {
  it('when listed, then the checks come in the documented order', () => {
    expect(CHECKS.map((c) => c.id)).toEqual([
      'access_key_not_rotated',
      'access_key_unused',
      'access_key_inactive_lingering',
      'user_multiple_active_keys',
      'user_admin_with_access_key',
      'user_console_without_mfa',
      'user_password_unused',
      'user_password_and_keys',
      'user_inactive',
      'ssh_key_not_rotated',
      'signing_certificate_active',
      'service_credential_not_rotated',
      'canary_key_used',
      'root_access_key',
      'root_mfa_disabled',
      'root_hardware_mfa',
      'root_recently_used',
      'password_policy_weak',
    ]);
  });

  it('when looked up by id, then getCheck returns the check or undefined', () => {
    expect(getCheck('root_mfa_disabled')?.id).toBe('root_mfa_disabled');
    expect(getCheck('nope')).toBeUndefined();
  });

  it.each(CHECKS.map((c) => [c.id, c] as const))('when %s is declared, then its metadata is complete', (_id, check) => {
    expect(check.title.length).toBeGreaterThan(0);
    expect(check.risk.length).toBeGreaterThan(20);
    expect(check.remediation.length).toBeGreaterThan(20);
    expect(check.references.length).toBeGreaterThan(0);
    expect(check.needs.length).toBeGreaterThan(0);
    expect(check.settings.severity).toMatchObject({ type: 'severity', default: check.severity });
    expect(SEVERITIES).toContain(check.severity);
    expect(RESOURCE_TYPES).toContain(check.resourceType);
    // root and account findings are never raised for privilege
    if (check.resourceType === 'root' || check.resourceType === 'account') expect(check.weighedByPrivilege).toBe(false);
    for (const spec of Object.values(check.settings)) {
      if (spec.type === 'integer') expect(spec.min).toBeGreaterThanOrEqual(1);
    }
  });

  it('when every check fails on a bad snapshot, then durable evidence is the same a day later (no ages or last-use dates)', () => {
    const snapshot = aSnapshot({
      users: [
        aUser({
          name: 'alice',
          loginProfile: aLoginProfile({ ageDays: 400, lastUsedDaysAgo: 100 }),
          mfaDeviceCount: 0,
          keys: [
            aKey({ id: 'AKIA1', ageDays: 400, lastUsedDaysAgo: 100 }),
            aKey({ id: 'AKIA2', ageDays: 400, lastUsedDaysAgo: null }),
            aKey({ id: 'AKIA3', status: 'Inactive', ageDays: 400, lastUsedDaysAgo: 300 }),
          ],
          sshPublicKeys: [anSshKey({ ageDays: 400 })],
          signingCertificates: [aSigningCertificate({ ageDays: 400 })],
          serviceCredentials: [aServiceCredential({ ageDays: 400 })],
        }),
      ],
      // root_mfa_disabled needs MFA off, root_hardware_mfa a virtual device: two roots, checked one at a time below
      root: aRoot({ mfaEnabled: false, activeAccessKeyCount: 1, passwordLastUsedDaysAgo: 1, accessKeyLastUsedDaysAgo: 2 }),
      passwordPolicy: null,
      authorizationDetails: anAuthorizationDetails({ users: [anAuthorizedUser({ name: 'alice', groups: ['Admins'] })], groups: [adminsGroup()] }),
    });
    const withVirtualMfa = { ...snapshot, root: aRoot({ mfaEnabled: true, virtualMfaSerial: ROOT_VIRTUAL_MFA_SERIAL }) };
    const later = new Date(NOW.getTime() + 86_400_000);
    const seen = new Set<string>();
    for (const check of CHECKS) {
      const settings = { ...defaultSettings(check), canary_key_ids: ['AKIA1'] };
      const bad = check.id === 'root_hardware_mfa' ? withVirtualMfa : snapshot;
      const today = check.evaluate(bad, settings, NOW);
      const tomorrow = check.evaluate(bad, settings, later);
      expect(today.length).toBeGreaterThan(0);
      expect(tomorrow.map((f) => f.evidence.durable)).toEqual(today.map((f) => f.evidence.durable));
      for (const f of today) {
        seen.add(f.checkId);
        expect(f.checkId).toBe(check.id);
        expect(f.resourceType).toBe(check.resourceType);
        for (const value of Object.values(f.evidence.durable)) {
          // the only dates in durable evidence are creation dates
          if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) expect(value).toBe(daysAgoIso(400));
        }
      }
    }
    expect(seen.size).toBe(CHECKS.length);
  });
});

function daysAgoIso(days: number): string {
  return new Date(NOW.getTime() - days * 86_400_000).toISOString();
}
