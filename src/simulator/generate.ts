/**
 * Seeded generator of a realistic simulated account (same seed + same options => same account),
 * and evolveAccount() for the demo mode (small, described changes between scans). Users, keys,
 * passwords, MFA, root and password policy come from mulberry32(seed); the wider credential surface
 * (groups, policies, SSH keys, certificates, service-specific credentials, root MFA kind) is added
 * afterwards from a second stream (generate-surface.ts), so it never shifts the first one.
 */
import {
  DAY_MS,
  Rng,
  SimAccessKey,
  SimAccount,
  SimPasswordPolicy,
  SimUser,
  addAccessKey,
  addMfaDevice,
  addUser,
  daysBefore,
  deleteAccessKey,
  emptyAccount,
  findUser,
  mulberry32,
  pick,
  randInt,
} from './model';
import { addCredentialSurface, evolveCredentialSurface } from './generate-surface';

export interface GenerateOptions {
  seed: number;
  /** Number of IAM users. The guaranteed features (see BOUNDARY_KEY_AGES etc.) need at least 9 users. */
  users: number;
  now: Date;
  accountId?: string;
  /**
   * Add groups, managed and inline policies (admins, escalation-capable users), SSH keys, signing
   * certificates, service-specific credentials and a virtual or hardware root MFA. Default true.
   */
  credentialSurface?: boolean;
}

/** Keys with exactly these ages (createDate = now − N × 86,400,000 ms) are always present (needs >= 3 users). */
export const BOUNDARY_KEY_AGES = [89, 90, 91, 364, 365, 366] as const;

const FIRST = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'nina',
  'oscar', 'peggy', 'quentin', 'rupert', 'sybil', 'trent', 'ursula', 'victor', 'wendy', 'xavier', 'yara', 'zoe',
  'ahmed', 'bea', 'chen', 'dmitri', 'elif', 'fatima', 'giulia', 'hiro', 'ines', 'jonas', 'kofi', 'lena',
  'marta', 'noah', 'olga', 'pablo', 'priya', 'ravi', 'sara', 'tomas', 'uma', 'vera', 'wei', 'yusuf',
];
const LAST = [
  'smith', 'jones', 'garcia', 'muller', 'rossi', 'tanaka', 'kim', 'nguyen', 'silva', 'novak', 'kowalski',
  'jensen', 'dubois', 'meyer', 'costa', 'ibrahim', 'okafor', 'larsen', 'petrov', 'schmidt', 'moreau', 'sato',
  'fischer', 'haddad', 'lopez', 'martin', 'berg', 'weber', 'yilmaz', 'ortiz',
];
const SERVICE_WORDS = [
  'ci', 'deploy', 'backup', 'terraform', 'etl', 'grafana', 'jenkins', 'gitlab-runner', 'datadog', 'billing',
  'reports', 'uploader', 'ses-mailer', 's3-sync', 'airflow', 'metrics', 'legacy-app', 'crm-export',
];
const SERVICE_ENVS = ['prod', 'staging', 'dev', 'qa', 'shared'];
const SERVICES = ['s3', 's3', 's3', 'sts', 'ec2', 'iam', 'dynamodb', 'lambda', 'sqs', 'ses', 'cloudwatch', 'ecr'];
const REGIONS = ['us-east-1', 'us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];

function userNameCandidate(rng: Rng): { name: string; human: boolean; path: string } {
  if (rng() < 0.25) {
    const env = pick(rng, SERVICE_ENVS);
    return { name: `svc-${pick(rng, SERVICE_WORDS)}-${env}`, human: false, path: rng() < 0.5 ? '/service/' : '/' };
  }
  const style = rng();
  const first = pick(rng, FIRST);
  const last = pick(rng, LAST);
  const name = style < 0.5 ? `${first}.${last}` : style < 0.8 ? `${first[0]}${last}` : `${first}.${last}@example.com`;
  return { name, human: true, path: rng() < 0.1 ? '/contractors/' : '/' };
}

function uniqueUserName(account: SimAccount, rng: Rng): { name: string; human: boolean; path: string } {
  const candidate = userNameCandidate(rng);
  let name = candidate.name;
  for (let n = 2; findUser(account, name); n++) name = `${candidate.name.replace(/@.*/, '')}${n}${candidate.name.includes('@') ? '@example.com' : ''}`;
  return { ...candidate, name };
}

/** A random instant `days` whole days before now, plus a random part of a day (whole-day age stays `days`). */
function aroundDaysAgo(rng: Rng, now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS - randInt(rng, 0, 86_399) * 1000);
}

/** A random instant between `from` and `from + share × (now − from)`, in whole seconds from `from` (AWS dates have no milliseconds). */
function between(rng: Rng, from: Date, now: Date, share: number): Date {
  const span = Math.max(0, now.getTime() - from.getTime()) * share;
  return new Date(from.getTime() + Math.floor((rng() * span) / 1000) * 1000);
}

function lastUse(rng: Rng, now: Date, since: Date): { date: Date; service: string; region: string } {
  const span = Math.max(0, now.getTime() - since.getTime());
  // Skewed towards recent use: most keys in use were used in the last days.
  const ago = Math.floor((span * Math.pow(rng(), 3)) / 1000) * 1000;
  return { date: new Date(now.getTime() - ago), service: pick(rng, SERVICES), region: pick(rng, REGIONS) };
}

function passwordPolicy(rng: Rng): SimPasswordPolicy {
  const roll = rng();
  if (roll < 0.5) {
    return {
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
    };
  }
  if (roll < 0.8) {
    return {
      MinimumPasswordLength: 8,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: true,
    };
  }
  return {
    MinimumPasswordLength: 6,
    RequireSymbols: false,
    RequireNumbers: false,
    RequireUppercaseCharacters: false,
    RequireLowercaseCharacters: false,
  };
}

interface KeySpec {
  ageDays: number;
  exact?: boolean;
  status: 'Active' | 'Inactive';
  used: boolean;
}

function pushKey(account: SimAccount, user: SimUser, spec: KeySpec, rng: Rng, now: Date): SimAccessKey {
  const key = addAccessKey(account, user.userName, { ageDays: spec.ageDays, now, status: spec.status, rng });
  if (!spec.exact) key.createDate = aroundDaysAgo(rng, now, spec.ageDays);
  if (key.createDate < user.createDate) user.createDate = new Date(key.createDate.getTime() - randInt(rng, 0, 30) * DAY_MS);
  key.lastUsed = spec.used ? lastUse(rng, now, key.createDate) : null;
  return key;
}

/** Key specs for an ordinary user (mostly two keys, so 1,000 users have ~1,900 keys). */
function randomKeySpecs(rng: Rng, human: boolean): KeySpec[] {
  const roll = rng();
  const count = roll < 0.03 ? 0 : roll < 0.1 ? 1 : 2;
  const specs: KeySpec[] = [];
  for (let i = 0; i < count; i++) {
    const ageDays = randInt(rng, 0, 800);
    specs.push({ ageDays, status: rng() < 0.85 ? 'Active' : 'Inactive', used: rng() < (human ? 0.8 : 0.93) });
  }
  if (count === 2 && rng() < 0.45) {
    // A rotated pair: the older key was deactivated after the newer one was created.
    specs.sort((a, b) => b.ageDays - a.ageDays);
    specs[0]!.status = 'Inactive';
    specs[1]!.status = 'Active';
  }
  return specs;
}

interface FeatureUser {
  keys: KeySpec[];
  console?: { mfa: boolean; passwordUsed: boolean };
}

/** The first users always carry these features, whatever the seed. */
const FEATURE_USERS: FeatureUser[] = [
  { keys: [{ ageDays: 89, exact: true, status: 'Active', used: true }, { ageDays: 366, exact: true, status: 'Active', used: true }] },
  { keys: [{ ageDays: 90, exact: true, status: 'Active', used: true }, { ageDays: 365, exact: true, status: 'Active', used: true }] },
  { keys: [{ ageDays: 91, exact: true, status: 'Active', used: true }, { ageDays: 364, exact: true, status: 'Active', used: true }] },
  { keys: [{ ageDays: 412, status: 'Inactive', used: true }, { ageDays: 12, status: 'Active', used: true }] },
  { keys: [{ ageDays: 230, status: 'Active', used: false }] },
  { keys: [{ ageDays: 40, status: 'Active', used: true }], console: { mfa: true, passwordUsed: true } },
  { keys: [], console: { mfa: false, passwordUsed: true } },
  { keys: [], console: { mfa: false, passwordUsed: false } },
  { keys: [{ ageDays: 600, status: 'Inactive', used: false }], console: { mfa: true, passwordUsed: false } },
];

export function generateAccount(options: GenerateOptions): SimAccount {
  const { seed, now } = options;
  if (!Number.isInteger(options.users) || options.users < 0) throw new Error(`users must be a whole number >= 0`);
  const rng = mulberry32(seed);
  const account = emptyAccount(options.accountId ?? String(100000000000 + Math.floor(rng() * 899999999999)));

  for (let i = 0; i < options.users; i++) {
    const feature = FEATURE_USERS[i];
    const { name, human, path } = uniqueUserName(account, rng);
    const user = addUser(account, { userName: name, path, createDate: aroundDaysAgo(rng, now, randInt(rng, 0, 900)), rng });
    const specs = feature ? feature.keys : randomKeySpecs(rng, human);
    for (const spec of specs) pushKey(account, user, spec, rng, now);

    const consoleSpec = feature ? feature.console : human && rng() < 0.45 ? { mfa: rng() < 0.7, passwordUsed: rng() < 0.95 } : undefined;
    if (consoleSpec) {
      const created = between(rng, user.createDate, now, 0.2);
      user.loginProfile = {
        createDate: created,
        passwordLastUsed: consoleSpec.passwordUsed ? lastUse(rng, now, created).date : null,
      };
      if (consoleSpec.mfa) {
        addMfaDevice(account, user.userName, { enableDate: between(rng, created, now, 0.1) });
      }
    }
  }

  // Older than any user (user ages stay below ~950 days).
  const rootCreated = daysBefore(now, 1200 + randInt(rng, 0, 1500));
  account.root = {
    mfaEnabled: true,
    accessKeys: [],
    passwordLastUsed: aroundDaysAgo(rng, now, randInt(rng, 3, 120)),
    createDate: rootCreated,
  };
  account.passwordPolicy = passwordPolicy(rng);
  if (options.credentialSurface ?? true) addCredentialSurface(account, { seed, now });
  return account;
}

export interface EvolveOptions {
  seed: number;
  now: Date;
  /**
   * Also change the wider credential surface after the three key changes: a user with an active key
   * joins the Admins group (a privilege change) and an SSH key is rotated. Default false.
   */
  credentialSurface?: boolean;
}

/**
 * Changes the account a little, the way a real account drifts between two scans:
 * one access key is rotated (an old one deleted, a new one created), one user is added with a fresh key,
 * and one active key is deactivated (with `credentialSurface`, also a privilege and an SSH key change).
 * Returns a human-readable line per change.
 */
export function evolveAccount(account: SimAccount, options: EvolveOptions): string[] {
  const rng = mulberry32(options.seed);
  const { now } = options;
  const changes: string[] = [];
  const ageDays = (key: SimAccessKey) => Math.floor((now.getTime() - key.createDate.getTime()) / DAY_MS);

  // 1. Rotate: the oldest active key of a random user that has one older than 90 days.
  const rotatable = account.users.filter((u) => u.accessKeys.some((k) => k.status === 'Active' && ageDays(k) > 90));
  if (rotatable.length > 0) {
    const user = pick(rng, rotatable);
    const old = user.accessKeys
      .filter((k) => k.status === 'Active')
      .sort((a, b) => a.createDate.getTime() - b.createDate.getTime())[0]!;
    deleteAccessKey(account, old.accessKeyId);
    const fresh = addAccessKey(account, user.userName, { ageDays: 0, now, rng });
    changes.push(
      `rotated access key of ${user.userName}: deleted ${old.accessKeyId} (${ageDays(old)} days old), created ${fresh.accessKeyId}`,
    );
  }

  // 2. A new user with a fresh, not yet used key.
  const { name, path } = uniqueUserName(account, rng);
  const added = addUser(account, { userName: name, path, createDate: now, rng });
  const key = addAccessKey(account, added.userName, { ageDays: 0, now, rng });
  changes.push(`added user ${added.userName} with access key ${key.accessKeyId}`);

  // 3. Deactivate one active key (not the one just created).
  const active = account.users.flatMap((u) =>
    u.accessKeys.filter((k) => k.status === 'Active' && k.accessKeyId !== key.accessKeyId).map((k) => ({ user: u, key: k })),
  );
  if (active.length > 0) {
    const target = pick(rng, active);
    target.key.status = 'Inactive';
    changes.push(`deactivated access key ${target.key.accessKeyId} of ${target.user.userName} (${ageDays(target.key)} days old)`);
  }
  if (options.credentialSurface) changes.push(...evolveCredentialSurface(account, { seed: options.seed, now }));
  return changes;
}

export interface ChurnOptions {
  seed: number;
  now: Date;
  /** How many users change (each at most once). */
  users: number;
}

/** The ways churnAccount changes a user, in turn. */
const CHURN_KINDS = ['rotate', 'deactivate', 'delete_slot_1', 'recreate', 'add', 'delete'] as const;

/**
 * About `users` users change at once, for benchmarks (report_scan's warm scan), each in one of six
 * ways taken in turn: a key rotated (the oldest active one deleted, a new one created), a key
 * deactivated, the older of two keys deleted, the user deleted and re-created under the same name
 * with a new key, a new user with a key, a user deleted. Returns one line per change.
 */
export function churnAccount(account: SimAccount, options: ChurnOptions): string[] {
  const rng = mulberry32(options.seed);
  const { now } = options;
  const changes: string[] = [];
  const candidates = account.users.filter((u) => u.accessKeys.length > 0);
  // Fisher–Yates: a different user for every change.
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  const byAge = (user: SimUser) => [...user.accessKeys].sort((a, b) => a.createDate.getTime() - b.createDate.getTime());
  let next = 0;
  for (let n = 0; n < options.users; n++) {
    const kind = CHURN_KINDS[n % CHURN_KINDS.length]!;
    if (kind === 'add') {
      const { name, path } = uniqueUserName(account, rng);
      addUser(account, { userName: name, path, createDate: now, rng });
      addAccessKey(account, name, { ageDays: 0, now, rng });
      changes.push(`added user ${name} with a key`);
      continue;
    }
    const eligible = (u: SimUser) =>
      kind === 'delete_slot_1' ? u.accessKeys.length === 2 : kind === 'rotate' || kind === 'deactivate' ? u.accessKeys.some((k) => k.status === 'Active') : true;
    while (next < candidates.length && !eligible(candidates[next]!)) next++;
    const user = candidates[next++];
    if (!user) break;
    if (kind === 'rotate') {
      const old = byAge(user).find((k) => k.status === 'Active')!;
      deleteAccessKey(account, old.accessKeyId);
      addAccessKey(account, user.userName, { ageDays: 0, now, rng });
      changes.push(`rotated a key of ${user.userName}`);
    } else if (kind === 'deactivate') {
      user.accessKeys.find((k) => k.status === 'Active')!.status = 'Inactive';
      changes.push(`deactivated a key of ${user.userName}`);
    } else if (kind === 'delete_slot_1') {
      deleteAccessKey(account, byAge(user)[0]!.accessKeyId);
      changes.push(`deleted the older key of ${user.userName}`);
    } else if (kind === 'recreate') {
      account.users = account.users.filter((u) => u !== user);
      addUser(account, { userName: user.userName, path: user.path, createDate: now, rng });
      addAccessKey(account, user.userName, { ageDays: 0, now, rng });
      changes.push(`re-created ${user.userName} with a new key`);
    } else {
      account.users = account.users.filter((u) => u !== user);
      changes.push(`deleted ${user.userName}`);
    }
  }
  return changes;
}
