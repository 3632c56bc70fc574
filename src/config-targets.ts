/**
 * The targets file (KEYWATCH_TARGETS_FILE): which accounts keywatch scans and how it reaches them.
 * YAML or JSON, validated with zod when keywatch starts; every problem names the file, the entry and
 * the field, and stops start-up. Only src/config.ts calls this (config is read in one place).
 *
 *   targets:
 *     - name: prod                      # [a-z0-9][a-z0-9._-]{0,62}, unique
 *       role_arn: arn:aws:iam::111122223333:role/KeywatchAudit   # optional: assumed from the base credentials
 *       external_id: "from-your-vault"  # optional (only with role_arn)
 *       source: credential_report       # optional; default KEYWATCH_SCAN_SOURCE
 *     - name: security                  # no role_arn: the base credentials' own account
 *   organization:                       # optional: discover the member accounts
 *     role_name: KeywatchAudit          # assumed in each member: arn:aws:iam::<account id>:role/<role_name>
 *     external_id: "…"                  # optional
 *     include_management_account: true  # default true: the base credentials' own account, without a role
 *     exclude_accounts: ["444455556666"]
 *     source: api                       # optional; default KEYWATCH_SCAN_SOURCE
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SCAN_SOURCES, type ScanSource } from './domain/snapshot';
import { TARGET_NAME_PATTERN } from './domain/targets';

/** arn:aws:iam::123456789012:role/Name (any partition, an optional path). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** IAM role names: 1-64 of letters, digits and + = , . @ _ - */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** sts:AssumeRole's ExternalId: 2-1224 of letters, digits and + = , . @ : / - _ */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

const externalId = z.string().regex(EXTERNAL_ID, 'expected 2-1224 letters, digits or + = , . @ : / - _ (the value is not shown: it is a secret)');

const TargetEntry = z
  .object({
    name: z.string({ message: 'is required' }).regex(TARGET_NAME_PATTERN, 'expected [a-z0-9][a-z0-9._-]{0,62}: lower-case letters, digits, ".", "_" and "-"'),
    role_arn: z.string().regex(ROLE_ARN, 'expected an IAM role ARN such as arn:aws:iam::111122223333:role/KeywatchAudit').optional(),
    external_id: externalId.optional(),
    source: z.enum(SCAN_SOURCES, { message: `expected one of ${SCAN_SOURCES.join(', ')}` }).optional(),
  })
  .strict();

const Organization = z
  .object({
    role_name: z.string({ message: 'is required' }).regex(ROLE_NAME, 'expected an IAM role name (1-64 letters, digits or + = , . @ _ -)'),
    external_id: externalId.optional(),
    include_management_account: z.boolean({ message: 'expected true or false' }).default(true),
    exclude_accounts: z.array(z.string().regex(/^\d{12}$/, 'expected a 12-digit account id'), { message: 'expected a list of 12-digit account ids' }).default([]),
    source: z.enum(SCAN_SOURCES, { message: `expected one of ${SCAN_SOURCES.join(', ')}` }).optional(),
  })
  .strict();

const TargetsFile = z
  .object({
    targets: z.array(TargetEntry, { message: 'expected a list of targets' }).default([]),
    organization: Organization.optional(),
  })
  .strict();

/**
 * Rules across entries, checked on the raw file even where zod found other problems (zod skips
 * refinements then): unique names, external_id only with role_arn, at least one target.
 */
function crossEntryProblems(raw: unknown): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  const file = (raw ?? {}) as { targets?: unknown; organization?: unknown };
  const targets = Array.isArray(file.targets) ? (file.targets as Record<string, unknown>[]) : [];
  const seen = new Map<string, number>();
  targets.forEach((t, i) => {
    if (t === null || typeof t !== 'object') return;
    if (typeof t.name === 'string') {
      const first = seen.get(t.name);
      if (first !== undefined) out.push({ path: ['targets', i, 'name'], message: `"${t.name}" is already the name of targets[${first}]; names are unique` });
      else seen.set(t.name, i);
    }
    if (t.external_id !== undefined && t.role_arn === undefined) {
      out.push({ path: ['targets', i, 'external_id'], message: 'only applies with role_arn (an ExternalId is passed to sts:AssumeRole)' });
    }
  });
  if (targets.length === 0 && (file.organization === undefined || file.organization === null) && (file.targets === undefined || Array.isArray(file.targets))) {
    out.push({ path: [], message: 'names no target: give a `targets` list, an `organization` section, or both' });
  }
  return out;
}

/** A target as configured (the file's entry, or the one KEYWATCH_TARGET). */
export interface ConfiguredTarget {
  name: string;
  roleArn: string | null;
  externalId: string | null;
  source: ScanSource;
}

/** Organization discovery: every ACTIVE member account, reached through one role name. */
export interface OrganizationDiscovery {
  roleName: string;
  externalId: string | null;
  includeManagementAccount: boolean;
  excludeAccounts: string[];
  source: ScanSource;
}

export interface TargetsConfig {
  /** The file the targets came from; null when they come from environment variables. */
  file: string | null;
  configured: ConfiguredTarget[];
  organization: OrganizationDiscovery | null;
}

/**
 * Organization discovery without a targets file — what KEYWATCH_ORG_ROLE_NAME (and
 * KEYWATCH_ORG_EXTERNAL_ID) turn on: every ACTIVE account, the management account included, nothing
 * excluded. Demo mode builds its simulated organization's targets with it too.
 */
export function organizationTargets(roleName: string, externalId: string | null, source: ScanSource): TargetsConfig {
  return {
    file: null,
    configured: [],
    organization: { roleName, externalId, includeManagementAccount: true, excludeAccounts: [], source },
  };
}

/** zod's message, with unknown fields named the way a person reads them. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

/** "targets[1] (prod): role_arn" for a zod issue path in the file. */
function where(path: readonly PropertyKey[], raw: unknown): string {
  if (path.length === 0) return 'the file';
  const [section, index, ...rest] = path;
  if (section === 'targets' && typeof index === 'number') {
    const entry = Array.isArray((raw as { targets?: unknown })?.targets) ? (raw as { targets: unknown[] }).targets[index] : undefined;
    const name = (entry as { name?: unknown } | undefined)?.name;
    const label = `targets[${index}]${typeof name === 'string' ? ` (${name})` : ''}`;
    return rest.length > 0 ? `${label}: ${rest.join('.')}` : label;
  }
  return path.map(String).join('.');
}

/**
 * Reads and validates a targets file. Returns the targets, or the problems (each naming the file,
 * the entry and the field).
 */
export function readTargetsFile(file: string, defaultSource: ScanSource): { targets: TargetsConfig } | { problems: string[] } {
  const at = `KEYWATCH_TARGETS_FILE ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [`${at}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`] };
  }
  let raw: unknown;
  try {
    // YAML 1.2 reads JSON too.
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    return { problems: [`${at}: is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`] };
  }
  const parsed = TargetsFile.safeParse(raw ?? {});
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path, message: describeIssue(issue) }))),
    ...crossEntryProblems(raw),
  ];
  if (!parsed.success || issues.length > 0) return { problems: issues.map((issue) => `${at}: ${where(issue.path, raw)}: ${issue.message}`) };
  const f = parsed.data;
  return {
    targets: {
      file,
      configured: f.targets.map((t) => ({ name: t.name, roleArn: t.role_arn ?? null, externalId: t.external_id ?? null, source: t.source ?? defaultSource })),
      organization: f.organization
        ? {
            roleName: f.organization.role_name,
            externalId: f.organization.external_id ?? null,
            includeManagementAccount: f.organization.include_management_account,
            excludeAccounts: f.organization.exclude_accounts,
            source: f.organization.source ?? defaultSource,
          }
        : null,
    },
  };
}
