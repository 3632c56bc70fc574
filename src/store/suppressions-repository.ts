import { and, asc, count, eq } from 'drizzle-orm';
import { compileMatcher, type Suppression, type SuppressionMatcher, type SuppressionState } from '../domain/suppressions';
import type { Db } from './db';
import { suppressions, type SuppressionRow } from './schema';
import { activeAt, suppressionState } from './suppressions-sql';

export interface NewSuppression {
  target: string;
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

    list(q: { target?: string; state: SuppressionState; now: number; limit: number; offset: number }): { items: Suppression[]; total: number } {
      const where = and(q.target ? eq(suppressions.target, q.target) : undefined, suppressionState(q.state, q.now));
      const rows = db.select().from(suppressions).where(where).orderBy(asc(suppressions.id)).limit(q.limit).offset(q.offset).all();
      const total = db.select({ n: count() }).from(suppressions).where(where).get()?.n ?? 0;
      return { items: rows.map(toSuppression), total };
    },

    /** The rules of a target that apply at `now`, compiled. */
    matcher(target: string, now: number): SuppressionMatcher {
      const rows = db
        .select()
        .from(suppressions)
        .where(and(eq(suppressions.target, target), activeAt(now)))
        .all();
      return compileMatcher(rows.map(toSuppression), now);
    },
  };
}

export type SuppressionsRepository = ReturnType<typeof makeSuppressionsRepository>;
