/** Helpers for the history tests: a settable clock, small accounts built relative to it, and finders. */
import { addAccessKey, addUser, DAY_MS, emptyAccount, mulberry32, type SimAccount } from '../../src/simulator';
import type { Harness } from '../support/harness';

export const ACCOUNT_ID = '444455556666';

/** A clock tests move by hand. */
export class TestClock {
  constructor(public now: Date) {}
  readonly fn = (): Date => this.now;
  advanceDays(days: number): void {
    this.now = new Date(this.now.getTime() + days * DAY_MS);
  }
  set(iso: string): void {
    this.now = new Date(iso);
  }
}

export interface KeySpec {
  user: string;
  ageDays: number;
  status?: 'Active' | 'Inactive';
  /** Default 1 (used yesterday); null = never used. */
  lastUsedDaysAgo?: number | null;
}

/** An account whose users each have the keys given (one user per distinct name). */
export function accountWith(keys: KeySpec[], now: Date, seed = 3): SimAccount {
  const account = emptyAccount(ACCOUNT_ID);
  const rng = mulberry32(seed);
  for (const k of keys) {
    if (!account.users.some((u) => u.userName === k.user)) addUser(account, { userName: k.user, createDate: new Date(now.getTime() - 2000 * DAY_MS), rng });
    addAccessKey(account, k.user, {
      ageDays: k.ageDays,
      now,
      status: k.status ?? 'Active',
      lastUsedDaysAgo: k.lastUsedDaysAgo === undefined ? Math.min(1, k.ageDays) : k.lastUsedDaysAgo,
      rng,
    });
  }
  return account;
}

/** The access key id of a user's first key in the simulated account. */
export function keyOf(h: Harness, user: string, index = 0): string {
  const u = h.sim.account.users.find((x) => x.userName === user);
  if (!u || !u.accessKeys[index]) throw new Error(`no key ${index} for ${user}`);
  return u.accessKeys[index]!.accessKeyId;
}

export interface FindingLike {
  check_id: string;
  resource_id: string;
  user_name: string | null;
  severity: string;
}

/** "check:user:severity" labels, sorted — compact, readable expectations. */
export const labels = (items: FindingLike[]): string[] => items.map((f) => `${f.check_id}:${f.user_name ?? '-'}:${f.severity}`).sort();

/** Runs a scan through the API with ?wait=true; returns the run JSON (any status). */
export async function scan(h: Harness): Promise<{ id: number; status: string; stats: Record<string, unknown> }> {
  const res = await h.post('/api/scans?wait=true').send({ source: 'api' });
  if (res.status !== 200) throw new Error(`scan answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** All findings (every page) of GET /api/findings with the given query. */
export type ListedFinding = FindingLike & { id: number; [k: string]: unknown };

export async function allFindings(h: Harness, query: string): Promise<ListedFinding[]> {
  const out: ListedFinding[] = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await h.get(`/api/findings?${query}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`findings answered ${res.status}: ${JSON.stringify(res.body)}`);
    out.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return out;
  }
}
