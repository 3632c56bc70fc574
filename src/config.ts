/**
 * The only module that reads process.env. Everything is validated with zod at start-up: a bad
 * value stops keywatch with every bad variable named (never a surprise at 3 a.m. when the
 * scheduled scan runs).
 */
import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { resolveChecks, type ResolvedCheck } from './checks/settings';
import { SCAN_SOURCES, type ScanSource } from './domain/snapshot';

const integer = (min: number, fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .transform((v, ctx) => {
      if (!/^-?\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${min}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

const positiveNumber = (fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a number greater than 0, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const BOOLEAN_WORDS = { true: true, false: false, '1': true, '0': false, yes: true, no: false } as const;
/** true/false/1/0/yes/no in any case, like the check switches (KEYWATCH_CHECK_*_ENABLED); empty = the default. */
const booleanFlag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .default(String(fallback))
    .transform((v) => (v === '' ? String(fallback) : v))
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true, false, 1, 0, yes or no' }))
    .transform((v) => BOOLEAN_WORDS[v]);

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const optionalUrl = optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
  message: 'expected an http(s) URL',
});

const timezone = z
  .string()
  .trim()
  .default('UTC')
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected an IANA time zone such as UTC or Europe/Berlin' },
  );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 8000).refine((p) => p <= 65535, { message: 'must be at most 65535' }),
  KEYWATCH_HOST: z.string().trim().default('0.0.0.0'),
  KEYWATCH_API_USER: z.string().trim().min(1, 'must not be empty').default('keywatch'),
  KEYWATCH_API_PASSWORD: optionalString,
  KEYWATCH_DB_PATH: z.string().trim().min(1, 'must not be empty').default('./data/keywatch.db'),
  KEYWATCH_TARGET: z
    .string()
    .trim()
    .default('default')
    .refine((t) => /^[A-Za-z0-9_.-]{1,64}$/.test(t), { message: 'expected 1-64 letters, digits, ".", "_" or "-"' }),
  AWS_REGION: z.string().trim().default('us-east-1'),
  KEYWATCH_IAM_ENDPOINT: optionalUrl,
  AWS_ENDPOINT_URL_IAM: optionalUrl,
  KEYWATCH_IAM_RATE: positiveNumber(5),
  KEYWATCH_IAM_CONCURRENCY: integer(1, 4),
  KEYWATCH_IAM_MAX_ATTEMPTS: integer(1, 10),
  KEYWATCH_IAM_BACKOFF_BASE_MS: integer(1, 200),
  KEYWATCH_IAM_BACKOFF_MAX_MS: integer(1, 20000),
  KEYWATCH_SCAN_SCHEDULE: z
    .string()
    .trim()
    .default('0 3 * * *')
    .refine((s) => s === '' || validateCron(s), { message: 'expected a cron expression such as "0 3 * * *" (empty disables)' }),
  KEYWATCH_SCAN_TIMEZONE: timezone,
  KEYWATCH_SCAN_SOURCE: z.enum(SCAN_SOURCES).default('api'),
  KEYWATCH_REPORT_TIMEOUT_S: integer(1, 300),
  KEYWATCH_RISK_ESCALATION: booleanFlag(true),
  KEYWATCH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEYWATCH_SHUTDOWN_GRACE_S: integer(0, 25),
  KEYWATCH_DEMO_USERS: integer(1, 250),
  KEYWATCH_DEMO_SEED: integer(0, 42),
  KEYWATCH_WEBHOOK_URL: optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'expected an http(s) URL (got something else; not shown because a webhook URL can hold a token)' },
  ),
  KEYWATCH_WEBHOOK_FORMAT: z.enum(['json', 'slack'], { message: 'expected json or slack' }).default('json'),
  KEYWATCH_WEBHOOK_MAX_ATTEMPTS: integer(1, 4),
  KEYWATCH_WEBHOOK_BACKOFF_BASE_MS: integer(1, 1000),
  KEYWATCH_WEBHOOK_TIMEOUT_MS: integer(1, 10000),
  KEYWATCH_RETENTION_DAYS: integer(0, 0),
  KEYWATCH_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters (got a shorter value, not shown because it is a secret)',
  }),
  KEYWATCH_AUTH_MAX_FAILURES: integer(1, 10),
  KEYWATCH_AUTH_FAILURE_WINDOW_S: integer(1, 300),
});

export const DEMO_IAM_RATE = 200;

export interface Config {
  env: 'development' | 'production' | 'test';
  /**
   * Credentials the AWS SDK reads from the environment itself (AWS_SECRET_ACCESS_KEY,
   * AWS_SESSION_TOKEN): never used by keywatch, only scrubbed from its logs.
   */
  awsEnvSecrets: string[];
  demo: boolean;
  port: number;
  host: string;
  version: string;
  auth: { user: string; password: string; passwordGenerated: boolean };
  dbPath: string;
  target: string;
  aws: {
    region: string;
    /** IAM (and STS) endpoint override for LocalStack, moto or the simulator. */
    iamEndpoint?: string;
  };
  iam: {
    ratePerSecond: number;
    concurrency: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
  };
  schedule: { cron: string | null; timezone: string; source: ScanSource };
  reportTimeoutMs: number;
  shutdownGraceMs: number;
  logLevel: string;
  demoAccount: { users: number; seed: number };
  checks: ResolvedCheck[];
  /**
   * Raise findings on the credentials of admin and privilege-escalation users one severity level
   * (KEYWATCH_RISK_ESCALATION; evaluateChecks/neededData option riskEscalation).
   */
  riskEscalation: boolean;
  /** Notifications after runs with new or resolved findings; null when KEYWATCH_WEBHOOK_URL is unset. */
  webhook: { url: string; format: 'json' | 'slack'; maxAttempts: number; backoffBaseMs: number; timeoutMs: number } | null;
  /** Runs older than this many days are deleted in the background; 0 keeps everything. */
  retentionDays: number;
  /** Bearer token that GET /metrics accepts besides basic auth (Prometheus); undefined = basic auth only. */
  metricsToken?: string;
  /** Failed basic-auth attempts one client IP may make per window before it gets 429 until the window ends. */
  authFailureLimit?: { maxFailures: number; windowMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Demo mode: the built-in simulated account, a generated password when none is set. */
  demo?: boolean;
  /** The server needs an API password outside demo mode; the CLI does not serve the API. */
  requireApiPassword?: boolean;
  /** Generates the demo password; injectable so tests are deterministic. */
  generatePassword?: () => string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageVersion: string = require('../package.json').version;

/**
 * Validates an environment (process.env by default) into a Config, or throws ConfigError naming
 * every bad variable at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(environment)');
      const shown = env[name] !== undefined && !issue.message.includes('got') ? ` (got "${env[name]}")` : '';
      problems.push(`${name}: ${issue.message}${shown}`);
    }
  }
  const checks = resolveChecks(env);
  problems.push(...checks.errors);

  const demo = options.demo ?? false;
  if (parsed.success && !demo && (options.requireApiPassword ?? true) && !parsed.data.KEYWATCH_API_PASSWORD) {
    problems.push(
      'KEYWATCH_API_PASSWORD: required outside demo mode. Set a strong password for the API (basic auth user KEYWATCH_API_USER), or run `npm run demo` to try keywatch against the simulated account.',
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const e = parsed.data;
  const generated = !e.KEYWATCH_API_PASSWORD;
  const password = e.KEYWATCH_API_PASSWORD ?? (options.generatePassword ?? defaultPasswordGenerator)();
  return {
    env: e.NODE_ENV,
    awsEnvSecrets: [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((s): s is string => typeof s === 'string' && s.length > 0),
    demo,
    port: e.PORT,
    host: e.KEYWATCH_HOST,
    version: packageVersion,
    auth: { user: e.KEYWATCH_API_USER, password, passwordGenerated: generated },
    dbPath: e.KEYWATCH_DB_PATH,
    target: e.KEYWATCH_TARGET,
    aws: { region: e.AWS_REGION, iamEndpoint: e.KEYWATCH_IAM_ENDPOINT ?? e.AWS_ENDPOINT_URL_IAM },
    iam: {
      // The simulated demo account has no real rate limit to respect: scan it quickly unless told otherwise.
      ratePerSecond: demo && env.KEYWATCH_IAM_RATE === undefined ? DEMO_IAM_RATE : e.KEYWATCH_IAM_RATE,
      concurrency: e.KEYWATCH_IAM_CONCURRENCY,
      maxAttempts: e.KEYWATCH_IAM_MAX_ATTEMPTS,
      backoffBaseMs: e.KEYWATCH_IAM_BACKOFF_BASE_MS,
      backoffMaxMs: e.KEYWATCH_IAM_BACKOFF_MAX_MS,
    },
    schedule: {
      cron: e.KEYWATCH_SCAN_SCHEDULE === '' ? null : e.KEYWATCH_SCAN_SCHEDULE,
      timezone: e.KEYWATCH_SCAN_TIMEZONE,
      source: e.KEYWATCH_SCAN_SOURCE,
    },
    reportTimeoutMs: e.KEYWATCH_REPORT_TIMEOUT_S * 1000,
    shutdownGraceMs: e.KEYWATCH_SHUTDOWN_GRACE_S * 1000,
    logLevel: e.KEYWATCH_LOG_LEVEL,
    demoAccount: { users: e.KEYWATCH_DEMO_USERS, seed: e.KEYWATCH_DEMO_SEED },
    checks: checks.checks,
    riskEscalation: e.KEYWATCH_RISK_ESCALATION,
    webhook: e.KEYWATCH_WEBHOOK_URL
      ? {
          url: e.KEYWATCH_WEBHOOK_URL,
          format: e.KEYWATCH_WEBHOOK_FORMAT,
          maxAttempts: e.KEYWATCH_WEBHOOK_MAX_ATTEMPTS,
          backoffBaseMs: e.KEYWATCH_WEBHOOK_BACKOFF_BASE_MS,
          timeoutMs: e.KEYWATCH_WEBHOOK_TIMEOUT_MS,
        }
      : null,
    retentionDays: e.KEYWATCH_RETENTION_DAYS,
    metricsToken: e.KEYWATCH_METRICS_TOKEN,
    authFailureLimit: { maxFailures: e.KEYWATCH_AUTH_MAX_FAILURES, windowMs: e.KEYWATCH_AUTH_FAILURE_WINDOW_S * 1000 },
  };
}

function defaultPasswordGenerator(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:crypto').randomBytes(18).toString('base64url');
}
