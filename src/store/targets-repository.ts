/**
 * The targets keywatch knows: configured ones and accounts discovered in the organization. A target
 * that leaves the configuration or the organization is kept, inactive, so that its history still
 * reads with its account and label; it becomes active again if it comes back.
 */
import { and, asc, desc, eq, notInArray } from 'drizzle-orm';
import type { ScanSource } from '../domain/snapshot';
import type { Target, TargetOrigin } from '../domain/targets';
import type { Db } from './db';
import { targets, type TargetRow } from './schema';

/** A target as configuration or discovery describes it now (no ExternalId: secrets are not stored). */
export interface TargetDescription {
  name: string;
  accountId: string | null;
  label: string | null;
  roleArn: string | null;
  source: ScanSource;
}

/** A stored target: the domain's Target without its ExternalId, which lives in the configuration only. */
export type StoredTarget = Omit<Target, 'externalId'>;

const toTarget = (r: TargetRow): StoredTarget => ({
  name: r.name,
  accountId: r.accountId,
  label: r.label,
  origin: r.origin as TargetOrigin,
  roleArn: r.roleArn,
  source: r.source as ScanSource,
  active: r.active,
});

export function makeTargetsRepository(db: Db) {
  /**
   * Makes `described` the active targets of one origin, in one transaction: each is inserted or
   * updated (an account id already learnt is kept when the description has none); the other
   * targets of that origin become inactive.
   */
  function sync(origin: TargetOrigin, described: readonly TargetDescription[], now: number): void {
    db.transaction((tx) => {
      for (const t of described) {
        tx.insert(targets)
          .values({ ...t, origin, active: true, firstSeenAt: now, updatedAt: now })
          .onConflictDoUpdate({
            target: targets.name,
            set: {
              origin,
              label: t.label,
              roleArn: t.roleArn,
              source: t.source,
              active: true,
              updatedAt: now,
              ...(t.accountId !== null ? { accountId: t.accountId } : {}),
            },
          })
          .run();
      }
      const names = described.map((t) => t.name);
      tx.update(targets)
        .set({ active: false, updatedAt: now })
        .where(and(eq(targets.origin, origin), eq(targets.active, true), names.length > 0 ? notInArray(targets.name, names) : undefined))
        .run();
    });
  }

  return {
    /** The configured targets are exactly these (the others configured before become inactive). */
    syncConfigured: (described: readonly TargetDescription[], now: number): void => sync('configured', described, now),

    /** The organization's accounts are exactly these (called only after a discovery that succeeded). */
    syncDiscovered: (described: readonly TargetDescription[], now: number): void => sync('organization', described, now),

    /** Every target, active first, then by name. */
    list(): StoredTarget[] {
      return db
        .select()
        .from(targets)
        .orderBy(desc(targets.active), asc(targets.name))
        .all()
        .map(toTarget);
    },

    get(name: string): StoredTarget | null {
      const row = db.select().from(targets).where(eq(targets.name, name)).get();
      return row ? toTarget(row) : null;
    },

    /**
     * When each inactive target became inactive (left the configuration or the organization): the
     * last time it was described, which is the sync that deactivated it.
     */
    inactiveSince(): Map<string, number> {
      const rows = db.select({ name: targets.name, at: targets.updatedAt }).from(targets).where(eq(targets.active, false)).all();
      return new Map(rows.map((r) => [r.name, r.at]));
    },

    /** A scan learnt the account id of a target (configured targets without a role know it only then). */
    recordAccount(name: string, accountId: string): void {
      db.update(targets).set({ accountId }).where(eq(targets.name, name)).run();
    },
  };
}

export type TargetsRepository = ReturnType<typeof makeTargetsRepository>;
