/**
 * IAM roles of a simulated account, with the trust that STS AssumeRole decides on (sts.ts), and the
 * trust policy document GetAccountAuthorizationDetails shows for it.
 */
import { PolicyDocument, Rng, SimAccount, SimRole, SimRoleTrust, uniqueId } from './model';
import { POLICY_VERSION, managedPolicyName } from './policies';

/** AWS: MaxSessionDuration is 3600 s unless set, and at most 43200 s (12 h). */
export const DEFAULT_MAX_SESSION_SECONDS = 3600;
export const MAX_MAX_SESSION_SECONDS = 43_200;

export function roleArn(account: SimAccount, role: Pick<SimRole, 'path' | 'roleName'>): string {
  return `arn:aws:iam::${account.accountId}:role${role.path}${role.roleName}`;
}

/** Role names are unique case-insensitively. */
export function findRole(account: SimAccount, roleName: string): SimRole | undefined {
  const wanted = roleName.toLowerCase();
  return (account.roles ?? []).find((r) => r.roleName.toLowerCase() === wanted);
}

export function getRole(account: SimAccount, roleName: string): SimRole {
  const role = findRole(account, roleName);
  if (!role) throw new Error(`no such simulated role in ${account.accountId}: ${roleName}`);
  return role;
}

function checkTrust(trust: SimRoleTrust): SimRoleTrust {
  if (!Array.isArray(trust.principals)) throw new Error('role trust needs a principals list');
  return { principals: [...trust.principals], ...(trust.externalId !== undefined ? { externalId: trust.externalId } : {}) };
}

export interface AddRoleOptions {
  roleName: string;
  trust: SimRoleTrust;
  path?: string;
  createDate?: Date;
  /** Default 3600. */
  maxSessionDurationSeconds?: number;
  attachedPolicies?: string[];
  rng?: Rng;
}

export function addRole(account: SimAccount, options: AddRoleOptions): SimRole {
  if (!/^[\w+=,.@-]{1,64}$/.test(options.roleName)) throw new Error(`invalid IAM role name: ${options.roleName}`);
  if (findRole(account, options.roleName)) throw new Error(`role already exists: ${options.roleName}`);
  const path = options.path ?? '/';
  if (!path.startsWith('/') || !path.endsWith('/')) throw new Error(`IAM path must start and end with '/': ${path}`);
  const maxSession = options.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
  if (!Number.isInteger(maxSession) || maxSession < DEFAULT_MAX_SESSION_SECONDS || maxSession > MAX_MAX_SESSION_SECONDS) {
    throw new Error(`maxSessionDurationSeconds must be between 3600 and 43200: ${maxSession}`);
  }
  for (const arn of options.attachedPolicies ?? []) managedPolicyName(account, arn);
  const role: SimRole = {
    roleName: options.roleName,
    roleId: uniqueId(account, options.rng ?? Math.random, 'AROA', 17),
    path,
    createDate: options.createDate ?? new Date(),
    trust: checkTrust(options.trust),
    maxSessionDurationSeconds: maxSession,
    attachedPolicies: [...(options.attachedPolicies ?? [])],
    inlinePolicies: [],
  };
  (account.roles ??= []).push(role);
  return role;
}

/** Replaces who may assume the role (UpdateAssumeRolePolicy). */
export function setRoleTrust(account: SimAccount, roleName: string, trust: SimRoleTrust): SimRole {
  const role = getRole(account, roleName);
  role.trust = checkTrust(trust);
  return role;
}

/** The trust as the policy document AWS stores (one Allow sts:AssumeRole statement, the ExternalId as a condition). */
export function trustPolicyDocument(role: SimRole): PolicyDocument {
  const aws = role.trust.principals.map((p) => (/^\d{12}$/.test(p) ? `arn:aws:iam::${p}:root` : p));
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: aws.length === 1 ? aws[0] : aws },
        Action: 'sts:AssumeRole',
        ...(role.trust.externalId !== undefined ? { Condition: { StringEquals: { 'sts:ExternalId': role.trust.externalId } } } : {}),
      },
    ],
  };
}
