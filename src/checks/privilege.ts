/**
 * Privilege classification: what each IAM user can do, from GetAccountAuthorizationDetails
 * (snapshot.authorizationDetails). Pure; no AWS call.
 *
 * Every user is `admin`, `privilege_escalation` or `standard` (src/domain/privilege.ts), with a
 * reason a person can read and check in the console:
 *   "admin through group Admins → AdministratorAccess"
 *   "admin through inline policy 'ops' (allows * on *)"
 *   "can iam:CreateAccessKey on * through group Ops → policy 'KeyRotation'"
 *
 * What a user's policies are: its inline policies, its attached managed policies, and the inline
 * and attached policies of each of its groups. Customer-managed policies are read from the details
 * (their default version); AWS managed policies are not in the details (Filter LocalManagedPolicy)
 * and are recognised by ARN with AWS_MANAGED_POLICIES below, a small table of real documents run
 * through the same rules. Any other AWS managed policy is not evaluated, and a standard user's
 * reason says so.
 *
 * The rules:
 * - admin: an Allow statement with Action `*` (or `*:*`) and Resource `*`.
 * - privilege_escalation: an Allow statement grants one of ESCALATION_ACTIONS on a resource where
 *   it escalates: creating keys or passwords for another user (on your own user it is a user
 *   managing their own credentials, e.g. Resource `arn:aws:iam::*:user/${aws:username}`); attaching
 *   or writing policies of any user, group or role; changing a customer-managed policy's versions;
 *   adding a user to a group; rewriting a role's trust policy; sts:AssumeRole on every role; and
 *   iam:PassRole on every role together with an action that starts compute the role would run as
 *   (ec2:RunInstances, lambda:CreateFunction, …). Roles are not collected, so grants on roles count
 *   only when they cover every role (a wildcard); grants limited to named roles are not counted.
 * - Action/NotAction, Resource/NotResource, a Statement as an object or an array, and wildcards
 *   (`iam:*`, `iam:Create*`, `?`; actions case-insensitive, resources case-sensitive) are read as
 *   IAM reads them. `${aws:username}` is the user's own name; other policy variables match anything.
 * - Conservative where keywatch cannot know: a Condition, a Deny statement that may apply (one with
 *   a Condition, or not covering every resource the Allow covers), a permissions boundary, or a
 *   policy variable other than aws:username never lowers the class; the reason ends with
 *   "(a Deny statement or condition may restrict this; verify)". Only a Deny that certainly
 *   applies (no Condition, covering the resource) removes a grant. SCPs are not seen at all.
 */
import { z } from 'zod';
import type { PrivilegeClass } from '../domain/privilege';
import type { AuthorizationDetailsSnapshot, AuthorizedUserSnapshot } from '../domain/snapshot';

export interface UserPrivilege {
  privilege: PrivilegeClass;
  /** Why, for a person: which policy grants what, through which group, and what may restrict it. */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Policy documents

interface Statement {
  effect: 'Allow' | 'Deny';
  /** true for NotAction: the statement applies to every action except `actions`. */
  notAction: boolean;
  actions: string[];
  /** true for NotResource. */
  notResource: boolean;
  resources: string[];
  conditional: boolean;
}

const stringOrList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const statementSchema = z
  .object({
    Effect: z.enum(['Allow', 'Deny']),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), 'a statement needs exactly one of Action and NotAction')
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), 'a statement needs exactly one of Resource and NotResource')
  .transform(
    (s): Statement => ({
      effect: s.Effect,
      notAction: s.NotAction !== undefined,
      actions: s.Action ?? s.NotAction ?? [],
      notResource: s.NotResource !== undefined,
      resources: s.Resource ?? s.NotResource ?? [],
      conditional: s.Condition !== undefined && Object.keys(s.Condition).length > 0,
    }),
  );
const documentSchema = z.object({
  Statement: z.union([statementSchema.transform((s) => [s]), z.array(statementSchema)]),
});

type ParsedPolicy = { ok: true; statements: Statement[] } | { ok: false };

function parsePolicy(document: string): ParsedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(document);
  } catch {
    return { ok: false };
  }
  const parsed = documentSchema.safeParse(json);
  return parsed.success ? { ok: true, statements: parsed.data.Statement } : { ok: false };
}

// ---------------------------------------------------------------------------------------------
// AWS managed policies keywatch knows (recognised by the ARN's path and name)

/**
 * Real AWS managed policy documents (the parts that matter here), classified by the same rules as
 * any policy:
 * - AdministratorAccess allows * on * → admin.
 * - IAMFullAccess allows iam:* → privilege_escalation (it can attach AdministratorAccess to itself).
 * - PowerUserAccess (v12) allows everything except iam:*, organizations:* and account:* →
 *   privilege_escalation, not admin: it cannot manage IAM (nor pass roles: iam:PassRole is iam:*),
 *   but it can sts:AssumeRole on every role, i.e. become any role whose trust policy trusts the
 *   account — often an admin role. Its IAM exceptions (service-linked roles, ListRoles) escalate nothing.
 * - Read-only policies grant Get/List/Describe-style actions only, none of the escalation actions.
 */
const AWS_MANAGED_POLICIES: Record<string, object | 'read_only'> = {
  AdministratorAccess: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  IAMFullAccess: {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'iam:*',
          'organizations:DescribeAccount',
          'organizations:DescribeOrganization',
          'organizations:DescribeOrganizationalUnit',
          'organizations:DescribePolicy',
          'organizations:ListChildren',
          'organizations:ListParents',
          'organizations:ListPoliciesForTarget',
          'organizations:ListRoots',
          'organizations:ListPolicies',
          'organizations:ListTargetsForPolicy',
        ],
        Resource: '*',
      },
    ],
  },
  PowerUserAccess: {
    Statement: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: [
          'account:GetAccountInformation',
          'account:GetGovCloudAccountInformation',
          'account:GetPrimaryEmail',
          'account:ListRegions',
          'iam:CreateServiceLinkedRole',
          'iam:DeleteServiceLinkedRole',
          'iam:ListRoles',
          'organizations:DescribeEffectivePolicy',
          'organizations:DescribeOrganization',
        ],
        Resource: '*',
      },
    ],
  },
  ReadOnlyAccess: 'read_only',
  'job-function/ViewOnlyAccess': 'read_only',
  SecurityAudit: 'read_only',
  IAMReadOnlyAccess: 'read_only',
  IAMUserChangePassword: 'read_only', // iam:ChangePassword on the user itself, GetAccountPasswordPolicy
};

/** "AdministratorAccess" / "job-function/ViewOnlyAccess" for an AWS managed policy ARN, else null. */
function awsManagedPolicyName(arn: string): string | null {
  const m = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn);
  return m ? m[1]! : null;
}

const AWS_MANAGED_PARSED = new Map<string, ParsedPolicy | 'read_only'>(
  Object.entries(AWS_MANAGED_POLICIES).map(([name, doc]) => [name, doc === 'read_only' ? doc : parsePolicy(JSON.stringify(doc))]),
);

// ---------------------------------------------------------------------------------------------
// Matching (IAM's wildcards: * any run of characters, ? one character)

const patternCache = new Map<string, RegExp>();
function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = patternCache.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'si' : 's');
    if (patternCache.size > 10_000) patternCache.clear(); // the patterns of the accounts scanned: bounded anyway
    patternCache.set(key, re);
  }
  return re;
}

const actionMatches = (pattern: string, action: string) => wildcard(pattern, true).test(action);

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A Resource pattern compiled for the user `userName`. Policy variables: ${aws:username} is the
 * user's name; ${*}, ${?} and ${$} are those characters; any other variable (tags, ids…) matches
 * anything and is flagged, so the reason can say it may restrict the grant.
 */
function compileResource(pattern: string, userName: string): { re: RegExp; unknownVariable: boolean; name: string | null } {
  const name = literalName(pattern, userName);
  if (!pattern.includes('${')) return { re: wildcard(pattern, false), unknownVariable: false, name };
  let unknownVariable = false;
  const body = pattern.replace(/\$\{([^}]*)\}|\*|\?|[^$*?]+|\$/g, (token: string, variable: string | undefined) => {
    if (variable === undefined) return token === '*' ? '.*' : token === '?' ? '.' : escapeRegex(token);
    const key = variable.trim().toLowerCase();
    if (key === 'aws:username') return escapeRegex(userName);
    if (key === '*' || key === '?' || key === '$') return escapeRegex(key);
    unknownVariable = true;
    return '.*';
  });
  return { re: new RegExp(`^${body}$`, 's'), unknownVariable, name };
}

/**
 * The name (last ARN segment) a pattern can only match, when it is fixed: "bob" for
 * arn:aws:iam::*:user/bob, the user's own name for …:user/${aws:username}; null when it varies.
 * Lets a grant be checked against the principals of that name instead of every principal.
 */
function literalName(pattern: string, userName: string): string | null {
  const slash = pattern.lastIndexOf('/');
  if (slash < 0) return null;
  const last = pattern.slice(slash + 1);
  if (/^\$\{\s*aws:username\s*\}$/i.test(last)) return userName;
  return /[*?$]/.test(last) ? null : last;
}

function statementCoversAction(s: Statement, action: string): boolean {
  const listed = s.actions.some((p) => actionMatches(p, action));
  return s.notAction ? !listed : listed;
}

interface ResourceMatch {
  covers: boolean;
  /** The pattern that covered it, as written (or "every resource except …"), for the reason. */
  via: string;
  unknownVariable: boolean;
}

/** The statement's Resource/NotResource compiled once for a user: arn → whether it is covered. */
function resourceMatcher(s: Statement, userName: string): { covers: (arn: string) => ResourceMatch; names: string[] | null } {
  const patterns = s.resources.map((p) => ({ p, ...compileResource(p, userName) }));
  // Only a Resource list of fixed names limits the candidates (a NotResource covers everything else).
  const names = !s.notResource && patterns.every((p) => p.name !== null) ? patterns.map((p) => p.name!) : null;
  const unknownVariable = patterns.some((p) => p.unknownVariable);
  const except = `every resource except ${s.resources.join(', ')}`;
  const covers = (arn: string): ResourceMatch => {
    const matched = patterns.find(({ re }) => re.test(arn));
    if (s.notResource) return { covers: matched === undefined, via: except, unknownVariable };
    return { covers: matched !== undefined, via: matched?.p ?? '', unknownVariable };
  };
  return { covers, names };
}

// ---------------------------------------------------------------------------------------------
// The escalation actions

type TargetKind = 'other_user' | 'user' | 'group' | 'policy' | 'every_role';

/** Canonical order: the reason names the first one granted. */
const ESCALATION_ACTIONS: ReadonlyArray<{ action: string; target: TargetKind }> = [
  { action: 'iam:CreateAccessKey', target: 'other_user' },
  { action: 'iam:CreateLoginProfile', target: 'other_user' },
  { action: 'iam:UpdateLoginProfile', target: 'other_user' },
  { action: 'iam:AttachUserPolicy', target: 'user' },
  { action: 'iam:PutUserPolicy', target: 'user' },
  { action: 'iam:AttachGroupPolicy', target: 'group' },
  { action: 'iam:PutGroupPolicy', target: 'group' },
  { action: 'iam:AddUserToGroup', target: 'group' },
  { action: 'iam:CreatePolicyVersion', target: 'policy' },
  { action: 'iam:SetDefaultPolicyVersion', target: 'policy' },
  { action: 'iam:AttachRolePolicy', target: 'every_role' },
  { action: 'iam:PutRolePolicy', target: 'every_role' },
  { action: 'iam:UpdateAssumeRolePolicy', target: 'every_role' },
  { action: 'sts:AssumeRole', target: 'every_role' },
  { action: 'iam:PassRole', target: 'every_role' },
];

/** Actions that start compute running as a passed role: iam:PassRole escalates with any of them. */
const COMPUTE_ACTIONS = [
  'ec2:RunInstances',
  'lambda:CreateFunction',
  'ecs:RunTask',
  'glue:CreateDevEndpoint',
  'cloudformation:CreateStack',
  'sagemaker:CreateNotebookInstance',
  'codebuild:CreateProject',
  'datapipeline:CreatePipeline',
] as const;

// ---------------------------------------------------------------------------------------------
// Classification

type Caveat = 'deny' | 'condition' | 'boundary' | 'variable';
const CAVEAT_WORDS: Record<Caveat, string> = {
  deny: 'Deny statement',
  condition: 'condition',
  boundary: 'permissions boundary',
  variable: 'policy variable',
};
const CAVEAT_ORDER: Caveat[] = ['deny', 'condition', 'boundary', 'variable'];

function caveatSuffix(caveats: Set<Caveat>): string {
  const words = CAVEAT_ORDER.filter((c) => caveats.has(c)).map((c) => CAVEAT_WORDS[c]);
  if (words.length === 0) return '';
  const list = words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
  return ` (a ${list} may restrict this; verify)`;
}

/** A statement with the path it reaches the user by ("group Admins → AdministratorAccess"). */
interface SourcedStatement extends Statement {
  via: string;
  /** Customer-managed or inline: the reason adds "(allows * on *)" for admin. */
  ownPolicy: boolean;
}

interface Candidate {
  arn: string;
  /** How the reason names it when it is a known principal; null for the wildcard probe. */
  label: string | null;
}

interface Grant {
  action: string;
  on: string;
  via: string;
  caveats: Set<Caveat>;
}

/** The account's principals of one kind, also by name (the last segment of the ARN). */
interface Pool {
  all: Candidate[];
  byName: Map<string, Candidate[]>;
}

function poolOf(candidates: Candidate[]): Pool {
  const byName = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const name = c.arn.slice(c.arn.lastIndexOf('/') + 1);
    const same = byName.get(name);
    if (same) same.push(c);
    else byName.set(name, [c]);
  }
  return { all: candidates, byName };
}

class AccountIndex {
  readonly groups: Map<string, AuthorizationDetailsSnapshot['groups'][number]>;
  readonly policies: Map<string, AuthorizationDetailsSnapshot['policies'][number]>;
  readonly pools: Record<'user' | 'group' | 'policy', Pool>;
  private readonly parsed = new Map<string, ParsedPolicy>();

  constructor(readonly details: AuthorizationDetailsSnapshot) {
    this.groups = new Map(details.groups.map((g) => [g.groupName, g]));
    this.policies = new Map(details.policies.map((p) => [p.arn, p]));
    this.pools = {
      user: poolOf(details.users.map((u) => ({ arn: u.arn, label: `user ${u.userName}` }))),
      group: poolOf(details.groups.map((g) => ({ arn: g.arn, label: `group ${g.groupName}` }))),
      policy: poolOf(details.policies.map((p) => ({ arn: p.arn, label: `policy '${p.policyName}'` }))),
    };
  }

  /** Documents are shared by many users (groups, managed policies): parse each text once. */
  parse(document: string): ParsedPolicy {
    let p = this.parsed.get(document);
    if (!p) {
      p = parsePolicy(document);
      this.parsed.set(document, p);
    }
    return p;
  }
}

/** The statements that apply to a user, each with its path; and what could not be evaluated. */
function statementsOf(user: AuthorizedUserSnapshot, index: AccountIndex): { statements: SourcedStatement[]; unread: string[] } {
  const statements: SourcedStatement[] = [];
  const unread: string[] = [];
  const add = (parsed: ParsedPolicy, via: string, ownPolicy: boolean, what: string) => {
    if (!parsed.ok) unread.push(`${what} (not a readable policy document)`);
    else for (const s of parsed.statements) statements.push({ ...s, via, ownPolicy });
  };
  const addInline = (policies: AuthorizedUserSnapshot['inlinePolicies'], prefix: string) => {
    for (const p of policies) {
      const name = `${prefix}inline policy '${p.policyName}'`;
      add(index.parse(p.document), name, true, name);
    }
  };
  const addAttached = (arns: string[], prefix: string) => {
    for (const arn of arns) {
      const awsName = awsManagedPolicyName(arn);
      if (awsName !== null) {
        const known = AWS_MANAGED_PARSED.get(awsName);
        if (known === undefined) unread.push(`${prefix}${awsName} (an AWS managed policy keywatch does not know)`);
        else if (known !== 'read_only') add(known, `${prefix}${awsName}`, false, `${prefix}${awsName}`);
        continue;
      }
      const policy = index.policies.get(arn);
      if (!policy) {
        unread.push(`${prefix}${arn} (not in the authorization details)`);
        continue;
      }
      const name = `${prefix}policy '${policy.policyName}'`;
      add(index.parse(policy.defaultVersionDocument), name, true, name);
    }
  };
  addInline(user.inlinePolicies, '');
  addAttached(user.attachedPolicyArns, '');
  for (const groupName of user.groupNames) {
    const group = index.groups.get(groupName);
    if (!group) {
      unread.push(`group ${groupName} (not in the authorization details)`);
      continue;
    }
    addInline(group.inlinePolicies, `group ${groupName} → `);
    addAttached(group.attachedPolicyArns, `group ${groupName} → `);
  }
  return { statements, unread };
}

function adminReason(user: AuthorizedUserSnapshot, statements: SourcedStatement[]): string | null {
  const grants = statements.filter(
    (s) =>
      s.effect === 'Allow' &&
      !s.notAction &&
      s.actions.some((a) => a === '*' || a === '*:*') &&
      !s.notResource &&
      s.resources.includes('*'),
  );
  if (grants.length === 0) return null;
  const best = grants.find((s) => !s.conditional) ?? grants[0]!;
  const caveats = new Set<Caveat>();
  if (best.conditional) caveats.add('condition');
  // Any Deny may take away part of "everything".
  if (statements.some((s) => s.effect === 'Deny')) caveats.add('deny');
  if (user.permissionsBoundaryArn) caveats.add('boundary');
  return `admin through ${best.via}${best.ownPolicy ? ' (allows * on *)' : ''}${caveatSuffix(caveats)}`;
}

/** ARN pieces of the account the user lives in: arn:PARTITION:iam::ACCOUNT:… */
function arnPrefix(userArn: string): string {
  const [arn, partition, , , account] = userArn.split(':');
  return `${arn ?? 'arn'}:${partition ?? 'aws'}:iam::${account ?? ''}`;
}

/**
 * Where an action would escalate: a probe ARN no policy names on purpose (covered only by a
 * wildcard that reaches every user / group / policy / role), then the account's real ones.
 */
function* candidatesFor(target: TargetKind, user: AuthorizedUserSnapshot, index: AccountIndex, names: string[] | null): Generator<Candidate> {
  const kind = target === 'other_user' ? 'user' : target === 'every_role' ? 'role' : target;
  yield { arn: `${arnPrefix(user.arn)}:${kind}/keywatch-probe-any-${kind}`, label: null };
  if (kind === 'role') return; // roles are not collected: only a grant on every role counts
  const pool = index.pools[kind];
  const known = names === null ? pool.all : [...new Set(names.flatMap((n) => pool.byName.get(n) ?? []))];
  for (const c of known) {
    if (c.arn !== user.arn) yield c;
    else if (target === 'user') yield { arn: c.arn, label: 'itself' };
  }
}

/** The best grant of `action` on any candidate: one without caveats if there is one. */
function grantOf(
  action: string,
  target: TargetKind,
  user: AuthorizedUserSnapshot,
  statements: SourcedStatement[],
  index: AccountIndex,
): Grant | null {
  const relevant = statements.filter((s) => statementCoversAction(s, action));
  const allows = relevant.filter((s) => s.effect === 'Allow').map((s) => ({ s, ...resourceMatcher(s, user.userName) }));
  if (allows.length === 0) return null;
  const denies = relevant.filter((s) => s.effect === 'Deny').map((s) => ({ s, ...resourceMatcher(s, user.userName) }));
  // Principals an Allow can reach: those of the fixed names its Resources list, or all of them.
  const names = allows.every((a) => a.names !== null) ? allows.flatMap((a) => a.names!) : null;
  let best: Grant | null = null;
  for (const candidate of candidatesFor(target, user, index, names)) {
    const allowing = allows.map(({ s, covers }) => ({ s, r: covers(candidate.arn) })).filter(({ r }) => r.covers);
    if (allowing.length === 0) continue;
    const caveats = new Set<Caveat>();
    let deniedForSure = false;
    for (const { s: d, covers } of denies) {
      const r = covers(candidate.arn);
      if (!r.covers) continue;
      if (!d.conditional && !r.unknownVariable) deniedForSure = true;
      else caveats.add('deny');
    }
    if (deniedForSure) continue;
    const chosen = allowing.find(({ s, r }) => !s.conditional && !r.unknownVariable) ?? allowing[0]!;
    if (chosen.s.conditional) caveats.add('condition');
    if (chosen.r.unknownVariable) caveats.add('variable');
    const grant: Grant = { action, on: candidate.label ?? chosen.r.via, via: chosen.s.via, caveats };
    if (!best || grant.caveats.size < best.caveats.size) best = grant;
    if (best.caveats.size === 0) break;
  }
  return best;
}

/**
 * The first compute action the statements allow on some resource (which instance or function does
 * not matter), unless a Deny without a Condition takes it away on every resource. Caveats as for grants.
 */
function computeGrant(statements: SourcedStatement[]): { action: string; caveats: Set<Caveat> } | null {
  for (const action of COMPUTE_ACTIONS) {
    const relevant = statements.filter((s) => statementCoversAction(s, action));
    const allows = relevant.filter((s) => s.effect === 'Allow' && (s.notResource ? !s.resources.includes('*') : s.resources.length > 0));
    if (allows.length === 0) continue;
    const denies = relevant.filter((s) => s.effect === 'Deny');
    const everywhere = (s: Statement) => !s.notResource && s.resources.includes('*');
    if (denies.some((d) => !d.conditional && everywhere(d))) continue;
    const caveats = new Set<Caveat>();
    if (denies.length > 0) caveats.add('deny');
    if (!allows.some((s) => !s.conditional)) caveats.add('condition');
    return { action, caveats };
  }
  return null;
}

function escalationReason(user: AuthorizedUserSnapshot, statements: SourcedStatement[], index: AccountIndex): string | null {
  const grants: Grant[] = [];
  for (const { action, target } of ESCALATION_ACTIONS) {
    const grant = grantOf(action, target, user, statements, index);
    if (!grant) continue;
    if (action === 'iam:PassRole') {
      // Passing a role escalates only with something to run it: new compute.
      const compute = computeGrant(statements);
      if (!compute) continue;
      grant.on = `${grant.on} with ${compute.action}`;
      for (const c of compute.caveats) grant.caveats.add(c);
    }
    grants.push(grant);
  }
  if (grants.length === 0) return null;
  const first = grants[0]!;
  if (user.permissionsBoundaryArn) first.caveats.add('boundary');
  const more = grants.length - 1;
  const others = more > 0 ? ` (and ${more} more escalation ${more === 1 ? 'action' : 'actions'})` : '';
  return `can ${first.action} on ${first.on} through ${first.via}${others}${caveatSuffix(first.caveats)}`;
}

function classifyUser(user: AuthorizedUserSnapshot, index: AccountIndex): UserPrivilege {
  const { statements, unread } = statementsOf(user, index);
  const admin = adminReason(user, statements);
  if (admin) return { privilege: 'admin', reason: admin };
  const escalation = escalationReason(user, statements, index);
  if (escalation) return { privilege: 'privilege_escalation', reason: escalation };
  const notEvaluated = unread.length > 0 ? `; not evaluated: ${unread.join(', ')}` : '';
  return { privilege: 'standard', reason: `no admin or privilege-escalation permission found${notEvaluated}` };
}

const classified = new WeakMap<AuthorizationDetailsSnapshot, ReadonlyMap<string, UserPrivilege>>();

/**
 * Every user of the details, by ARN (UserSnapshot.arn), classified. Remembered per details object
 * (a snapshot is not changed after collection), so user_admin_with_access_key and evaluate.ts's
 * severity step classify an account once.
 */
export function classifyUsers(details: AuthorizationDetailsSnapshot): ReadonlyMap<string, UserPrivilege> {
  let result = classified.get(details);
  if (!result) {
    const index = new AccountIndex(details);
    result = new Map(details.users.map((u) => [u.arn, classifyUser(u, index)]));
    classified.set(details, result);
  }
  return result;
}

/** The known AWS managed policies by name (for docs and tests): 'read_only' or the document keywatch evaluates. */
export const KNOWN_AWS_MANAGED_POLICIES: Readonly<Record<string, object | 'read_only'>> = AWS_MANAGED_POLICIES;
