/**
 * Seeded generator of an AWS Organization (same options => same organization): the management
 * account first, then the members, each a generateAccount() account of its own size, every member
 * with a role that trusts the management account (and requires the ExternalId when one is given) —
 * the role keywatch assumes to scan it. evolveOrganization() drifts every active account at once (or
 * chosen ones), for the demo.
 */
import { evolveAccount, generateAccount } from './generate';
import { Rng, SimAccount, daysBefore, mulberry32, randInt } from './model';
import { SimAccountStatus, SimOrgAccount, SimOrganization } from './organization';
import { AWS_MANAGED_POLICY_ARN } from './policies';
import { addRole } from './roles';

export interface GenerateOrganizationAccount {
  users: number;
  /** Default: 'Management' for the first, then Production, Staging, Development, … */
  name?: string;
  /** Default: derived from the seed (12 digits, unique in the organization). */
  accountId?: string;
  /** Default 'ACTIVE'. */
  status?: SimAccountStatus;
}

export interface GenerateOrganizationOptions {
  seed: number;
  now: Date;
  /** The management account first, then the members. */
  accounts: GenerateOrganizationAccount[];
  /** The role created in every member, trusting the management account (e.g. 'KeywatchAudit'). */
  roleName: string;
  /** When set, every member's role requires it (the sts:ExternalId condition). */
  externalId?: string;
  /** Passed to generateAccount (default true). */
  credentialSurface?: boolean;
}

const MEMBER_NAMES = [
  'Production',
  'Staging',
  'Development',
  'Security',
  'Log Archive',
  'Shared Services',
  'Sandbox',
  'Data Platform',
  'Analytics',
  'Networking',
  'QA',
  'Billing',
];

function accountIdFrom(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const id = String(100000000000 + Math.floor(rng() * 899999999999));
    if (!taken.has(id)) return id;
  }
}

function organizationId(rng: Rng): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = 'o-';
  for (let i = 0; i < 10; i++) id += chars[Math.floor(rng() * chars.length)];
  return id;
}

/** Each account's own seed: distinct per position, the same for a given organization seed. */
function accountSeed(seed: number, index: number): number {
  return (Math.imul(seed, 1_000_003) + index * 7_919 + 17) >>> 0;
}

export function generateOrganization(options: GenerateOrganizationOptions): SimOrganization {
  const { seed, now, roleName, externalId } = options;
  if (options.accounts.length === 0) throw new Error('an organization needs at least its management account');
  const rng = mulberry32(seed);
  const id = organizationId(rng);
  const taken = new Set(options.accounts.flatMap((a) => (a.accountId ? [a.accountId] : [])));
  if (taken.size !== options.accounts.filter((a) => a.accountId).length) throw new Error('account ids in an organization must be unique');

  // The organization was created long ago; members joined over the years since.
  const created = daysBefore(now, randInt(rng, 1500, 2000));
  const accounts: SimOrgAccount[] = [];
  const emails = new Set<string>();
  let joined = created.getTime();
  options.accounts.forEach((spec, index) => {
    const accountId = spec.accountId ?? accountIdFrom(rng, taken);
    taken.add(accountId);
    const account: SimAccount = generateAccount({
      seed: accountSeed(seed, index),
      users: spec.users,
      now,
      accountId,
      credentialSurface: options.credentialSurface,
    });
    if (index > 0) joined += randInt(rng, 5, 120) * 86_400_000 + randInt(rng, 0, 86_399) * 1000;
    const joinedTimestamp = new Date(Math.min(joined, now.getTime()));
    if (index > 0) {
      addRole(account, {
        roleName,
        trust: { principals: [accounts[0]!.account.accountId], ...(externalId !== undefined ? { externalId } : {}) },
        createDate: joinedTimestamp,
        attachedPolicies: [AWS_MANAGED_POLICY_ARN.SecurityAudit],
        rng,
      });
    }
    const name = spec.name ?? (index === 0 ? 'Management' : (MEMBER_NAMES[index - 1] ?? `Member ${index}`));
    let email = `aws+${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@example.com`;
    if (emails.has(email)) email = email.replace('@', `-${accountId}@`);
    emails.add(email);
    accounts.push({
      account,
      name,
      email,
      status: spec.status ?? 'ACTIVE',
      // The account that created the organization shows as INVITED; most members were created in it.
      joinedMethod: index === 0 || rng() < 0.2 ? 'INVITED' : 'CREATED',
      joinedTimestamp,
    });
  });
  return { id, accounts };
}

export interface EvolveOrganizationOptions {
  seed: number;
  now: Date;
  /** Only these accounts (default: every account); the demo drifts the account a run has just scanned. */
  accountIds?: readonly string[];
}

/**
 * Drifts every ACTIVE account of the organization, or those of `accountIds` (evolveAccount with the
 * credential surface: a key rotated, a user added, a key deactivated, a user made admin, an SSH key
 * rotated). Returns one line per change, prefixed with the account's name and id.
 */
export function evolveOrganization(org: SimOrganization, options: EvolveOrganizationOptions): string[] {
  const changes: string[] = [];
  org.accounts.forEach((member, index) => {
    if (member.status !== 'ACTIVE') return;
    if (options.accountIds && !options.accountIds.includes(member.account.accountId)) return;
    const lines = evolveAccount(member.account, { seed: accountSeed(options.seed, index), now: options.now, credentialSurface: true });
    for (const line of lines) changes.push(`${member.name} (${member.account.accountId}): ${line}`);
  });
  return changes;
}
