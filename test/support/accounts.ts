/** Small factories for simulated accounts used by end-to-end tests. */
import { addAccessKey, addUser, emptyAccount, mulberry32, type SimAccount } from '../../src/simulator';

export const ACCOUNT_ID = '111122223333';

/** An account whose users each have one active key of the given age (days). */
export function accountWithKeyAges(ages: number[], now = new Date(), opts: { lastUsedDaysAgo?: number | null } = {}): SimAccount {
  const account = emptyAccount(ACCOUNT_ID);
  const rng = mulberry32(7);
  ages.forEach((age, i) => {
    addUser(account, { userName: `user-${age}d-${i}`, createDate: new Date(now.getTime() - (age + 10) * 86_400_000), rng });
    addAccessKey(account, `user-${age}d-${i}`, { ageDays: age, now, lastUsedDaysAgo: opts.lastUsedDaysAgo === undefined ? Math.min(1, age) : opts.lastUsedDaysAgo, rng });
  });
  return account;
}

/** n users, each with one key of a deterministic age in 0..800 days. */
export function accountWithUsers(n: number, now = new Date()): SimAccount {
  const account = emptyAccount(ACCOUNT_ID);
  const rng = mulberry32(11);
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(5, '0')}`;
    addUser(account, { userName: name, createDate: new Date(now.getTime() - 900 * 86_400_000), rng });
    addAccessKey(account, name, { ageDays: (i * 37) % 800, now, lastUsedDaysAgo: (i * 37) % 800 > 3 ? 2 : null, rng });
  }
  return account;
}
