/** Small factories for simulated accounts (and organizations of them) used by end-to-end tests. */
import {
  addAccessKey,
  addOrgAccount,
  addRole,
  addUser,
  createOrganization,
  emptyAccount,
  mulberry32,
  type SimAccount,
  type SimOrganization,
} from '../../src/simulator';

export const ACCOUNT_ID = '111122223333';

/** The role organization factories create in every member (trusting the management account). */
export const ORG_ROLE_NAME = 'KeywatchAudit';

/** Another account's factory data must not reuse this account's ids: the seed follows the account id. */
function idSeed(accountId: string, base: number): number {
  return accountId === ACCOUNT_ID ? base : base + Number(accountId.slice(-6));
}

/** An account whose users each have one active key of the given age (days). */
export function accountWithKeyAges(
  ages: number[],
  now = new Date(),
  opts: { lastUsedDaysAgo?: number | null; accountId?: string } = {},
): SimAccount {
  const accountId = opts.accountId ?? ACCOUNT_ID;
  const account = emptyAccount(accountId);
  const rng = mulberry32(idSeed(accountId, 7));
  ages.forEach((age, i) => {
    addUser(account, { userName: `user-${age}d-${i}`, createDate: new Date(now.getTime() - (age + 10) * 86_400_000), rng });
    addAccessKey(account, `user-${age}d-${i}`, { ageDays: age, now, lastUsedDaysAgo: opts.lastUsedDaysAgo === undefined ? Math.min(1, age) : opts.lastUsedDaysAgo, rng });
  });
  return account;
}

/** n users, each with one key of a deterministic age in 0..800 days. */
export function accountWithUsers(n: number, now = new Date(), accountId = ACCOUNT_ID): SimAccount {
  const account = emptyAccount(accountId);
  const rng = mulberry32(idSeed(accountId, 11));
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(5, '0')}`;
    addUser(account, { userName: name, createDate: new Date(now.getTime() - 900 * 86_400_000), rng });
    addAccessKey(account, name, { ageDays: (i * 37) % 800, now, lastUsedDaysAgo: (i * 37) % 800 > 3 ? 2 : null, rng });
  }
  return account;
}

/**
 * An organization of the given accounts: the first is the management account, every other one a
 * member with the role `roleName` (default ORG_ROLE_NAME) trusting the management account (and
 * requiring `externalId` when given). Pass it to startHarness({ account: accounts[0], sim: { organization } }).
 */
export function organizationOf(
  accounts: SimAccount[],
  opts: { roleName?: string; externalId?: string; names?: string[] } = {},
): SimOrganization {
  const [management, ...members] = accounts;
  if (!management) throw new Error('organizationOf needs at least the management account');
  const org = createOrganization(management, { joinedTimestamp: new Date('2020-01-01T00:00:00Z') });
  members.forEach((member, i) => {
    if (!member.roles?.some((r) => r.roleName === (opts.roleName ?? ORG_ROLE_NAME))) {
      addRole(member, {
        roleName: opts.roleName ?? ORG_ROLE_NAME,
        trust: { principals: [management.accountId], ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}) },
        rng: mulberry32(idSeed(member.accountId, 13)),
      });
    }
    addOrgAccount(org, member, { name: opts.names?.[i + 1] ?? `member-${member.accountId}`, joinedTimestamp: new Date(Date.UTC(2021, 0, 1 + i)) });
  });
  if (opts.names?.[0]) org.accounts[0]!.name = opts.names[0];
  return org;
}
