/**
 * Opaque page cursors (`next_cursor` of /api/findings and of diffs): base64url of a small JSON body
 * that says which query it continues and where. What a body holds and how it is checked is each
 * list's own; writing and reading one, and refusing a string that is not one of ours, is here.
 */
import { AppError } from '../errors';

const NOT_OURS = 'is not a cursor issued by this API (use next_cursor from the previous page)';

export function encodeCursorBody(body: object): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The body of a cursor, or a 400 naming `cursor` when `valid` refuses it (or it is not JSON at all). */
export function decodeCursorBody<T>(cursor: string, valid: (body: Partial<T>) => boolean): T {
  let body: Partial<T>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<T>;
  } catch {
    throw AppError.validation([{ field: 'cursor', message: NOT_OURS }]);
  }
  if (body === null || typeof body !== 'object' || !valid(body)) throw AppError.validation([{ field: 'cursor', message: NOT_OURS }]);
  return body as T;
}
