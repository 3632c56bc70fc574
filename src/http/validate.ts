import type { z } from 'zod';
import { AppError } from '../errors';

/**
 * Parses input with a zod schema; failure is a 400 that names every wrong field
 * (`query.hours`, `body.source`, …), never a 500.
 */
export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown, where: 'query' | 'body' | 'path'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw AppError.validation(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : where,
      message: issue.message,
    })),
  );
}
