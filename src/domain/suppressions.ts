/**
 * Suppressions (accepted risks) and how one matches a finding. One implementation, used by the store
 * (flags on findings, filters, per-run counts), the use cases (validation, diffs) and the metrics.
 *
 * - by finding id: exactly that finding;
 * - by check id + user pattern: every finding of that check whose user name matches the glob,
 *   case-insensitively (IAM user names are unique case-insensitively). `*` matches any run of
 *   characters (also none), `?` exactly one; every other character matches itself. A finding without
 *   a user (account-level) has the user name "" — only `*` matches it.
 * A suppression applies while it has not expired: expires_at NULL, or expires_at > now.
 *
 * Globs are matched in O(name × pattern) time at worst, never more: a pattern is never turned into
 * one RegExp with `.*` (`*************z` as a backtracking `.*.*…z` took minutes against one name and
 * blocked the event loop). Instead:
 *   1. runs of `*` are collapsed (they mean the same as one star);
 *   2. the pattern is cut at its stars into pieces of literals and `?`; each piece has a fixed length;
 *   3. the piece before the first star must match at the start of the name, the piece after the last
 *      star at its end, and the pieces in between are searched for left to right, each from where the
 *      previous one ended, taking the leftmost occurrence. Leftmost is always right: any match of the
 *      whole pattern can be slid to use the leftmost occurrence of a piece, because the stars around
 *      it absorb the difference — so no choice is ever revisited (no backtracking).
 * Each piece is matched with a RegExp of literals and `[^]` only — no quantifier, no alternation — so
 * the engine's only search is trying each start position once: at most name × piece steps, done in
 * native code. Case folding is ASCII only (the `i` flag without `u` never folds a non-ASCII
 * character onto an ASCII one), like SQLite's lower() in the store's GLOB prefilter, so both agree.
 */

/** Longest user pattern accepted (IAM user names are at most 64 characters). */
export const MAX_USER_PATTERN_LENGTH = 128;
/** Most wildcards (`*` and `?` together) a user pattern may hold; real patterns use one or two. */
export const MAX_USER_PATTERN_WILDCARDS = 16;

/** Characters a user pattern may contain: IAM user-name characters, `<>` (for `<root_account>`), and `*`, `?`. */
const USER_PATTERN_RE = /^[A-Za-z0-9_+=,.@<>*?-]+$/;

/** What is wrong with a user pattern, as a message for the `user_pattern` field; null when it is valid. */
export function userPatternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_USER_PATTERN_LENGTH || !USER_PATTERN_RE.test(pattern)) {
    return `must be a glob of 1-${MAX_USER_PATTERN_LENGTH} characters: IAM user-name characters (letters, digits, + = , . @ _ -), * (any run) and ? (one character)`;
  }
  let wildcards = 0;
  for (const c of pattern) if (c === '*' || c === '?') wildcards++;
  if (wildcards > MAX_USER_PATTERN_WILDCARDS) {
    return `must have at most ${MAX_USER_PATTERN_WILDCARDS} wildcards (* and ? together), got ${wildcards}`;
  }
  return null;
}

export interface SuppressionRule {
  id: number;
  /** The target it applies to; null = every target. */
  target: string | null;
  findingId: number | null;
  checkId: string | null;
  userPattern: string | null;
  expiresAt: number | null;
}

/** A stored suppression: a rule with why and when it was made. */
export interface Suppression extends SuppressionRule {
  reason: string;
  createdAt: number;
}

/** Which suppressions a list shows: `active` (not expired), `expired`, or `all`. */
export const SUPPRESSION_STATES = ['active', 'expired', 'all'] as const;
export type SuppressionState = (typeof SUPPRESSION_STATES)[number];

export interface MatchableFinding {
  id: number;
  checkId: string;
  userName: string | null;
  /** When given, a rule of another target does not apply (rules of every target always may). */
  target?: string;
}

export function isValidUserPattern(pattern: string): boolean {
  return userPatternProblem(pattern) === null;
}

/** The same glob with every run of `*` replaced by one `*` (what the matchers and the store's GLOB get). */
export const collapseStars = (pattern: string): string => pattern.replace(/\*\*+/g, '*');

/**
 * One piece of a glob (literals and `?`, no `*`) as a RegExp without quantifiers: every literal as a
 * \uXXXX escape (nothing in it can be special), every `?` as `[^]` (any one UTF-16 unit).
 */
function pieceRegExp(piece: string, flags: 'iy' | 'ig'): RegExp {
  let source = '';
  for (let i = 0; i < piece.length; i++) {
    source += piece[i] === '?' ? '[^]' : `\\u${piece.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return new RegExp(source, flags);
}

/** A piece anchored at a position (sticky). */
function anchoredPiece(piece: string): (name: string, at: number) => boolean {
  if (piece.length === 0) return () => true;
  const re = pieceRegExp(piece, 'iy');
  return (name, at) => {
    re.lastIndex = at;
    return re.test(name);
  };
}

/** A piece searched for from a position: the index of its leftmost occurrence, or -1. */
function searchedPiece(piece: string): (name: string, from: number) => number {
  const re = pieceRegExp(piece, 'ig');
  return (name, from) => {
    re.lastIndex = from;
    return re.exec(name)?.index ?? -1;
  };
}

/**
 * Compiles a user pattern into a predicate over user names (see the module comment for how it
 * matches). Patterns stored before the current bounds still compile and match in the same time.
 */
export function compileUserPattern(pattern: string): (name: string) => boolean {
  const pieces = collapseStars(pattern).split('*');
  const first = pieces[0]!;
  const fixedLength = pieces.reduce((sum, piece) => sum + piece.length, 0); // a name has at least this many characters
  const atStart = anchoredPiece(first);
  if (pieces.length === 1) return (name) => name.length === fixedLength && atStart(name, 0);

  const last = pieces[pieces.length - 1]!;
  const atEnd = anchoredPiece(last);
  const middle = pieces
    .slice(1, -1)
    .filter((piece) => piece.length > 0)
    .map((piece) => ({ length: piece.length, find: searchedPiece(piece) }));
  return (name) => {
    const end = name.length - last.length; // where the last piece must start
    if (name.length < fixedLength || !atStart(name, 0) || !atEnd(name, end)) return false;
    let from = first.length;
    for (const piece of middle) {
      const at = piece.find(name, from);
      if (at < 0 || at + piece.length > end) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** Whether a user name matches a user pattern (see compileUserPattern; compile once for many names). */
export const matchesUserPattern = (pattern: string, name: string): boolean => compileUserPattern(pattern)(name);

/**
 * The one definition of an active suppression: it applies while it has not expired (no expiry, or
 * now < expires_at). The store's SQL form of it is activeAt() in src/store/suppressions-sql.ts.
 */
export const isActiveAt = (rule: { expiresAt: number | null }, now: number): boolean => rule.expiresAt === null || rule.expiresAt > now;

/**
 * Active rules compiled once; `match` returns the id of the lowest-numbered suppression that applies
 * to a finding, or null.
 */
export interface SuppressionMatcher {
  readonly rules: readonly SuppressionRule[];
  /** True when no rule is active (the common case: callers skip all work). */
  readonly empty: boolean;
  match(f: MatchableFinding): number | null;
}

export function compileMatcher(rules: readonly SuppressionRule[], now: number): SuppressionMatcher {
  const active = rules.filter((r) => isActiveAt(r, now)).sort((a, b) => a.id - b.id);
  const byFinding = new Map<number, number>();
  const byCheck = new Map<string, { id: number; target: string | null; matches: (name: string) => boolean }[]>();
  for (const r of active) {
    if (r.findingId !== null) {
      if (!byFinding.has(r.findingId)) byFinding.set(r.findingId, r.id);
    } else if (r.checkId !== null) {
      const list = byCheck.get(r.checkId) ?? [];
      list.push({ id: r.id, target: r.target, matches: compileUserPattern(r.userPattern ?? '*') });
      byCheck.set(r.checkId, list);
    }
  }
  return {
    rules: active,
    empty: active.length === 0,
    match(f) {
      let best = byFinding.get(f.id) ?? null;
      const list = byCheck.get(f.checkId);
      if (list) {
        const name = f.userName ?? '';
        for (const { id, target, matches } of list) {
          if (best !== null && id > best) break;
          if (target !== null && f.target !== undefined && target !== f.target) continue;
          if (matches(name)) {
            best = id;
            break;
          }
        }
      }
      return best;
    },
  };
}
