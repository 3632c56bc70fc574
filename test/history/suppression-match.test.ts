import Database from 'better-sqlite3';
import { mulberry32 } from '../../src/simulator';
import { compileMatcher, isValidUserPattern, userPatternRegExp } from '../../src/store/suppression-match';

describe('suppression matching', () => {
  test('when patterns use * and ?, then they match whole user names, case-insensitively, and nothing else is special', () => {
    const re = (p: string) => userPatternRegExp(p);
    expect(re('svc-*-dev').test('svc-build-dev')).toBe(true);
    expect(re('svc-*-dev').test('SVC-Build-DEV')).toBe(true);
    expect(re('svc-*-dev').test('svc-build-dev2')).toBe(false);
    expect(re('user.?').test('user.1')).toBe(true);
    expect(re('user.?').test('userX1')).toBe(false); // "." is literal
    expect(re('a+b=c,d@e').test('a+b=c,d@e')).toBe(true);
    expect(re('*').test('')).toBe(true);
    expect(re('<root_account>').test('<root_account>')).toBe(true);
  });

  test('when a pattern has characters outside IAM user names, brackets or is empty or too long, then it is invalid', () => {
    for (const bad of ['', 'a b', 'svc-[a-z]', 'a/b', 'ä*', 'x'.repeat(129), 'a\\b', '{a,b}']) expect(isValidUserPattern(bad)).toBe(false);
    for (const good of ['*', '?', 'svc-*', 'a+b=c,d@e.f_g-h', 'x'.repeat(128)]) expect(isValidUserPattern(good)).toBe(true);
  });

  test('when random names and patterns are compared, then SQLite GLOB on lower-cased values (the store prefilter) agrees with the matcher', () => {
    const db = new Database(':memory:');
    const glob = db.prepare('SELECT lower(?) GLOB lower(?) AS m').pluck();
    const rng = mulberry32(17);
    const chars = 'abAB01._-+=,@*?';
    const pick = (n: number) => Array.from({ length: n }, () => chars[Math.floor(rng() * chars.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const pattern = pick(1 + Math.floor(rng() * 5));
      const name = pick(Math.floor(rng() * 6)).replace(/[*?]/g, 'x');
      expect({ pattern, name, sql: glob.get(name, pattern) === 1 }).toEqual({ pattern, name, sql: userPatternRegExp(pattern).test(name) });
    }
    db.close();
  });

  test('when several suppressions apply, then the lowest id wins and expired ones are ignored', () => {
    const rules = [
      { id: 5, target: 't', findingId: 10, checkId: null, userPattern: null, expiresAt: null },
      { id: 3, target: 't', findingId: null, checkId: 'c', userPattern: 'a*', expiresAt: null },
      { id: 1, target: 't', findingId: null, checkId: 'c', userPattern: '*', expiresAt: 1000 },
    ];
    const before = compileMatcher(rules, 999);
    expect(before.match({ id: 10, checkId: 'c', userName: 'alice' })).toBe(1);
    const after = compileMatcher(rules, 1000);
    expect(after.match({ id: 10, checkId: 'c', userName: 'alice' })).toBe(3);
    expect(after.match({ id: 10, checkId: 'other', userName: 'bob' })).toBe(5);
    expect(after.match({ id: 11, checkId: 'c', userName: 'bob' })).toBeNull();
    expect(compileMatcher([], 0).empty).toBe(true);
  });
});
