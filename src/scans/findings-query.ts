/**
 * Listing current findings: filters, sort, and pagination by offset or by an opaque keyset cursor.
 *
 * The cursor (`next_cursor`) is base64url(JSON) of the sort, the order, a hash of the filters and
 * the position (sort value + id) of the last item served. It stays correct while findings change
 * between pages (no skipped or repeated items, unlike offsets), and it is refused (400, field
 * `cursor`) when used with other filters or another sort than the ones it was issued for.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { decodeCursorBody, encodeCursorBody } from './cursor';
import { findingsFilterKey, sortValueOf, type ListFindingsQuery } from '../store';
import { type Finding, type FindingSort } from '../domain/findings';
import type { Store } from '../store';

/** The filters and sort of a findings listing (the store's query without its page position). */
export type FindingsFilter = Omit<ListFindingsQuery, 'limit' | 'offset' | 'after' | 'withTotal' | 'now'>;

export interface FindingsPageRequest extends FindingsFilter {
  limit: number;
  offset?: number;
  cursor?: string;
}

export interface FindingsPage {
  items: Finding[];
  total: number;
  /** The offset this page started at; null for a cursor page. */
  offset: number | null;
  nextOffset: number | null;
  nextCursor: string | null;
}

interface CursorBody {
  v: 1;
  s: FindingSort;
  o: 'asc' | 'desc';
  f: string;
  k: number | string;
  i: number;
}

const filterHash = (f: FindingsFilter): string => createHash('sha256').update(findingsFilterKey(f)).digest('base64url').slice(0, 12);

export function encodeCursor(f: FindingsFilter, last: Finding): string {
  const body: CursorBody = { v: 1, s: f.sort, o: f.order, f: filterHash(f), k: sortValueOf(last, f.sort), i: last.id };
  return encodeCursorBody(body);
}

export function decodeCursor(f: FindingsFilter, cursor: string): { value: number | string; id: number } {
  const body = decodeCursorBody<CursorBody>(
    cursor,
    (b) => b.v === 1 && Number.isInteger(b.i) && (typeof b.k === 'number' || typeof b.k === 'string') && typeof b.s === 'string' && typeof b.o === 'string',
  );
  if (body.s !== f.sort || body.o !== f.order || body.f !== filterHash(f)) {
    throw AppError.validation([
      { field: 'cursor', message: 'was issued for other filters or another sort; repeat the same query parameters, or start again without cursor' },
    ]);
  }
  return { value: body.k, id: body.i };
}

export function listFindings(store: Store, req: FindingsPageRequest, now: number): FindingsPage {
  if (req.cursor !== undefined && (req.offset ?? 0) > 0) {
    throw AppError.validation([{ field: 'offset', message: 'cannot be combined with cursor; use one or the other' }]);
  }
  const after = req.cursor !== undefined ? decodeCursor(req, req.cursor) : undefined;
  const offset = after ? undefined : (req.offset ?? 0);
  // One extra row tells whether another page follows.
  const { items: rows, total } = store.findings.list({ ...req, limit: req.limit + 1, offset, after, now });
  const count = total ?? 0;
  const more = rows.length > req.limit;
  const items = more ? rows.slice(0, req.limit) : rows;
  const last = items[items.length - 1];
  return {
    items,
    total: count,
    offset: after ? null : (offset ?? 0),
    nextOffset: !after && more ? (offset ?? 0) + items.length : null,
    nextCursor: more && last ? encodeCursor(req, last) : null,
  };
}

/** Every finding matching the filters, in pages (keyset, no counts): for exports. */
export function* allFindings(store: Store, filter: FindingsFilter, now: number, pageSize = 1000): Generator<Finding[]> {
  let after: { value: number | string; id: number } | undefined;
  for (;;) {
    const { items } = store.findings.list({ ...filter, limit: pageSize, after, withTotal: false, now });
    if (items.length > 0) yield items;
    if (items.length < pageSize) return;
    const last = items[items.length - 1]!;
    after = { value: sortValueOf(last, filter.sort), id: last.id };
  }
}
