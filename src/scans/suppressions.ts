/**
 * Suppressions (accepted risks). A suppression names either one finding (finding_id) or a check plus
 * a user-name glob (check_id + user_pattern, `*` and `?`, case-insensitive; default `*` = every
 * finding of the check). A reason is required; expires_at is optional and must lie in the future.
 *
 * A suppression applies to one target or to every target: one by finding_id applies to that
 * finding's target; one by check_id + user_pattern to the target it names, or, naming none, to every
 * target (stored with target null).
 *
 * Suppressed findings are still recorded and flagged; they are left out of /api/findings, diffs,
 * trends and notifications by default. A suppression applies while now < expires_at: it stops by
 * itself when it expires (evaluated at read time, no background job). Deleting one brings its
 * findings back at once.
 */
import { getCheck } from '../checks/catalog';
import { AppError, type ErrorDetail } from '../errors';
import type { Store } from '../store';
import type { Suppression, SuppressionState } from '../domain/suppressions';
import type { Target } from '../domain/targets';
import { compileMatcher, isActiveAt, userPatternProblem } from '../domain/suppressions';

export { MAX_USER_PATTERN_LENGTH, MAX_USER_PATTERN_WILDCARDS } from '../domain/suppressions';

export interface CreateSuppressionInput {
  /** The target it applies to. By finding: must be the finding's (default). By check: default every target. */
  target?: string;
  findingId?: number;
  checkId?: string;
  userPattern?: string;
  reason: string;
  /** ms since epoch */
  expiresAt?: number;
}

export interface SuppressionView extends Suppression {
  active: boolean;
  /** Open findings this suppression covers now (0 once expired). */
  matchedOpenFindings: number;
}

export class SuppressionService {
  constructor(
    private readonly store: Store,
    /** Which targets exist (the target registry). */
    private readonly targets: { get(name: string): Target | null },
    private readonly clock: () => Date,
  ) {}

  create(input: CreateSuppressionInput): SuppressionView {
    const now = this.clock().getTime();
    const problems: ErrorDetail[] = [];
    const reason = input.reason.trim();
    if (reason === '') problems.push({ field: 'reason', message: 'is required: say why this finding is accepted' });
    if (input.findingId === undefined && input.checkId === undefined) {
      problems.push({ field: 'finding_id', message: 'give finding_id, or check_id (with user_pattern)' });
    }
    if (input.findingId !== undefined && input.checkId !== undefined) {
      problems.push({ field: 'check_id', message: 'cannot be combined with finding_id; a suppression is by finding or by check + user pattern' });
    }
    if (input.findingId !== undefined && input.userPattern !== undefined) {
      problems.push({ field: 'user_pattern', message: 'only applies with check_id' });
    }
    if (input.checkId !== undefined && !getCheck(input.checkId)) {
      problems.push({ field: 'check_id', message: `unknown check "${input.checkId}"; see GET /api/checks` });
    }
    const patternProblem = input.userPattern !== undefined ? userPatternProblem(input.userPattern) : null;
    if (patternProblem !== null) problems.push({ field: 'user_pattern', message: patternProblem });
    if (input.expiresAt !== undefined && input.expiresAt <= now) {
      problems.push({ field: 'expires_at', message: `must be in the future (now is ${new Date(now).toISOString()})` });
    }
    if (input.target !== undefined && !this.targets.get(input.target)) {
      problems.push({ field: 'target', message: `unknown target "${input.target}"; see GET /api/targets` });
    }
    // By check: the named target, or every target (null).
    let target: string | null = input.target ?? null;
    if (input.findingId !== undefined && problems.length === 0) {
      const finding = this.store.findings.get(input.findingId, now);
      if (!finding) problems.push({ field: 'finding_id', message: `no finding with id ${input.findingId}` });
      else if (input.target !== undefined && input.target !== finding.target) {
        problems.push({ field: 'target', message: `finding ${input.findingId} belongs to target "${finding.target}"; leave target out, or name that one` });
      } else target = finding.target;
    }
    if (problems.length > 0) throw AppError.validation(problems);

    const created = this.store.suppressions.create({
      target,
      findingId: input.findingId ?? null,
      checkId: input.checkId ?? null,
      userPattern: input.checkId !== undefined ? (input.userPattern ?? '*') : null,
      reason,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
    });
    return this.view(created, now);
  }

  /** Suppressions (with `target`: those that apply to it — its own and every-target ones), oldest first. */
  list(q: { target?: string; state: SuppressionState; limit: number; offset: number }): { items: SuppressionView[]; total: number } {
    const now = this.clock().getTime();
    const { items, total } = this.store.suppressions.list({ ...q, now });
    return { items: items.map((s) => this.view(s, now)), total };
  }

  get(id: number): SuppressionView {
    const s = this.store.suppressions.get(id);
    if (!s) throw AppError.notFound(`Suppression ${id}`);
    return this.view(s, this.clock().getTime());
  }

  delete(id: number): void {
    if (!this.store.suppressions.delete(id)) throw AppError.notFound(`Suppression ${id}`);
  }

  private view(s: Suppression, now: number): SuppressionView {
    const active = isActiveAt(s, now);
    return {
      ...s,
      active,
      matchedOpenFindings: active ? this.store.findings.countOpenMatching(s.target, compileMatcher([s], now)) : 0,
    };
  }
}
