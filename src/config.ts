/**
 * The only module that reads process.env. Everything is validated with zod at start-up: a bad
 * value stops keywatch with every bad variable named (never a surprise at 3 a.m. when the
 * scheduled scan runs).
 */
import { isIP } from 'node:net';
import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { CHECK_ENV_PREFIX, resolveChecks, type ResolvedCheck } from './checks/settings';
import { EXTERNAL_ID, organizationTargets, readTargetsFile, ROLE_NAME, type TargetsConfig } from './config-targets';
import { WEBHOOK_FORMATS, type WebhookFormat } from './domain/notifications';
import { SCAN_SOURCES, type ScanSource } from './domain/snapshot';

/** Demo mode's organization has three accounts of at least one user each (src/demo.ts). */
export const DEMO_MIN_USERS = 3;

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

/** Names Express's `trust proxy` accepts for address ranges (proxy-addr). */
const NAMED_SUBNETS = ['loopback', 'linklocal', 'uniquelocal'];

/** One proxy address: an IPv4/IPv6 address, optionally with a /prefix, or a named subnet. */
function isProxyAddress(item: string): boolean {
  if (NAMED_SUBNETS.includes(item)) return true;
  const [address, prefix, extra] = item.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which reverse proxies to believe about the client address (X-Forwarded-For), in the forms
 * Express's `trust proxy` setting takes: false (default: the TCP peer is the client), true (every
 * hop; only when nothing can reach keywatch but the proxy), a hop count, or proxy addresses/CIDRs.
 */
const trustProxy = z
  .string()
  .trim()
  .default('false')
  .transform((v, ctx): boolean | number | string[] => {
    if (v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^[1-9]\d{0,2}$/.test(v)) return Number(v);
    const items = v.split(',').map((item) => item.trim());
    const bad = items.filter((item) => !isProxyAddress(item));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected false, true, a hop count (1-999) or comma-separated proxy addresses/CIDRs (e.g. 10.0.0.0/8, loopback); not understood: ${bad.map((b) => `"${b}"`).join(', ')}`,
      });
      return z.NEVER;
    }
    return items;
  });

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
  KEYWATCH_TARGETS_FILE: optionalString,
  KEYWATCH_ORG_ROLE_NAME: optionalString.refine((v) => v === undefined || ROLE_NAME.test(v), {
    message: 'expected an IAM role name (1-64 letters, digits or + = , . @ _ -)',
  }),
  KEYWATCH_ORG_EXTERNAL_ID: optionalString.refine((v) => v === undefined || EXTERNAL_ID.test(v), {
    message: 'expected 2-1224 letters, digits or + = , . @ : / - _ (got something else; not shown because it is a secret)',
  }),
  KEYWATCH_SCAN_PARALLELISM: integer(1, 4),
  KEYWATCH_IAM_ENDPOINT: optionalUrl,
  AWS_ENDPOINT_URL_IAM: optionalUrl,
  AWS_ENDPOINT_URL_STS: optionalUrl,
  AWS_ENDPOINT_URL_ORGANIZATIONS: optionalUrl,
  AWS_ENDPOINT_URL: optionalUrl,
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
  KEYWATCH_SCAN_LEASE_TIMEOUT_S: integer(1, 60),
  KEYWATCH_RISK_ESCALATION: booleanFlag(true),
  KEYWATCH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEYWATCH_SHUTDOWN_GRACE_S: integer(0, 25),
  KEYWATCH_DEMO_USERS: integer(DEMO_MIN_USERS, 250),
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
  KEYWATCH_WEBHOOK_FORMAT: z.enum(WEBHOOK_FORMATS, { message: `expected ${WEBHOOK_FORMATS.join(' or ')}` }).default('json'),
  KEYWATCH_WEBHOOK_MAX_ATTEMPTS: integer(1, 4),
  KEYWATCH_WEBHOOK_BACKOFF_BASE_MS: integer(1, 1000),
  KEYWATCH_WEBHOOK_TIMEOUT_MS: integer(1, 10000),
  KEYWATCH_RETENTION_DAYS: integer(0, 0),
  KEYWATCH_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters (got a shorter value, not shown because it is a secret)',
  }),
  KEYWATCH_AUTH_MAX_FAILURES: integer(1, 10),
  KEYWATCH_AUTH_FAILURE_WINDOW_S: integer(1, 300),
  KEYWATCH_TRUST_PROXY: trustProxy,
});

/** Every variable the schema reads: new entries above are known to the unknown-variable check at once. */
const KNOWN_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
const ENV_PREFIX = 'KEYWATCH_';

/**
 * Variables Kubernetes injects for a Service named `keywatch` in the same namespace (service links:
 * KEYWATCH_SERVICE_HOST, KEYWATCH_PORT=tcp://…, KEYWATCH_PORT_8000_TCP_ADDR, …). k8s/deployment.yaml
 * turns them off; other deployments may not, and keywatch must still start. A bare KEYWATCH_PORT
 * only counts as one when its value is a service link (tcp://…): KEYWATCH_PORT=8080 is a mistake for PORT.
 */
function isKubernetesServiceLink(name: string, value: string): boolean {
  if (/^KEYWATCH_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)$/.test(name)) return true;
  if (/^KEYWATCH_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/.test(name)) return true;
  return name === 'KEYWATCH_PORT' && /^(tcp|udp|sctp):\/\//.test(value);
}

/** Levenshtein distance (insertions, deletions, substitutions), for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known variable a mistyped name most likely meant (KEYWATCH_PORT → PORT: the prefix added by mistake). */
function closestKnownVariable(name: string): string {
  const unprefixed = name.slice(ENV_PREFIX.length);
  if (KNOWN_VARIABLES.includes(unprefixed)) return unprefixed;
  let best = KNOWN_VARIABLES[0]!;
  for (const known of KNOWN_VARIABLES) if (editDistance(name, known) < editDistance(name, best)) best = known;
  return best;
}

/**
 * Every KEYWATCH_* variable that keywatch does not read is a mistake (a typo is otherwise silently
 * ignored and its setting keeps its default): one problem each, naming the closest known variable.
 * KEYWATCH_CHECK_* variables are checked against the check catalog instead (resolveChecks).
 */
function unknownVariableProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(ENV_PREFIX) || name.startsWith(CHECK_ENV_PREFIX)) continue;
    if (KNOWN_VARIABLES.includes(name) || isKubernetesServiceLink(name, value)) continue;
    problems.push(`${name}: not a keywatch variable; did you mean ${closestKnownVariable(name)}? (every variable: docs/configuration.md)`);
  }
  return problems;
}

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
  /**
   * The default target: the only configured one (KEYWATCH_TARGET without a targets file), or the
   * first of the targets file. Discovered targets are known at run time (src/scans/targets.ts).
   */
  target: string;
  /** Which accounts to scan: configured targets and organization discovery. */
  targets: TargetsConfig;
  /** How many targets are scanned at once; the rest wait for a slot. */
  scanParallelism: number;
  aws: {
    region: string;
    /**
     * Endpoint overrides (LocalStack, moto, the simulator): KEYWATCH_IAM_ENDPOINT points IAM, STS and
     * Organizations at one endpoint; the SDK's AWS_ENDPOINT_URL_IAM / _STS / _ORGANIZATIONS and
     * AWS_ENDPOINT_URL are honoured too. undefined: AWS's own endpoints.
     */
    endpoints: { iam?: string; sts?: string; organizations?: string };
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
  /** A scan lease not renewed for this long belongs to a dead process: it may be taken over and its run is interrupted. */
  scanLeaseTimeoutMs: number;
  shutdownGraceMs: number;
  logLevel: string;
  /** Demo mode's simulated organization: its users over all accounts (KEYWATCH_DEMO_USERS) and its seed. */
  demoAccount: { users: number; seed: number };
  checks: ResolvedCheck[];
  /**
   * Raise findings on the credentials of admin and privilege-escalation users one severity level
   * (KEYWATCH_RISK_ESCALATION; evaluateChecks/neededData option riskEscalation).
   */
  riskEscalation: boolean;
  /** Notifications after runs with new or resolved findings; null when KEYWATCH_WEBHOOK_URL is unset. */
  webhook: { url: string; format: WebhookFormat; maxAttempts: number; backoffBaseMs: number; timeoutMs: number } | null;
  /** Runs older than this many days are deleted in the background; 0 keeps everything. */
  retentionDays: number;
  /** Bearer token that GET /metrics accepts besides basic auth (Prometheus); undefined = basic auth only. */
  metricsToken?: string;
  /** Failed basic-auth attempts one client IP may make per window before it gets 429 until the window ends. */
  authFailureLimit?: { maxFailures: number; windowMs: number };
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For decides the client address (req.ip) that
   * the failed-login limiter counts against. false = the TCP peer.
   */
  trustProxy: boolean | number | string[];
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
  problems.push(...unknownVariableProblems(env));
  const checks = resolveChecks(env);
  problems.push(...checks.errors);

  const demo = options.demo ?? false;
  if (parsed.success && !demo && (options.requireApiPassword ?? true) && !parsed.data.KEYWATCH_API_PASSWORD) {
    problems.push(
      'KEYWATCH_API_PASSWORD: required outside demo mode. Set a strong password for the API (basic auth user KEYWATCH_API_USER), or run `npm run demo` to try keywatch against the simulated account.',
    );
  }
  const targets = parsed.success ? resolveTargets(parsed.data, problems) : null;
  if (problems.length > 0 || !parsed.success || !targets) throw new ConfigError(problems);

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
    target: targets.configured[0]?.name ?? e.KEYWATCH_TARGET,
    targets,
    scanParallelism: e.KEYWATCH_SCAN_PARALLELISM,
    aws: {
      region: e.AWS_REGION,
      endpoints: {
        iam: e.KEYWATCH_IAM_ENDPOINT ?? e.AWS_ENDPOINT_URL_IAM ?? e.AWS_ENDPOINT_URL,
        sts: e.KEYWATCH_IAM_ENDPOINT ?? e.AWS_ENDPOINT_URL_STS ?? e.AWS_ENDPOINT_URL,
        organizations: e.KEYWATCH_IAM_ENDPOINT ?? e.AWS_ENDPOINT_URL_ORGANIZATIONS ?? e.AWS_ENDPOINT_URL,
      },
    },
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
    scanLeaseTimeoutMs: e.KEYWATCH_SCAN_LEASE_TIMEOUT_S * 1000,
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
    trustProxy: e.KEYWATCH_TRUST_PROXY,
  };
}

/**
 * The targets: the targets file when KEYWATCH_TARGETS_FILE is set; otherwise the one KEYWATCH_TARGET,
 * or, with KEYWATCH_ORG_ROLE_NAME, every account of the organization (the management account
 * included). Problems are appended; null when there are some.
 */
function resolveTargets(e: z.infer<typeof envSchema>, problems: string[]): TargetsConfig | null {
  if (e.KEYWATCH_TARGETS_FILE) {
    const conflicting = (['KEYWATCH_ORG_ROLE_NAME', 'KEYWATCH_ORG_EXTERNAL_ID'] as const).filter((name) => e[name] !== undefined);
    if (conflicting.length > 0) {
      problems.push(`${conflicting.join(', ')}: not used with KEYWATCH_TARGETS_FILE; put the organization in the file's \`organization\` section`);
      return null;
    }
    const read = readTargetsFile(e.KEYWATCH_TARGETS_FILE, e.KEYWATCH_SCAN_SOURCE);
    if ('problems' in read) {
      problems.push(...read.problems);
      return null;
    }
    return read.targets;
  }
  if (e.KEYWATCH_ORG_EXTERNAL_ID && !e.KEYWATCH_ORG_ROLE_NAME) {
    problems.push('KEYWATCH_ORG_EXTERNAL_ID: only applies with KEYWATCH_ORG_ROLE_NAME (organization discovery)');
    return null;
  }
  if (e.KEYWATCH_ORG_ROLE_NAME) return organizationTargets(e.KEYWATCH_ORG_ROLE_NAME, e.KEYWATCH_ORG_EXTERNAL_ID ?? null, e.KEYWATCH_SCAN_SOURCE);
  return { file: null, configured: [{ name: e.KEYWATCH_TARGET, roleArn: null, externalId: null, source: e.KEYWATCH_SCAN_SOURCE }], organization: null };
}

function defaultPasswordGenerator(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:crypto').randomBytes(18).toString('base64url');
}
