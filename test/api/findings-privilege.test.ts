/**
 * GET /api/findings and privilege (issue 13): the finding JSON shows its user's privilege class, the
 * `privilege` filter keeps one class, and sorting by severity sorts by the effective (raised)
 * severity — through the real SDK against the simulator.
 */
import {
  AWS_MANAGED_POLICY_ARN,
  addAccessKey,
  addGroup,
  addUser,
  addUserToGroup,
  allowDocument,
  daysBefore,
  emptyAccount,
  mulberry32,
  putUserPolicy,
} from '../../src/simulator';
import { wholeSecondNow } from '../report/helpers';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

interface Listed {
  id: number;
  check_id: string;
  user_name: string | null;
  severity: string;
  privilege: string | null;
  account_id: string | null;
  evidence: Record<string, unknown>;
}

/**
 * Three users with one 100-day key each (access_key_not_rotated, medium by itself): ops is an admin
 * through a group, deployer may attach policies to users (escalation), zed-bot is standard. Findings
 * are recorded in user-name order, so zed-bot's has a larger id than ops's: a sort on the base
 * severity (a tie, broken by id) would list zed-bot first in descending order.
 */
function account(now: Date) {
  const a = emptyAccount('777788889999');
  const rng = mulberry32(5);
  addGroup(a, { groupName: 'Admins', attachedPolicies: [AWS_MANAGED_POLICY_ARN.AdministratorAccess], createDate: daysBefore(now, 500), rng });
  for (const name of ['ops', 'deployer', 'zed-bot']) {
    addUser(a, { userName: name, createDate: daysBefore(now, 400), rng });
    addAccessKey(a, name, { ageDays: 100, now, lastUsedDaysAgo: 1, rng });
  }
  addUserToGroup(a, 'ops', 'Admins');
  putUserPolicy(a, 'deployer', 'attach', allowDocument('iam:AttachUserPolicy'));
  return a;
}

describe('findings by privilege', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const list = async (query: string): Promise<Listed[]> => {
    const res = await h.get(`/api/findings?limit=500&${query}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  test('when findings are listed, then each shows its user\'s privilege and account, and privilege=admin|privilege_escalation|standard keeps that class only', async () => {
    const now = wholeSecondNow();
    h = await startHarness({ account: account(now), clock: () => now });
    expect((await scanViaApi(h)).status).toBe('succeeded');

    const keys = await list('check=access_key_not_rotated&sort=user&order=asc');
    expect(keys.map((f) => [f.user_name, f.privilege, f.severity, f.account_id])).toEqual([
      ['deployer', 'privilege_escalation', 'high', '777788889999'],
      ['ops', 'admin', 'high', '777788889999'],
      ['zed-bot', 'standard', 'medium', '777788889999'],
    ]);
    const users = (items: Listed[]) => [...new Set(items.map((f) => f.user_name))].sort();
    expect(users(await list('privilege=admin'))).toEqual(['ops']);
    expect(users(await list('privilege=privilege_escalation'))).toEqual(['deployer']);
    expect(users(await list('privilege=standard'))).toEqual(['zed-bot']);
    expect((await list('privilege=admin')).every((f) => f.privilege === 'admin')).toBe(true);
    // Account findings have no user and no class.
    const policy = (await list('check=password_policy_weak'))[0]!;
    expect(policy.privilege).toBeNull();
    expect((await list('privilege=standard')).some((f) => f.check_id === 'password_policy_weak')).toBe(false);

    const csv = await h.get('/api/findings?format=csv&privilege=admin&check=access_key_not_rotated');
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);
    expect(csv.text).toMatch(/,777788889999,admin\r\n$/);

    const wrong = await h.get('/api/findings?privilege=root');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ field: 'privilege', message: 'must be admin, privilege_escalation or standard' }]);
  });

  test('when findings are sorted by severity, then a raised finding sorts at its effective severity, above findings of its base severity', async () => {
    const now = wholeSecondNow();
    h = await startHarness({ account: account(now), clock: () => now });
    await scanViaApi(h);
    const byUser = Object.fromEntries((await list('check=access_key_not_rotated')).map((f) => [f.user_name, f]));
    // ops and zed-bot share the base severity medium; zed-bot's finding has the larger id.
    expect(byUser['ops']!.evidence.base_severity).toBe('medium');
    expect(byUser['ops']!.id).toBeLessThan(byUser['zed-bot']!.id);

    const desc = await list('check=access_key_not_rotated&sort=severity&order=desc');
    expect(desc.map((f) => [f.user_name, f.severity])).toEqual([
      ['ops', 'high'],
      ['deployer', 'high'],
      ['zed-bot', 'medium'],
    ]);
    const asc = await list('check=access_key_not_rotated&sort=severity&order=asc');
    expect(asc.map((f) => f.user_name)).toEqual(['zed-bot', 'deployer', 'ops']);
    // min_severity uses the effective severity too
    expect((await list('check=access_key_not_rotated&min_severity=high')).map((f) => f.user_name).sort()).toEqual(['deployer', 'ops']);
  });
});
