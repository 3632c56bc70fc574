/**
 * The one error type of keywatch. Every layer throws AppError (or lets something unexpected
 * through); the HTTP error middleware turns it into `{ error: { code, message, details? } }`.
 */
export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'not_found',
  'scan_in_progress',
  'conflict',
  'aws_access_denied',
  'aws_throttled',
  'aws_unavailable',
  'aws_error',
  'aws_credentials',
  'aws_assume_role_denied',
  'report_failed',
  'storage_error',
  'storage_unavailable',
  'too_many_requests',
  'payload_too_large',
  'unsupported_media_type',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const isErrorCode = (value: unknown): value is ErrorCode => (ERROR_CODES as readonly unknown[]).includes(value);

export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }

  static validation(details: ErrorDetail[]): AppError {
    const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return new AppError('validation_failed', 400, `Invalid request: ${summary}`, details);
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', 404, `${what} not found`);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
