/** The one error middleware: `{ error: { code, message, details? } }`, never a stack trace. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '../../errors';
import { isStoreError } from '../../store';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 404, `No route for ${req.method} ${req.path}`));
};

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let appError: AppError;
  if (isAppError(error)) {
    appError = error;
  } else if (isStoreError(error)) {
    // The database cannot be written or read (full, read-only, corrupt): nothing was done; retry later.
    appError = new AppError('storage_unavailable', 503, error.message);
  } else if ((error as { type?: string })?.type === 'entity.parse.failed') {
    appError = AppError.validation([{ field: 'body', message: 'is not valid JSON' }]);
  } else if ((error as { type?: string })?.type === 'entity.too.large') {
    appError = new AppError('payload_too_large', 413, 'The request body is too large');
  } else {
    appError = new AppError('internal_error', 500, 'Internal error; see the server log for details (request id in X-Request-Id)');
  }
  if (appError.status >= 500) req.log?.error({ err: error }, 'request failed');
  if (res.headersSent) return;
  res.status(appError.status).json({
    error: { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) },
  });
};
