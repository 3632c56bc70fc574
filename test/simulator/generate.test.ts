import {
  BOUNDARY_KEY_AGES,
  DAY_MS,
  SimAccount,
  addAccessKey,
  addUser,
  emptyAccount,
  evolveAccount,
  generateAccount,
  mulberry32,
  userArn,
} from '../../src/simulator';
import { NOW } from './helpers';

const allKeys = (account: SimAccount) => account.users.flatMap((u) => u.accessKeys);
const ageMs = (d: Date) => NOW.getTime() - d.getTime();

describe('simulator: account generator', () => {
  test('when the same seed is used twice, then the same account is generated', () => {
    const a = generateAccount({ seed: 123, users: 300, now: NOW });
    const b = generateAccount({ seed: 123, users: 300, now: NOW });
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  test('when different seeds are used, then the accounts differ', () => {
    const a = generateAccount({ seed: 1, users: 50, now: NOW });
    const b = generateAccount({ seed: 2, users: 50, now: NOW });
    expect(a.users.map((u) => u.userId)).not.toEqual(b.users.map((u) => u.userId));
  });

  test('when an account is generated, then keys aged exactly 89, 90, 91, 364, 365 and 366 days exist', () => {
    for (const seed of [1, 2, 3]) {
      const account = generateAccount({ seed, users: 20, now: NOW });
      const exactAges = allKeys(account)
        .filter((k) => ageMs(k.createDate) % DAY_MS === 0)
        .map((k) => ageMs(k.createDate) / DAY_MS);
      for (const age of BOUNDARY_KEY_AGES) expect(exactAges).toContain(age);
    }
  });

  test('when 1,000 users are generated, then there are about 2,000 keys with realistic variety', () => {
    const account = generateAccount({ seed: 7, users: 1000, now: NOW });
    const keys = allKeys(account);
    expect(account.users).toHaveLength(1000);
    expect(new Set(account.users.map((u) => u.userName.toLowerCase())).size).toBe(1000);
    expect(keys.length).toBeGreaterThan(1800);
    expect(keys.length).toBeLessThanOrEqual(2000);
    expect(new Set(keys.map((k) => k.accessKeyId)).size).toBe(keys.length);
    const ages = keys.map((k) => Math.floor(ageMs(k.createDate) / DAY_MS));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages)).toBeLessThanOrEqual(800);
    expect(Math.max(...ages)).toBeGreaterThan(700);
    expect(keys.some((k) => k.status === 'Inactive')).toBe(true);
    expect(keys.some((k) => k.lastUsed === null)).toBe(true);
    expect(account.users.some((u) => u.accessKeys.filter((k) => k.status === 'Active').length === 2)).toBe(true);
    const consoleUsers = account.users.filter((u) => u.loginProfile);
    expect(consoleUsers.some((u) => u.mfaDevices.length > 0)).toBe(true);
    expect(consoleUsers.some((u) => u.mfaDevices.length === 0)).toBe(true);
    expect(consoleUsers.filter((u) => u.loginProfile!.passwordLastUsed === null).length).toBeGreaterThanOrEqual(2);
    expect(account.root.mfaEnabled).toBe(true);
    expect(account.passwordPolicy).not.toBeNull();
    expect(account.accountId).toMatch(/^\d{12}$/);
  });

  test('when an account is generated, then its dates are consistent (user before key before last use, nothing in the future)', () => {
    const account = generateAccount({ seed: 99, users: 500, now: NOW });
    for (const user of account.users) {
      expect(user.createDate.getTime()).toBeLessThanOrEqual(NOW.getTime());
      expect(user.accessKeys.length).toBeLessThanOrEqual(2);
      for (const key of user.accessKeys) {
        expect(key.createDate.getTime()).toBeGreaterThanOrEqual(user.createDate.getTime());
        if (key.lastUsed) {
          expect(key.lastUsed.date.getTime()).toBeGreaterThanOrEqual(key.createDate.getTime());
          expect(key.lastUsed.date.getTime()).toBeLessThanOrEqual(NOW.getTime());
        }
      }
      if (user.loginProfile?.passwordLastUsed) {
        expect(user.loginProfile.passwordLastUsed.getTime()).toBeGreaterThanOrEqual(user.loginProfile.createDate.getTime());
      }
      expect(account.root.createDate!.getTime()).toBeLessThan(user.createDate.getTime());
    }
  });

  test('when an account is evolved, then a key is rotated, a user is added and a key is deactivated, with descriptions', () => {
    const account = generateAccount({ seed: 5, users: 30, now: NOW });
    const before = structuredClone(account);
    const later = new Date(NOW.getTime() + DAY_MS);
    const changes = evolveAccount(account, { seed: 1, now: later });
    expect(changes).toHaveLength(3);
    expect(changes[0]).toMatch(/^rotated access key of .+: deleted AKIA\w+ \(\d+ days old\), created AKIA\w+$/);
    expect(changes[1]).toMatch(/^added user .+ with access key AKIA\w+$/);
    expect(changes[2]).toMatch(/^deactivated access key AKIA\w+ of .+$/);
    expect(account.users).toHaveLength(before.users.length + 1);
    expect(account).not.toEqual(before);
    const beforeIds = new Set(allKeys(before).map((k) => k.accessKeyId));
    const created = allKeys(account).filter((k) => !beforeIds.has(k.accessKeyId));
    expect(created).toHaveLength(2);
    for (const key of created) expect(key.createDate).toEqual(later);
  });

  test('when two copies are evolved with the same seed, then they change identically', () => {
    const a = generateAccount({ seed: 5, users: 30, now: NOW });
    const b = generateAccount({ seed: 5, users: 30, now: NOW });
    expect(evolveAccount(a, { seed: 9, now: NOW })).toEqual(evolveAccount(b, { seed: 9, now: NOW }));
    expect(a).toEqual(b);
  });
});

describe('simulator: model helpers', () => {
  test('when a user has a path, then userArn includes it', () => {
    const account = emptyAccount('123456789012');
    const user = addUser(account, { userName: 'bob', path: '/eng/' });
    expect(userArn(account, user)).toBe('arn:aws:iam::123456789012:user/eng/bob');
  });

  test('when a seeded rng is given, then ids are deterministic and realistic', () => {
    const make = () => {
      const account = emptyAccount();
      const rng = mulberry32(3);
      const user = addUser(account, { userName: 'x', rng });
      const key = addAccessKey(account, 'x', { ageDays: 1, now: NOW, rng });
      return [user.userId, key.accessKeyId];
    };
    const [userId, keyId] = make();
    expect(make()).toEqual([userId, keyId]);
    expect(userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(keyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
  });

  test('when a third key is added to a user, then it is refused like AWS does', () => {
    const account = emptyAccount();
    addUser(account, { userName: 'x' });
    addAccessKey(account, 'x', { ageDays: 1, now: NOW });
    addAccessKey(account, 'x', { ageDays: 2, now: NOW });
    expect(() => addAccessKey(account, 'x', { ageDays: 3, now: NOW })).toThrow(/2 access keys/);
  });

  test('when a key is added with an age of 90 days, then its createDate is exactly 90 × 86,400,000 ms before now', () => {
    const account = emptyAccount();
    addUser(account, { userName: 'x' });
    const key = addAccessKey(account, 'x', { ageDays: 90, now: NOW, lastUsedDaysAgo: 3 });
    expect(ageMs(key.createDate)).toBe(90 * DAY_MS);
    expect(key.lastUsed).toEqual({ date: new Date(NOW.getTime() - 3 * DAY_MS), service: 'iam', region: 'us-east-1' });
  });
});
