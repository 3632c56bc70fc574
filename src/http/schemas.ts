/**
 * The HTTP layer's own schemas: the error answer, request parameters shared by routes (ids, whole
 * numbers in query strings, pagination) and the page envelopes of lists. The JSON shapes of runs,
 * findings, diffs, suppressions and trends are keywatch's public shapes: src/presenters/schemas.ts.
 */
import { LEGACY_TARGET_NAME_PATTERN } from '../domain/targets';
import { FindingSchema } from '../presenters/schemas';
import { z } from './openapi';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

/** The error answers of a route; every route that reaches the database can also answer 503 storage_unavailable. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([...statuses, 503])].map((s) => [
      s,
      {
        description:
          (
            {
              400: 'Invalid input (the field is named)',
              401: 'Missing or wrong credentials',
              404: 'Unknown id',
              409: 'Conflict',
              413: 'Body larger than 100 kB (after decompression)',
              415: 'Unsupported charset (JSON is UTF-8) or Content-Encoding (identity, gzip, deflate, br)',
              503: 'Storage unavailable (`storage_unavailable`): the database cannot be written or read — full disk, read-only or corrupt file; the message names the database path and the SQLite error code. Nothing was changed.',
            } as Record<number, string>
          )[s] ?? 'Error',
        content: { 'application/json': { schema: ErrorResponse } },
      },
    ]),
  );

/**
 * Whole numbers in query strings and paths are plain decimal digits — "0", "10", "-1" (then refused
 * by the bounds) — never "0x10", "0b11", "1e2", "+5", " 10", "010" or "", all of which Number()
 * would quietly accept (or turn into 0).
 */
const DECIMAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;
const POSITIVE_DECIMAL_INTEGER = /^[1-9][0-9]*$/;

/** A query-string integer within [min, max]: "10" → 10, anything else a 400 naming the field. */
export const queryInt = (min: number, max: number) => {
  const message = 'must be a whole number in plain decimal digits, e.g. 10';
  return z
    .string({ message })
    .regex(DECIMAL_INTEGER, message)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .openapi({ type: 'integer', minimum: min, maximum: max });
};

/** A positive id (path or query): "7" → 7; "0", "07", "7.0", "0x7" are a 400 with `message`. */
export const positiveId = (message = 'must be a positive whole number') =>
  z
    .string({ message })
    .regex(POSITIVE_DECIMAL_INTEGER, message)
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, message))
    .openapi({ type: 'integer', minimum: 1 });

/**
 * A target's name in a query or body: every target name matches (configured names, 12-digit account
 * ids of discovered accounts). Anything else is a 400 naming the field, never a header or log injection.
 */
export const targetName = () =>
  z
    .string({ message: 'must be a target name (GET /api/targets)' })
    .regex(LEGACY_TARGET_NAME_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-" (a target name; see GET /api/targets)');

export const PaginationQuery = z.object({
  limit: queryInt(1, 500).default(50).openapi({ description: 'Page size (1–500)', default: 50, example: 50 }),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0).openapi({ description: 'Items to skip', default: 0, example: 0 }),
});

export const page = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      total: z.number().int().openapi({ description: 'Items matching the filters, over all pages' }),
      limit: z.number().int(),
      offset: z.number().int(),
      next_offset: z.number().int().nullable().openapi({ description: 'Offset of the next page, null on the last page' }),
    })
    .openapi(name);

/** A page of a list in the `page()` envelope. */
export const pageOf = <T>(items: T[], total: number, limit: number, offset: number) => ({
  items,
  total,
  limit,
  offset,
  next_offset: offset + items.length < total ? offset + items.length : null,
});

export const IdParam = z.object({
  id: positiveId().openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

export const FindingPageSchema = z
  .object({
    items: z.array(FindingSchema),
    total: z.number().int().openapi({ description: 'Findings matching the filters, over all pages' }),
    limit: z.number().int(),
    offset: z.number().int().nullable().openapi({ description: 'Offset of this page; null when it was requested with a cursor' }),
    next_offset: z.number().int().nullable().openapi({ description: 'Offset pagination: offset of the next page; null on the last page or in cursor mode' }),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Opaque cursor of the next page (pass it as `cursor` with the same filters and sort); null on the last page' }),
  })
  .openapi('FindingPage');
