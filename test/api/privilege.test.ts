/**
 * Privilege-aware severity end to end: the authorization details collected by each source, the
 * classification, the raised severities with their reason in the evidence, and what a diff shows
 * when a user gains admin between two scans (issue 13).
 */
import {
  AWS_MANAGED_POLICY_ARN,
  addAccessKey,
  addGroup,
  addUser,
  addUserToGroup,
  daysBefore,
  emptyAccount,
  mulberry32,
  type SimAccount,
} from '../../src/simulator';
import { runFindings, wholeSecondNow, type RunJson } from '../report/helpers';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

const REASON = 'admin through group Admins → AdministratorAccess';

/** ops: in Admins from the start; ci-bot: not (yet). Each has one active 100-day key (access_key_not_rotated, medium). */
function adminAccount(now: Date): { account: SimAccount; opsKey: string; ciKey: string } {
  const account = emptyAccount('666677778888');
  const rng = mulberry32(31);
  addGroup(account, { groupName: 'Admins', attachedPolicies: [AWS_MANAGED_POLICY_ARN.AdministratorAccess], createDate: daysBefore(now, 500), rng });
  addUser(account, { userName: 'ops', createDate: daysBefore(now, 400), rng });
  addUserToGroup(account, 'ops', 'Admins');
  addUser(account, { userName: 'ci-bot', createDate: daysBefore(now, 400), rng });
  const opsKey = addAccessKey(account, 'ops', { ageDays: 100, now, lastUsedDaysAgo: 1, rng }).accessKeyId;
  const ciKey = addAccessKey(account, 'ci-bot', { ageDays: 100, now, lastUsedDaysAgo: 1, rng }).accessKeyId;
  return { account, opsKey, ciKey };
}

interface DiffItem {
  check_id: string;
  resource_id: string;
  user_name: string | null;
  severity: string;
  evidence: Record<string, unknown>;
  before?: { severity: string; evidence: Record<string, unknown> };
  after?: { severity: string; evidence: Record<string, unknown> };
}

const scan = async (h: Harness, source: string) => (await scanViaApi(h, source)) as unknown as RunJson;

describe.each(['api', 'credential_report'])('privilege-aware severity with the %s source', (source) => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when a user is added to the admin group between two scans, then the diff shows its key finding changed, raised one level, with the reason in the evidence', async () => {
    const now = wholeSecondNow();
    const { account, opsKey, ciKey } = adminAccount(now);
    h = await startHarness({ account, clock: () => now });
    const first = await scan(h, source);
    expect(first.status).toBe('succeeded');
    const before = (await runFindings(h, first.id)).filter((f) => f.check_id === 'access_key_not_rotated');
    // ops is an admin from the start: raised from medium, and the evidence says why; ci-bot is not.
    expect(before.find((f) => f.resource_id === opsKey)).toMatchObject({
      severity: 'high',
      evidence: { privilege: 'admin', privilege_reason: REASON, base_severity: 'medium' },
    });
    expect(before.find((f) => f.resource_id === ciKey)).toMatchObject({ severity: 'medium' });
    expect(before.find((f) => f.resource_id === ciKey)!.evidence).not.toHaveProperty('privilege');

    addUserToGroup(h.sim.account, 'ci-bot', 'Admins');
    const second = await scan(h, source);
    const res = await h.get(`/api/scans/${second.id}/diff`);
    expect(res.status).toBe(200);
    const changed = res.body.changed as DiffItem[];
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      check_id: 'access_key_not_rotated',
      resource_id: ciKey,
      user_name: 'ci-bot',
      severity: 'high',
      before: { severity: 'medium' },
      after: { severity: 'high', evidence: { privilege: 'admin', privilege_reason: REASON, base_severity: 'medium' } },
    });
    expect(changed[0]!.before!.evidence).not.toHaveProperty('privilege_reason');
    // and the admin now holds an access key
    expect((res.body.new as DiffItem[]).map((f) => [f.check_id, f.user_name, f.severity])).toEqual([['user_admin_with_access_key', 'ci-bot', 'high']]);
    expect(res.body.resolved).toEqual([]);
  });

  test('when KEYWATCH_RISK_ESCALATION=false, then no finding is raised or carries a privilege reason, and gaining admin changes no key finding', async () => {
    const now = wholeSecondNow();
    const { account, opsKey } = adminAccount(now);
    h = await startHarness({ account, clock: () => now, env: { KEYWATCH_RISK_ESCALATION: 'false' } });
    const first = await scan(h, source);
    expect(first.status).toBe('succeeded');
    const findings = await runFindings(h, first.id);
    const keyFindings = findings.filter((f) => f.check_id === 'access_key_not_rotated');
    expect(keyFindings.map((f) => f.severity)).toEqual(['medium', 'medium']);
    expect(keyFindings.find((f) => f.resource_id === opsKey)).toBeDefined();
    // nothing anywhere carries the escalation's evidence
    expect(findings.filter((f) => 'base_severity' in f.evidence)).toEqual([]);
    // The admin check is not escalation: it still reports the admin with a key.
    expect(findings.filter((f) => f.check_id === 'user_admin_with_access_key').map((f) => f.user_name)).toEqual(['ops']);

    addUserToGroup(h.sim.account, 'ci-bot', 'Admins');
    const second = await scan(h, source);
    const res = await h.get(`/api/scans/${second.id}/diff`);
    expect(res.body.changed).toEqual([]);
    expect((res.body.new as DiffItem[]).map((f) => [f.check_id, f.user_name])).toEqual([['user_admin_with_access_key', 'ci-bot']]);
  });
});
