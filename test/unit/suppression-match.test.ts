import Database from 'better-sqlite3';
import { mulberry32 } from '../../src/simulator';
import {
  collapseStars,
  compileMatcher,
  compileUserPattern,
  isValidUserPattern,
  matchesUserPattern,
  MAX_USER_PATTERN_WILDCARDS,
  userPatternProblem,
} from '../../src/domain/suppressions';

/**
 * Reference matcher: the textbook dynamic program over (pattern prefix, name prefix) with ASCII case
 * folding — obviously right, O(n·m), too slow for the store but fine for checking it.
 */
function referenceMatch(pattern: string, name: string): boolean {
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const p = fold(pattern);
  const n = fold(name);
  // row[j]: p[0..i) matches n[0..j)
  let row = Array.from({ length: n.length + 1 }, (_, j) => j === 0);
  for (let i = 1; i <= p.length; i++) {
    const next = Array.from({ length: n.length + 1 }, () => false);
    const c = p[i - 1];
    next[0] = c === '*' && row[0]!;
    for (let j = 1; j <= n.length; j++) {
      next[j] = c === '*' ? row[j]! || next[j - 1]! : row[j - 1]! && (c === '?' || c === n[j - 1]);
    }
    row = next;
  }
  return row[n.length]!;
}

/** The matcher this module replaced: a glob turned into one (backtracking) RegExp. Fine on short inputs. */
const regexMatch = (pattern: string, name: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\=,@<>-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(name);

describe('suppression matching', () => {
  test('when patterns use * and ?, then they match whole user names, case-insensitively, and nothing else is special', () => {
    const re = (p: string) => ({ test: (name: string) => matchesUserPattern(p, name) });
    expect(re('svc-*-dev').test('svc-build-dev')).toBe(true);
    expect(re('svc-*-dev').test('SVC-Build-DEV')).toBe(true);
    expect(re('svc-*-dev').test('svc-build-dev2')).toBe(false);
    expect(re('user.?').test('user.1')).toBe(true);
    expect(re('user.?').test('userX1')).toBe(false); // "." is literal
    expect(re('a+b=c,d@e').test('a+b=c,d@e')).toBe(true);
    expect(re('*').test('')).toBe(true);
    expect(re('<root_account>').test('<root_account>')).toBe(true);
    // ? is exactly one character, * any run including none; case folds both ways
    expect(re('a?c').test('abc')).toBe(true);
    expect(re('a?c').test('ac')).toBe(false);
    expect(re('a?c').test('abbc')).toBe(false);
    expect(re('A*C').test('ac')).toBe(true);
    expect(re('?').test('')).toBe(false);
    expect(re('SVC-??').test('svc-Ab')).toBe(true);
    expect(re('*-prod').test('svc-deploy-PROD')).toBe(true);
    expect(re('svc-*').test('other-svc-x')).toBe(false);
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
      expect({ pattern, name, sql: glob.get(name, collapseStars(pattern)) === 1 }).toEqual({ pattern, name, sql: matchesUserPattern(pattern, name) });
    }
    db.close();
  });

  test('when many random patterns and names are matched (seeded), then the matcher agrees with the reference and with the RegExp it replaced', () => {
    const rng = mulberry32(2024);
    // few distinct letters so that patterns often match; both cases; every special-looking user-name character
    const patternChars = 'aAb.+=@-***??';
    const nameChars = 'aAb.+=@-';
    const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(rng() * chars.length)]).join('');
    let matched = 0;
    const disagreements: { pattern: string; name: string; expected: boolean; matcher: boolean; regex?: boolean }[] = [];
    for (let i = 0; i < 10_000; i++) {
      const pattern = pick(patternChars, 1 + Math.floor(rng() * 8));
      const name = pick(nameChars, Math.floor(rng() * 10));
      const expected = referenceMatch(pattern, name);
      if (expected) matched++;
      const matcher = matchesUserPattern(pattern, name);
      const regex = regexMatch(pattern, name);
      if (matcher !== expected || regex !== expected) disagreements.push({ pattern, name, expected, matcher, regex });
    }
    expect(matched).toBeGreaterThan(500); // the sample exercises matches, not only misses
    // longer names and patterns (the old RegExp would take too long on some of these)
    for (let i = 0; i < 3_000; i++) {
      const pattern = pick('ab*?', 1 + Math.floor(rng() * 40));
      const name = pick('ab', Math.floor(rng() * 64));
      const expected = referenceMatch(pattern, name);
      const matcher = matchesUserPattern(pattern, name);
      if (matcher !== expected) disagreements.push({ pattern, name, expected, matcher });
    }
    expect(disagreements).toEqual([]);
  });

  test('when a pattern has runs of stars, then they mean one star', () => {
    expect(collapseStars('**a***b*')).toBe('*a*b*');
    expect(collapseStars('*************z')).toBe('*z');
    expect(matchesUserPattern('*************z', 'xyz')).toBe(true);
    expect(matchesUserPattern('a**b', 'ab')).toBe(true);
  });

  test('when a pattern has more than 16 wildcards or more than 128 characters, then it is invalid, naming the bound', () => {
    expect(MAX_USER_PATTERN_WILDCARDS).toBe(16);
    expect(isValidUserPattern('*'.repeat(16))).toBe(true);
    expect(isValidUserPattern(`${'?*'.repeat(8)}${'x'.repeat(112)}`)).toBe(true); // 128 characters, 16 wildcards
    expect(userPatternProblem('*'.repeat(17))).toBe('must have at most 16 wildcards (* and ? together), got 17');
    expect(userPatternProblem(`a${'?'.repeat(9)}${'*'.repeat(8)}`)).toMatch(/at most 16 wildcards.*got 17/);
    expect(userPatternProblem('x'.repeat(129))).toMatch(/1-128 characters/);
  });

  test('when the worst patterns within the bounds are matched against 10,000 hostile 64-character names, then each takes under 50 ms', () => {
    // Distinct names built to make a naive glob backtrack: long runs of one letter or of a pair,
    // almost-matches at the end (a 4-character suffix keeps them distinct).
    const names = Array.from({ length: 10_000 }, (_, i) => {
      const suffix = i.toString(36).padStart(4, '0');
      return [`${'a'.repeat(60)}${suffix}`, `${'ab'.repeat(30)}${suffix}`, `${'A'.repeat(40)}${'a'.repeat(20)}${suffix}`, `${'a'.repeat(63)}${'bcz'[i % 3]}`][i % 4]!;
    });
    const worst = [
      `${'*'.repeat(16)}z`, // the reported pattern, at the wildcard bound
      `${'*a'.repeat(15)}*z`, // 16 stars between letters that are everywhere
      `*${'a'.repeat(31)}b*`, // one long piece that almost matches at every position
      `*${'a?'.repeat(14)}b*`, // ? inside the piece
      `*${'ab'.repeat(16)}c*`,
      `${'*?'.repeat(8)}${'a'.repeat(40)}b`,
      `*${'a'.repeat(20)}b*${'a'.repeat(20)}b*${'a'.repeat(10)}*${'?'.repeat(12)}`,
      `${'*'.repeat(8)}${'a'.repeat(112)}${'*'.repeat(8)}`, // 128 characters, 16 wildcards
    ];
    for (const pattern of worst) {
      expect(isValidUserPattern(pattern)).toBe(true);
      const started = performance.now();
      const matches = compileUserPattern(pattern);
      let count = 0;
      for (const name of names) if (matches(name)) count++;
      const ms = performance.now() - started;
      expect({ pattern, ms, fast: ms < 50 }).toEqual({ pattern, ms, fast: true });
      expect(count).toBeLessThanOrEqual(names.length);
      for (const name of names.filter((_, i) => i % 97 === 0)) {
        expect({ pattern, name, match: matches(name) }).toEqual({ pattern, name, match: referenceMatch(pattern, name) });
      }
    }
  });

  test('when the store prefilter (SQLite GLOB) runs the worst collapsed patterns over 10,000 hostile names, then it stays polynomial (well under a second)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE f (user_name TEXT)');
    const insert = db.prepare('INSERT INTO f VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 10_000; i++) insert.run(i % 2 ? `${'a'.repeat(63)}${'bcz'[i % 3]}` : `${'ab'.repeat(31)}a${'bz'[i % 2]}`);
    })();
    const count = db.prepare(`SELECT count(*) FROM f WHERE lower(coalesce(user_name, '')) GLOB ?`).pluck();
    for (const pattern of [`${'*'.repeat(16)}z`, `${'*a'.repeat(15)}*z`, `*${'a'.repeat(31)}b*`, `*${'a?'.repeat(14)}b*`, `*${'ab'.repeat(16)}c*`]) {
      const started = performance.now();
      count.get(collapseStars(pattern).toLowerCase());
      const ms = performance.now() - started;
      expect({ pattern, ms, bounded: ms < 250 }).toEqual({ pattern, ms, bounded: true });
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
