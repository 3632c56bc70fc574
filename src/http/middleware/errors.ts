/** The one error middleware: `{ error: { code, message, details? } }`, never a stack trace. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '../../errors';
import { isStoreError } from '../../store';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 404, `No route for ${req.method} ${req.path}`));
};

/** An error Express or its parsers marked as the client's (status 4xx): safe to describe, not internal. */
const isClientHttpError = (error: unknown): error is Error & { status: number } => {
  const status = (error as { status?: unknown } | null)?.status;
  return error instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
};

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let appError: AppError;
  if (isAppError(error)) {
    appError = error;
  } else if (isClientHttpError(error)) {
    // Express's own 4xx (http-errors): a path parameter that is not valid percent-encoding, say.
    appError = AppError.validation([
      error instanceof URIError ? { field: 'path', message: 'is not valid percent-encoding' } : { field: 'request', message: error.message },
    ]);
  } else if (isStoreError(error)) {
    // The database cannot be written or read (full, read-only, corrupt): nothing was done; retry later.
    appError = new AppError('storage_unavailable', 503, error.message);
  } else {
    appError = new AppError('internal_error', 500, 'Internal error; see the server log for details (request id in X-Request-Id)');
  }
  if (appError.status >= 500) req.log?.error({ err: error }, 'request failed');
  if (res.headersSent) return;
  res.status(appError.status).json({
    error: { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) },
  });
};
