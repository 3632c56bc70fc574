/**
 * Privilege-aware severity (evaluate.ts → risk.ts): findings on the credentials of admin and
 * privilege-escalation users are raised one level with the reason in durable evidence; never root
 * or account findings; nothing without authorization details; off with riskEscalation: false.
 */
import { evaluateChecks } from '../../src/checks/evaluate';
import { raiseSeverity, weighFinding } from '../../src/checks/risk';
import { resolveChecks, type ResolvedCheck } from '../../src/checks/settings';
import type { FindingDraft } from '../../src/checks/types';
import type { AuthorizationDetailsSnapshot, IamSnapshot } from '../../src/domain/snapshot';
import {
  NOW,
  ROOT_VIRTUAL_MFA_SERIAL,
  aKey,
  aLoginProfile,
  aRoot,
  aSnapshot,
  aUser,
  adminsGroup,
  allow,
  anAuthorizationDetails,
  anAuthorizedUser,
  anSshKey,
  policyDocument,
  userArn,
} from '../factories/snapshot';

const resolve = (env: Record<string, string> = {}): ResolvedCheck[] => {
  const { checks, errors } = resolveChecks(env);
  expect(errors).toEqual([]);
  return checks;
};

const ADMIN_REASON = 'admin through group Admins → AdministratorAccess';

/** One user `name` with a 100-day-old active key (access_key_not_rotated, medium), classified by `details`. */
function snapshotWithOldKey(name: string, details: AuthorizationDetailsSnapshot | undefined, extra: Partial<IamSnapshot> = {}): IamSnapshot {
  return aSnapshot({
    users: [aUser({ name, keys: [aKey({ id: `AKIA${name.toUpperCase()}`, ageDays: 100, lastUsedDaysAgo: 1 })] })],
    authorizationDetails: details,
    ...extra,
  });
}

const admins = (name: string) => anAuthorizationDetails({ users: [anAuthorizedUser({ name, groups: ['Admins'] })], groups: [adminsGroup()] });
const byCheck = (findings: FindingDraft[], checkId: string) => findings.find((f) => f.checkId === checkId)!;

describe('privilege-aware severity', () => {
  it('when an admin through a group has a key past the rotation limit, then the finding is raised from medium to high with the reason in durable evidence', () => {
    const { findings } = evaluateChecks(snapshotWithOldKey('ada', admins('ada')), resolve(), NOW);
    const f = byCheck(findings, 'access_key_not_rotated');
    expect(f.severity).toBe('high');
    expect(f.privilege).toBe('admin');
    expect(f.evidence.durable).toEqual({
      status: 'Active',
      created_date: expect.any(String),
      limit_days: 90,
      privilege: 'admin',
      privilege_reason: ADMIN_REASON,
      base_severity: 'medium',
    });
    expect(f.message).toMatch(new RegExp(`Severity raised from medium to high: ada is an admin \\(${ADMIN_REASON}\\)\\.$`));
  });

  it('when escalation is off, then the same finding keeps its plain severity and evidence, and still says the privilege', () => {
    const { findings } = evaluateChecks(snapshotWithOldKey('ada', admins('ada')), resolve(), NOW, { riskEscalation: false });
    const f = byCheck(findings, 'access_key_not_rotated');
    expect(f.severity).toBe('medium');
    expect(f.privilege).toBe('admin');
    expect(f.evidence.durable).toEqual({ status: 'Active', created_date: expect.any(String), limit_days: 90 });
    expect(f.message).not.toContain('Severity');
  });

  it('when the user can escalate privileges, then its key finding is raised too, saying what it can do', () => {
    const details = anAuthorizationDetails({
      users: [anAuthorizedUser({ name: 'eve', inline: { keys: policyDocument([allow('iam:CreateAccessKey')]) } })],
    });
    const f = byCheck(evaluateChecks(snapshotWithOldKey('eve', details), resolve(), NOW).findings, 'access_key_not_rotated');
    expect(f).toMatchObject({
      severity: 'high',
      privilege: 'privilege_escalation',
      evidence: {
        durable: {
          privilege: 'privilege_escalation',
          privilege_reason: "can iam:CreateAccessKey on * through inline policy 'keys'",
          base_severity: 'medium',
        },
      },
    });
    expect(f.message).toContain('eve is able to escalate privileges');
  });

  it('when the user is standard, then nothing is raised and the evidence is the check\'s own', () => {
    const details = anAuthorizationDetails({ users: [anAuthorizedUser({ name: 'sam' })] });
    const f = byCheck(evaluateChecks(snapshotWithOldKey('sam', details), resolve(), NOW).findings, 'access_key_not_rotated');
    expect(f.severity).toBe('medium');
    expect(f.privilege).toBe('standard');
    expect(Object.keys(f.evidence.durable)).toEqual(['status', 'created_date', 'limit_days']);
  });

  it('when the authorization details were not collected, then nothing is raised, every privilege is null, and the admin check is skipped', () => {
    const { findings, skipped } = evaluateChecks(snapshotWithOldKey('ada', undefined), resolve(), NOW);
    const f = byCheck(findings, 'access_key_not_rotated');
    expect(f.severity).toBe('medium');
    expect(f.evidence.durable).not.toHaveProperty('privilege');
    expect(findings.every((x) => x.privilege === null)).toBe(true);
    expect(skipped.map((s) => s.checkId)).toContain('user_admin_with_access_key');
  });

  it('when the user is not in the authorization details (created in between), then its findings are neither raised nor classified', () => {
    const f = byCheck(evaluateChecks(snapshotWithOldKey('newbie', admins('someone-else')), resolve(), NOW).findings, 'access_key_not_rotated');
    expect(f).toMatchObject({ severity: 'medium', privilege: null });
  });

  it('when an admin has a key, then user_admin_with_access_key stays high (its severity already says admin) and carries the privilege', () => {
    const f = byCheck(evaluateChecks(snapshotWithOldKey('ada', admins('ada')), resolve(), NOW).findings, 'user_admin_with_access_key');
    expect(f).toMatchObject({ severity: 'high', privilege: 'admin' });
    expect(f.evidence.durable).not.toHaveProperty('base_severity');
  });

  it('when an admin has a console password without MFA and an old SSH key, then both are raised (high → critical, medium → high)', () => {
    const snapshot = aSnapshot({
      source: 'api',
      users: [aUser({ name: 'ada', loginProfile: aLoginProfile({ lastUsedDaysAgo: 1 }), mfaDeviceCount: 0, sshPublicKeys: [anSshKey({ ageDays: 200 })] })],
      root: aRoot({ passwordLastUsedDaysAgo: undefined, accessKeyLastUsedDaysAgo: undefined }),
      authorizationDetails: admins('ada'),
    });
    const { findings } = evaluateChecks(snapshot, resolve(), NOW);
    expect(byCheck(findings, 'user_console_without_mfa')).toMatchObject({ severity: 'critical', evidence: { durable: { base_severity: 'high' } } });
    expect(byCheck(findings, 'ssh_key_not_rotated')).toMatchObject({ severity: 'high', evidence: { durable: { base_severity: 'medium' } } });
  });

  it('when a critical finding is on an admin, then it stays critical and its evidence still says why', () => {
    const snapshot = aSnapshot({
      users: [aUser({ name: 'ada', keys: [aKey({ id: 'AKIACANARY', lastUsedDaysAgo: 1 })] })],
      authorizationDetails: admins('ada'),
    });
    const { findings } = evaluateChecks(snapshot, resolve({ KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: 'AKIACANARY' }), NOW);
    expect(byCheck(findings, 'canary_key_used')).toMatchObject({
      severity: 'critical',
      evidence: { durable: { privilege: 'admin', base_severity: 'critical' } },
    });
    expect(byCheck(findings, 'canary_key_used').message).toContain('Severity stays critical');
  });

  it('when the account has root and account findings and an admin user, then root and account findings are never raised', () => {
    const snapshot = snapshotWithOldKey('ada', admins('ada'), {
      root: aRoot({ mfaEnabled: true, virtualMfaSerial: ROOT_VIRTUAL_MFA_SERIAL, activeAccessKeyCount: 1 }),
      passwordPolicy: null,
    });
    const { findings } = evaluateChecks(snapshot, resolve(), NOW);
    const rootAndAccount = findings.filter((f) => f.resourceType === 'root' || f.resourceType === 'account');
    expect(rootAndAccount.map((f) => [f.checkId, f.severity, f.privilege])).toEqual([
      ['root_access_key', 'critical', null],
      ['root_hardware_mfa', 'medium', null],
      ['password_policy_weak', 'medium', null],
    ]);
    for (const f of rootAndAccount) expect(f.evidence.durable).not.toHaveProperty('privilege');
  });

  it('when a root finding would somehow name a classified admin ARN, then it is still not raised', () => {
    const root: FindingDraft = {
      checkId: 'root_hardware_mfa',
      severity: 'medium',
      resourceType: 'root',
      resourceId: 'root',
      userName: '<root_account>',
      userArn: userArn('ada'),
      message: 'm',
      evidence: { durable: {}, volatile: {} },
    };
    const privileges = new Map([[userArn('ada'), { privilege: 'admin' as const, reason: ADMIN_REASON }]]);
    expect(weighFinding(root, { weighedByPrivilege: true }, privileges, true)).toEqual({ ...root, privilege: null });
  });

  it('when a user gains admin between two scans, then the key finding changes severity and durable evidence (a diff shows it changed, with the reason)', () => {
    const before = byCheck(evaluateChecks(snapshotWithOldKey('ada', anAuthorizationDetails({ users: [anAuthorizedUser({ name: 'ada' })] })), resolve(), NOW).findings, 'access_key_not_rotated');
    const after = byCheck(evaluateChecks(snapshotWithOldKey('ada', admins('ada')), resolve(), NOW).findings, 'access_key_not_rotated');
    expect(before.resourceId).toBe(after.resourceId);
    expect([before.severity, after.severity]).toEqual(['medium', 'high']);
    expect(after.evidence.durable).toEqual({ ...before.evidence.durable, privilege: 'admin', privilege_reason: ADMIN_REASON, base_severity: 'medium' });
  });

  it.each([
    ['info', 'low'],
    ['low', 'medium'],
    ['medium', 'high'],
    ['high', 'critical'],
    ['critical', 'critical'],
  ] as const)('when %s is raised, then it becomes %s', (from, to) => {
    expect(raiseSeverity(from)).toBe(to);
  });
});
