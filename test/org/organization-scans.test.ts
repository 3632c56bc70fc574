/**
 * Every account of the organization, through the real SDK (STS AssumeRole with
 * fromTemporaryCredentials, Organizations ListAccounts, IAM) against the simulator's organization.
 */
import { addRole, setRoleTrust } from '../../src/simulator/roles';
import { accountWithKeyAges, accountWithUsers, ORG_ROLE_NAME, organizationOf } from '../support/accounts';
import { startHarness, type Harness } from '../support/harness';

const MGMT = '111111111111';
const M1 = '222222222222';
const M2 = '333333333333';

/** Three accounts with different keys, so each account's findings are recognisable. */
const threeAccountsNoOrg = () => [
  accountWithKeyAges([100], new Date(), { accountId: MGMT }),
  accountWithKeyAges([200, 300], new Date(), { accountId: M1 }),
  accountWithKeyAges([400, 500, 600], new Date(), { accountId: M2 }),
];

/** The three as an organization, the members with keywatch's role trusting the management account. */
function threeAccounts() {
  const accounts = threeAccountsNoOrg();
  return { accounts, organization: organizationOf(accounts, { names: ['management', 'prod', 'dev'] }) };
}

async function orgHarness(env: Record<string, string> = {}, sim: Record<string, unknown> = {}): Promise<Harness> {
  const { accounts, organization } = threeAccounts();
  const h = await startHarness({ account: accounts[0], sim: { organization, ...sim }, env: { KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME, ...env } });
  await h.ctx.discovered;
  return h;
}

describe('scanning an AWS Organization', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when discovery runs, then every ACTIVE account is a target named by its id, labelled with its name, the management account without a role', async () => {
    h = await orgHarness();
    expect(h.ctx.targets.lastDiscovery).toMatchObject({ ok: true, accounts: 3 });
    expect(h.ctx.targets.list().map((t) => [t.name, t.label, t.origin, t.roleArn, t.active])).toEqual([
      [MGMT, 'management', 'organization', null, true],
      [M1, 'prod', 'organization', `arn:aws:iam::${M1}:role/${ORG_ROLE_NAME}`, true],
      [M2, 'dev', 'organization', `arn:aws:iam::${M2}:role/${ORG_ROLE_NAME}`, true],
    ]);
  });

  test('when every account is scanned, then each run succeeds with its own account id and each account\'s findings are exactly its own', async () => {
    h = await orgHarness();
    const { started, refused } = h.ctx.scans.startAll({ trigger: 'api' });
    expect(refused).toEqual([]);
    const runs = await Promise.all(started.map((s) => s.done));
    expect(runs.map((r) => [r.target, r.status, r.accountId, r.accountName])).toEqual([
      [MGMT, 'succeeded', MGMT, 'management'],
      [M1, 'succeeded', M1, 'prod'],
      [M2, 'succeeded', M2, 'dev'],
    ]);
    const keysOf = (accountId: string) =>
      h.ctx.store.findings
        .list({ target: accountId, status: 'open', checkId: 'access_key_not_rotated', suppressed: 'include', sort: 'severity', order: 'desc', limit: 100 })
        .items.map((f) => f.resourceId)
        .sort();
    const expected = (accountId: string) =>
      h.sim.getAccount(accountId)!.users.flatMap((u) => u.accessKeys.map((k) => k.accessKeyId)).sort();
    for (const id of [MGMT, M1, M2]) expect(keysOf(id)).toEqual(expected(id));
    expect(keysOf(M2)).toHaveLength(3);
    // Each member was reached with one AssumeRole, counted on its run.
    expect(runs[1]!.stats.calls_by_action).toMatchObject({ AssumeRole: 1 });
    expect(runs[0]!.stats.calls_by_action).not.toHaveProperty('AssumeRole');
  });

  test('when a member\'s role refuses keywatch, then that run fails naming the role and sts:AssumeRole while the others succeed', async () => {
    h = await orgHarness();
    setRoleTrust(h.sim.getAccount(M1)!, ORG_ROLE_NAME, { principals: ['999999999999'] });
    const runs = await Promise.all(h.ctx.scans.startAll({ trigger: 'api' }).started.map((s) => s.done));
    const byTarget = Object.fromEntries(runs.map((r) => [r.target, r]));
    expect(byTarget[MGMT]!.status).toBe('succeeded');
    expect(byTarget[M2]!.status).toBe('succeeded');
    expect(byTarget[M1]).toMatchObject({ status: 'failed', errorCode: 'aws_assume_role_denied' });
    expect(byTarget[M1]!.error).toContain(`sts:AssumeRole into arn:aws:iam::${M1}:role/${ORG_ROLE_NAME} was refused`);
    expect(byTarget[M1]!.error).toMatch(/trust policy/);
  });

  test('when the role requires an ExternalId, then keywatch passes the configured one, and a wrong one is refused naming the ExternalId', async () => {
    const accounts = threeAccountsNoOrg();
    const organization = organizationOf(accounts, { externalId: 'vault-secret-1' });
    h = await startHarness({ account: accounts[0], sim: { organization }, env: { KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME, KEYWATCH_ORG_EXTERNAL_ID: 'vault-secret-1' } });
    await h.ctx.discovered;
    const ok = await Promise.all(h.ctx.scans.startAll({ trigger: 'api' }).started.map((s) => s.done));
    expect(ok.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    await h.restart({ KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME, KEYWATCH_ORG_EXTERNAL_ID: 'wrong-secret-2' });
    await h.ctx.discovered;
    const wrong = await Promise.all(h.ctx.scans.startAll({ trigger: 'api' }).started.map((s) => s.done));
    const failed = wrong.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.target).sort()).toEqual([M1, M2]);
    expect(failed[0]!.error).toMatch(/ExternalId/);
    expect(failed[0]!.error).not.toContain('wrong-secret-2');
  });

  test('when the simulator throttles each account above R and keywatch scans accounts in parallel at R each, then no run fails and each account stays within its own rate', async () => {
    const accounts = [accountWithUsers(30, new Date(), MGMT), accountWithUsers(30, new Date(), M1), accountWithUsers(30, new Date(), M2)];
    const organization = organizationOf(accounts);
    h = await startHarness({
      account: accounts[0],
      sim: { organization, rateLimitPerSecond: 40 },
      env: { KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME, KEYWATCH_IAM_RATE: '30', KEYWATCH_IAM_CONCURRENCY: '4', KEYWATCH_SCAN_PARALLELISM: '3' },
    });
    await h.ctx.discovered;
    const runs = await Promise.all(h.ctx.scans.startAll({ trigger: 'api' }).started.map((s) => s.done));
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The three scanned at once (their times overlap), yet no account was throttled: each limiter paced its own account.
    const [a, b] = runs;
    expect(a!.startedAt).toBeLessThan(b!.finishedAt!);
    expect(b!.startedAt).toBeLessThan(a!.finishedAt!);
    for (const id of [MGMT, M1, M2]) expect(h.sim.accountStats(id).throttled).toBe(0);
  });

  test('when a member\'s scan starts while the management account\'s own scan has hundreds of calls queued, then its AssumeRole goes first and the member does not wait for that scan', async () => {
    // The management account's limiter carries its own scan and every member's sts:AssumeRole. A member
    // run must not queue its AssumeRole behind the management account's calls (about 280 here, 5 s at 50
    // calls/s): in the org_scan benchmark such members sat idle for 20 s in their scan slot.
    const accounts = [accountWithUsers(40, new Date(), MGMT), accountWithKeyAges([100], new Date(), { accountId: M1 })];
    h = await startHarness({
      account: accounts[0],
      sim: { organization: organizationOf(accounts) },
      env: { KEYWATCH_ORG_ROLE_NAME: ORG_ROLE_NAME, KEYWATCH_IAM_RATE: '50', KEYWATCH_IAM_CONCURRENCY: '4' },
    });
    await h.ctx.discovered;
    const management = h.ctx.scans.start({ target: MGMT, trigger: 'api' });
    // Its users are listed and their calls queued once per-user calls reach the simulator.
    const deadline = Date.now() + 10_000;
    while ((h.sim.accountStats(MGMT).byAction.ListAccessKeys ?? 0) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const member = h.ctx.scans.start({ target: M1, trigger: 'api' });
    const [m, mgmt] = await Promise.all([member.done, management.done]);
    expect([m.status, mgmt.status]).toEqual(['succeeded', 'succeeded']);
    expect(m.stats.calls_by_action).toMatchObject({ AssumeRole: 1 });
    const took = (r: typeof m) => r.finishedAt! - r.startedAt;
    expect(took(mgmt)).toBeGreaterThan(3_000);
    expect(m.finishedAt!).toBeLessThan(mgmt.finishedAt!);
    expect(took(m)).toBeLessThan(took(mgmt) / 3);
  });

  test('when parallelism is 1, then the other targets wait queued and run one after the other', async () => {
    h = await orgHarness({ KEYWATCH_SCAN_PARALLELISM: '1' });
    const { started } = h.ctx.scans.startAll({ trigger: 'api' });
    expect(started.map((s) => s.run.status)).toEqual(['running', 'queued', 'queued']);
    const runs = await Promise.all(started.map((s) => s.done));
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const sorted = [...runs].sort((x, y) => x.startedAt - y.startedAt);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startedAt).toBeGreaterThanOrEqual(sorted[i - 1]!.finishedAt!);
  });

  test('when an account joins, then the next cycle scans it; when one leaves, then it reads inactive and keeps its history', async () => {
    h = await orgHarness();
    await Promise.all(h.ctx.scans.startAll({ trigger: 'api' }).started.map((s) => s.done));
    const m2Findings = h.ctx.store.findings.list({ target: M2, status: 'open', suppressed: 'include', sort: 'severity', order: 'desc', limit: 100 }).total;
    expect(m2Findings).toBeGreaterThan(0);

    const joined = accountWithKeyAges([700], new Date(), { accountId: '444444444444' });
    addRole(joined, { roleName: ORG_ROLE_NAME, trust: { principals: [MGMT] } });
    h.sim.addAccount(joined, { name: 'new-team' });
    h.sim.removeAccount(M2);
    await h.ctx.targets.discover();
    const names = h.ctx.targets.list().map((t) => [t.name, t.active]);
    expect(names).toEqual(expect.arrayContaining([['444444444444', true], [M2, false]]));
    const next = await Promise.all(h.ctx.scans.startAll({ trigger: 'schedule' }).started.map((s) => s.done));
    expect(next.map((r) => r.target).sort()).toEqual([MGMT, M1, '444444444444']);
    expect(next.every((r) => r.status === 'succeeded')).toBe(true);
    // The account that left: inactive, not scanned, its history still readable.
    expect(h.ctx.store.findings.list({ target: M2, status: 'open', suppressed: 'include', sort: 'severity', order: 'desc', limit: 100 }).total).toBe(m2Findings);
    expect(() => h.ctx.scans.start({ target: M2, trigger: 'api' })).toThrow(/inactive/);
  });

  test('when discovery fails (Organizations denied), then the accounts known before stay and the failure is reported', async () => {
    h = await orgHarness();
    h.sim.setFaults([{ action: 'ListAccounts', error: 'AccessDenied' }]);
    const status = await h.ctx.targets.discover();
    expect(status).toMatchObject({ ok: false, error: expect.stringMatching(/organizations:ListAccounts/) });
    expect(h.ctx.targets.active().map((t) => t.name)).toEqual([MGMT, M1, M2]);
  });

  test('when several targets are active and a scan names none, then it is refused naming target', async () => {
    h = await orgHarness();
    expect(() => h.ctx.scans.start({ trigger: 'api' })).toThrow(/3 targets are active/);
  });
});
