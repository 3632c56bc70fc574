import { and, asc, count, eq } from 'drizzle-orm';
import { compileMatcher, type Suppression, type SuppressionMatcher, type SuppressionState } from '../domain/suppressions';
import type { Db } from './db';
import { suppressions, type SuppressionRow } from './schema';
import { activeAt, appliesTo, suppressionState } from './suppressions-sql';

export interface NewSuppression {
  /** null: every target. */
  target: string | null;
  findingId: number | null;
  checkId: string | null;
  userPattern: string | null;
  reason: string;
  createdAt: number;
  expiresAt: number | null;
}

const toSuppression = (r: SuppressionRow): Suppression => ({
  id: r.id,
  target: r.target,
  findingId: r.findingId,
  checkId: r.checkId,
  userPattern: r.userPattern,
  reason: r.reason,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
});

export function makeSuppressionsRepository(db: Db) {
  return {
    /** Inserts a suppression; returns it only once the insert is committed (a failed commit raises). */
    create(input: NewSuppression): Suppression {
      const id = Number(db.insert(suppressions).values(input).run().lastInsertRowid);
      return toSuppression(db.select().from(suppressions).where(eq(suppressions.id, id)).get()!);
    },

    get(id: number): Suppression | null {
      const row = db.select().from(suppressions).where(eq(suppressions.id, id)).get();
      return row ? toSuppression(row) : null;
    },

    /** Deletes one suppression; false when it does not exist. */
    delete(id: number): boolean {
      return db.delete(suppressions).where(eq(suppressions.id, id)).run().changes === 1;
    },

    /** Suppressions (of those that apply to `target` — its own and every-target ones — when given), oldest first. */
    list(q: { target?: string; state: SuppressionState; now: number; limit: number; offset: number }): { items: Suppression[]; total: number } {
      const where = and(q.target ? appliesTo(q.target) : undefined, suppressionState(q.state, q.now));
      const rows = db.select().from(suppressions).where(where).orderBy(asc(suppressions.id)).limit(q.limit).offset(q.offset).all();
      const total = db.select({ n: count() }).from(suppressions).where(where).get()?.n ?? 0;
      return { items: rows.map(toSuppression), total };
    },

    /**
     * The rules that apply at `now` to a target (its own and every-target ones), or to any target
     * (undefined: every active rule; match() then checks each finding's target), compiled.
     */
    matcher(target: string | undefined, now: number): SuppressionMatcher {
      const rows = db
        .select()
        .from(suppressions)
        .where(and(target !== undefined ? appliesTo(target) : undefined, activeAt(now)))
        .all();
      return compileMatcher(rows.map(toSuppression), now);
    },
  };
}

export type SuppressionsRepository = ReturnType<typeof makeSuppressionsRepository>;
