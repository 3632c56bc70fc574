/**
 * JSON logs (pino), one object per line on stdout (the CLI: stderr).
 *
 * Secrets never reach a log, by two independent means:
 * 1. Redaction by path: credential-shaped fields (authorization headers, cookies, passwords,
 *    secret keys, tokens, the secret environment variables) are replaced wherever they appear in a
 *    logged object, whatever the code that logged it.
 * 2. Scrubbing by value: main.ts and the CLI pass the configured secrets (API password, its basic
 *    auth header value, metrics token, webhook URL, AWS secret key and session token from the
 *    environment); any line that would contain one of them verbatim — in a message, an error
 *    text, anywhere — has it replaced.
 *
 * HTTP request lines carry the request id (`req.id`, from X-Request-Id or a UUID, echoed in the
 * response); scan lines carry `run_id` (the scan service logs through a child logger).
 */
import pino, { type Logger } from 'pino';

export const REDACTED = '[redacted]';

const SECRET_KEYS = [
  'password',
  'secretAccessKey',
  'sessionToken',
  'token',
  'metricsToken',
  'authorization',
  'cookie',
  'KEYWATCH_API_PASSWORD',
  'KEYWATCH_METRICS_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  'config.auth.password',
  'config.metricsToken',
  'auth.password',
  'credentials.secretAccessKey',
  'credentials.sessionToken',
  'awsCredentials.secretAccessKey',
  'awsCredentials.sessionToken',
  'env.KEYWATCH_API_PASSWORD',
  'env.KEYWATCH_METRICS_TOKEN',
  'env.AWS_SECRET_ACCESS_KEY',
  'env.AWS_SESSION_TOKEN',
  // any of the secret keys at the top level or one level down
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
];

export interface LoggerOptions {
  /** Values that must never appear in a log line (replaced by [redacted]); values under 4 characters are ignored. */
  secrets?: (string | undefined | null)[];
}

export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  const secrets = [...new Set((options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4))];
  let dest: pino.DestinationStream | undefined = destination;
  if (secrets.length > 0) dest = scrubbingDestination(destination ?? pino.destination({ dest: 1, sync: true }), secrets);
  return pino(
    {
      level,
      base: { service: 'keywatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    dest as pino.DestinationStream,
  );
}

/** The secrets of a loaded configuration and environment, for LoggerOptions.secrets. */
export function configSecrets(
  config: { auth: { user: string; password: string }; metricsToken?: string; webhook?: { url: string } | null; awsEnvSecrets?: string[] },
  env: Record<string, string | undefined> = {},
): string[] {
  const basic = Buffer.from(`${config.auth.user}:${config.auth.password}`, 'utf8').toString('base64');
  // A webhook URL can be a credential itself (Slack's is); the notifier logs only its host.
  return [config.auth.password, basic, config.metricsToken, config.webhook?.url, ...(config.awsEnvSecrets ?? []), env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

/**
 * Wraps a destination so that every occurrence of a secret — raw or JSON-escaped, as the line is
 * JSON — is replaced before the line is written.
 */
export function scrubbingDestination(destination: pino.DestinationStream, secrets: string[]): pino.DestinationStream {
  const needles = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  const scrub = (line: string): string => {
    let out = line;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
  const target = destination as pino.DestinationStream & { flushSync?: () => void; end?: () => void };
  const wrapped: pino.DestinationStream & { flushSync?: () => void } = {
    write: (chunk: string) => target.write(scrub(chunk)),
  };
  if (typeof target.flushSync === 'function') wrapped.flushSync = () => target.flushSync!();
  return wrapped;
}

/** A destination that keeps every line in memory (tests, diagnostics). */
export function memoryDestination(): pino.DestinationStream & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    lines,
    text: () => lines.join('\n'),
    write: (chunk: string) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.length > 0));
    },
  };
}

export type { Logger };
