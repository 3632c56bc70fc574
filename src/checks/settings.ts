/**
 * Effective check settings from environment variables.
 *
 * Scheme:
 *   KEYWATCH_CHECK_<CHECK_ID_UPPER>_<SETTING_UPPER>=value   e.g. KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS=120
 *   KEYWATCH_CHECK_<CHECK_ID_UPPER>_ENABLED=true|false
 *
 * Values (surrounding whitespace is ignored; an empty value counts as unset, so compose files can pass
 * `FOO=` or `${FOO:-}`):
 *   integer     whole number >= the spec's min (days >= 1), no sign, decimals or exponents
 *   boolean     true/false/1/0/yes/no (any case)
 *   severity    info/low/medium/high/critical (any case)
 *   string_list comma-separated, each item trimmed and non-empty ("A,,B" and "A," are errors)
 *   string      non-empty
 * Every bad variable yields one error naming the variable and what is expected, and the setting keeps its
 * default; any other KEYWATCH_CHECK_* variable (a typo in the check id or setting) is an error too.
 * Callers should refuse to start when `errors` is non-empty.
 *
 * A check that is off by default and declares `configuredBy` (canary_key_used: canary_key_ids is
 * non-empty) turns on by itself when its settings configure it, unless its _ENABLED variable says false.
 *
 * Pure: the environment is an argument; process.env is never read here.
 */
import { z } from 'zod';
import { CHECKS } from './catalog';
import type { CheckDefinition, SettingSpec, SettingValue, Settings } from './types';

export const CHECK_ENV_PREFIX = 'KEYWATCH_CHECK_';

export interface ResolvedCheck {
  check: CheckDefinition;
  enabled: boolean;
  settings: Settings;
}

/** The environment variable for one setting of one check (`enabled` gives the on/off switch). */
export function checkEnvVarName(checkId: string, setting: string): string {
  return `${CHECK_ENV_PREFIX}${checkId.toUpperCase()}_${setting.toUpperCase()}`;
}

/** A copy of the check's default settings. */
export function defaultSettings(check: CheckDefinition): Settings {
  const out: Settings = {};
  for (const [name, spec] of Object.entries(check.settings)) {
    out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out;
}

const BOOLEAN_WORDS = { true: true, false: false, '1': true, '0': false, yes: true, no: false } as const;
const booleanSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => BOOLEAN_WORDS[v]);
const severitySchema = z.string().trim().toLowerCase().pipe(z.enum(['info', 'low', 'medium', 'high', 'critical']));
const stringListSchema = z
  .string()
  .transform((s) => s.split(',').map((item) => item.trim()))
  .pipe(z.array(z.string().min(1)).min(1));
const stringSchema = z.string().trim().min(1);
const integerSchema = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(Number.MAX_SAFE_INTEGER));

function schemaFor(spec: SettingSpec): { schema: z.ZodType<SettingValue, string>; expected: string } {
  switch (spec.type) {
    case 'integer': {
      const min = spec.min ?? 0;
      return { schema: integerSchema(min), expected: `a whole number >= ${min}` };
    }
    case 'boolean':
      return { schema: booleanSchema, expected: 'true, false, 1, 0, yes or no' };
    case 'severity':
      return { schema: severitySchema, expected: 'one of info, low, medium, high, critical' };
    case 'string_list':
      return { schema: stringListSchema, expected: 'a comma-separated list of non-empty values (e.g. AKIA...,AKIA...)' };
    case 'string':
      return { schema: stringSchema, expected: 'a non-empty string' };
  }
}

const ENABLED_SPEC: SettingSpec = { type: 'boolean', default: true, description: 'Turns the check on or off.' };

/** Parses one variable; returns the value, or an error string naming the variable. */
function parseVar(name: string, raw: string, spec: SettingSpec): { value: SettingValue } | { error: string } {
  const { schema, expected } = schemaFor(spec);
  const result = schema.safeParse(raw);
  if (result.success) return { value: result.data };
  return { error: `${name}=${JSON.stringify(raw)} is invalid: expected ${expected}` };
}

/** Resolves every catalog check (in catalog order) from the environment. */
export function resolveChecks(
  env: Record<string, string | undefined>,
  catalog: readonly CheckDefinition[] = CHECKS,
): { checks: ResolvedCheck[]; errors: string[] } {
  const errors: string[] = [];
  const known = new Set<string>();
  const checks: ResolvedCheck[] = [];

  for (const check of catalog) {
    const settings = defaultSettings(check);
    for (const [name, spec] of Object.entries(check.settings)) {
      const varName = checkEnvVarName(check.id, name);
      known.add(varName);
      const raw = env[varName];
      if (raw === undefined || raw.trim() === '') continue;
      const parsed = parseVar(varName, raw, spec);
      if ('error' in parsed) errors.push(parsed.error);
      else settings[name] = parsed.value;
    }

    const enabledVar = checkEnvVarName(check.id, 'enabled');
    known.add(enabledVar);
    let enabled = check.enabledByDefault;
    const rawEnabled = env[enabledVar];
    let explicit = false;
    if (rawEnabled !== undefined && rawEnabled.trim() !== '') {
      const parsed = parseVar(enabledVar, rawEnabled, ENABLED_SPEC);
      if ('error' in parsed) errors.push(parsed.error);
      else {
        enabled = parsed.value as boolean;
        explicit = true;
      }
    }
    if (!explicit && check.configuredBy?.(settings)) enabled = true;
    checks.push({ check, enabled, settings });
  }

  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(CHECK_ENV_PREFIX) || known.has(name)) continue;
    errors.push(unknownVarError(name, catalog));
  }
  return { checks, errors };
}

function unknownVarError(name: string, catalog: readonly CheckDefinition[]): string {
  const rest = name.slice(CHECK_ENV_PREFIX.length);
  const owner = [...catalog]
    .sort((a, b) => b.id.length - a.id.length)
    .find((c) => rest.startsWith(`${c.id.toUpperCase()}_`));
  if (owner) {
    const valid = ['enabled', ...Object.keys(owner.settings)].map((s) => checkEnvVarName(owner.id, s));
    return `${name} is not a setting of check ${owner.id}: expected one of ${valid.join(', ')}`;
  }
  return (
    `${name} does not name a known check: expected ${CHECK_ENV_PREFIX}<CHECK_ID>_<SETTING> with a check id among ` +
    catalog.map((c) => c.id).join(', ')
  );
}

/**
 * What a run was configured with for one check: stored with the run (scan_runs.settings) and sent to
 * the recording worker, which rebuilds the checks from the catalog (functions do not cross threads).
 */
export interface CheckChoice {
  id: string;
  enabled: boolean;
  settings: Settings;
}

export const checkChoicesOf = (checks: readonly ResolvedCheck[]): CheckChoice[] =>
  checks.map((c) => ({ id: c.check.id, enabled: c.enabled, settings: c.settings }));

/** The resolved checks of these choices, in their order; an id the catalog does not hold is a bug (throws). */
export function resolveCheckChoices(choices: readonly CheckChoice[], catalog: readonly CheckDefinition[] = CHECKS): ResolvedCheck[] {
  return choices.map((choice) => {
    const check = catalog.find((c) => c.id === choice.id);
    if (!check) throw new Error(`check "${choice.id}" is not in the catalog`);
    return { check, enabled: choice.enabled, settings: choice.settings };
  });
}
