/**
 * How a suppression matches a finding. One implementation, used by the store (flags on findings,
 * filters, per-run counts) and by the suppressions use case (validation).
 *
 * - by finding id: exactly that finding;
 * - by check id + user pattern: every finding of that check whose user name matches the glob,
 *   case-insensitively (IAM user names are unique case-insensitively). `*` matches any run of
 *   characters (also none), `?` exactly one; every other character matches itself. A finding without
 *   a user (account-level) has the user name "" — only `*` matches it.
 * A suppression applies while it has not expired: expires_at NULL, or expires_at > now.
 */

/** Characters a user pattern may contain: IAM user-name characters, `<>` (for `<root_account>`), and `*`, `?`. */
export const USER_PATTERN_RE = /^[A-Za-z0-9_+=,.@<>*?-]{1,128}$/;

export interface SuppressionRule {
  id: number;
  target: string;
  findingId: number | null;
  checkId: string | null;
  userPattern: string | null;
  expiresAt: number | null;
}

export interface MatchableFinding {
  id: number;
  checkId: string;
  userName: string | null;
}

export function isValidUserPattern(pattern: string): boolean {
  return USER_PATTERN_RE.test(pattern);
}

/** The glob as an anchored, case-insensitive RegExp. Throws on a pattern that isValidUserPattern rejects. */
export function userPatternRegExp(pattern: string): RegExp {
  if (!isValidUserPattern(pattern)) throw new Error(`invalid user pattern: ${pattern}`);
  const body = pattern.replace(/[.+^${}()|[\]\\=,@<>-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

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
  const byCheck = new Map<string, { id: number; re: RegExp }[]>();
  for (const r of active) {
    if (r.findingId !== null) {
      if (!byFinding.has(r.findingId)) byFinding.set(r.findingId, r.id);
    } else if (r.checkId !== null) {
      const list = byCheck.get(r.checkId) ?? [];
      list.push({ id: r.id, re: userPatternRegExp(r.userPattern ?? '*') });
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
        for (const { id, re } of list) {
          if (best !== null && id > best) break;
          if (re.test(name)) {
            best = id;
            break;
          }
        }
      }
      return best;
    },
  };
}
