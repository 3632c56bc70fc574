import { defaultSettings } from '../../src/checks/settings';
import { userAdminWithAccessKey as check } from '../../src/checks/user_admin_with_access_key';
import type { AuthorizationDetailsSnapshot, UserSnapshot } from '../../src/domain/snapshot';
import {
  NOW,
  aKey,
  aSnapshot,
  aUser,
  adminsGroup,
  allow,
  anAuthorizationDetails,
  anAuthorizedUser,
  policyDocument,
  userArn,
} from '../factories/snapshot';

const run = (users: UserSnapshot[], authorizationDetails: AuthorizationDetailsSnapshot | undefined, settings = defaultSettings(check)) =>
  check.evaluate(aSnapshot({ users, authorizationDetails }), settings, NOW);

const adminDetails = (name: string) =>
  anAuthorizationDetails({ users: [anAuthorizedUser({ name, groups: ['Admins'] })], groups: [adminsGroup()] });

describe('user_admin_with_access_key', () => {
  it('when an admin (through group Admins) has an active key, then it fails as high with the reason', () => {
    const findings = run([aUser({ name: 'root-ish', keys: [aKey({ id: 'AKIAADMIN' })] })], adminDetails('root-ish'));
    expect(findings).toEqual([
      {
        checkId: 'user_admin_with_access_key',
        severity: 'high',
        resourceType: 'user',
        resourceId: userArn('root-ish'),
        userName: 'root-ish',
        userArn: userArn('root-ish'),
        message:
          'User root-ish is an admin (admin through group Admins → AdministratorAccess) and has an active access key (AKIAADMIN). ' +
          'Move the work to an IAM role or IAM Identity Center, then deactivate and delete the keys.',
        evidence: {
          durable: {
            active_key_count: 1,
            active_key_ids: 'AKIAADMIN',
            privilege: 'admin',
            privilege_reason: 'admin through group Admins → AdministratorAccess',
          },
          volatile: {},
        },
      },
    ]);
  });

  it('when an admin has only inactive keys, or none, then it passes', () => {
    expect(run([aUser({ name: 'a', keys: [aKey({ status: 'Inactive' })] })], adminDetails('a'))).toEqual([]);
    expect(run([aUser({ name: 'a' })], adminDetails('a'))).toEqual([]);
  });

  it('when a privilege-escalation user has an active key, then it passes (only admins)', () => {
    const details = anAuthorizationDetails({
      users: [anAuthorizedUser({ name: 'b', inline: { keys: policyDocument([allow('iam:CreateAccessKey')]) } })],
    });
    expect(run([aUser({ name: 'b', keys: [aKey()] })], details)).toEqual([]);
  });

  it('when a standard user has an active key, then it passes', () => {
    expect(run([aUser({ name: 'c', keys: [aKey()] })], anAuthorizationDetails({ users: [anAuthorizedUser({ name: 'c' })] }))).toEqual([]);
  });

  it('when the authorization details were not collected, or the user is not in them, then it produces no finding', () => {
    expect(run([aUser({ name: 'a', keys: [aKey()] })], undefined)).toEqual([]);
    expect(run([aUser({ name: 'new', keys: [aKey()] })], adminDetails('someone-else'))).toEqual([]);
  });

  it('when declared, then it needs keys and authorization details and is not raised again for privilege', () => {
    expect(check.needs).toEqual(['access_keys', 'authorization_details']);
    expect(check.weighedByPrivilege).toBe(false);
    expect(defaultSettings(check)).toEqual({ severity: 'high' });
  });
});
