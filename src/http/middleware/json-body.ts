/**
 * JSON request bodies (express.json), mounted after authentication: an anonymous request gets its
 * 401 (or 429) before a byte of its body is read, decompressed or decoded.
 *
 * Everything a client can get wrong about a body is a client error with the usual error shape, never
 * a 500 and never an `error` line with a stack trace in the log:
 *   415 unsupported_media_type  a charset JSON does not use (`charset=latin1`, `charset=bogus`; the
 *                               UTF encodings are accepted), or a Content-Encoding other than
 *                               identity, gzip, deflate or br;
 *   400 validation_failed       not JSON, or a compressed body that does not decompress (field `body`);
 *   413 payload_too_large       more than the limit — counted after decompression, so a small
 *                               compressed bomb is refused too.
 * What body-parser cannot blame on the client (its own misuse, status 500) goes on as it is.
 */
import express, { type RequestHandler } from 'express';
import { AppError } from '../../errors';

/** Largest JSON body accepted, decompressed (request bodies are small: `{"source": "api"}`). */
export const JSON_BODY_LIMIT = '100kb';

interface BodyParserError {
  status?: number;
  type?: string;
  charset?: string;
  encoding?: string;
}

/** The client error for a body-parser failure, or null when it is not the client's fault. */
export function bodyError(error: unknown): AppError | null {
  const e = (error ?? {}) as BodyParserError;
  const status = typeof e.status === 'number' ? e.status : 500;
  if (status >= 500) return null;
  switch (e.type) {
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 415, `Unsupported charset "${e.charset ?? ''}": send JSON bodies as UTF-8`);
    case 'encoding.unsupported':
      return new AppError(
        'unsupported_media_type',
        415,
        `Unsupported Content-Encoding "${e.encoding ?? ''}": send the body as is, or with gzip, deflate or br`,
      );
    case 'entity.too.large':
      return new AppError('payload_too_large', 413, `The request body is too large (at most ${JSON_BODY_LIMIT}, after decompression)`);
    case 'entity.parse.failed':
      return AppError.validation([{ field: 'body', message: 'is not valid JSON' }]);
    default:
      // A compressed body that does not decompress (zlib errors carry no type), a body shorter or
      // longer than its Content-Length, a request aborted half-way.
      return AppError.validation([{ field: 'body', message: 'could not be read (check Content-Length and Content-Encoding)' }]);
  }
}

/** Parses `application/json` bodies; every client mistake becomes an AppError (see above). */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: JSON_BODY_LIMIT });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      next(bodyError(error) ?? error);
    });
  };
}
