/**
 * Who is calling: the simulator reads the access key id from the SigV4 Authorization header
 * (`Credential=AKID/date/region/service/aws4_request`; signatures are not verified).
 *  - Base (static) credentials are the home account's: the single account, or the organization's
 *    management account. Any key id that is not a temporary one (ASIA…) is accepted as the base
 *    credentials unless `baseAccessKeyIds` narrows them; an unsigned request is treated as signed with
 *    the base credentials, so raw Query POSTs in tests keep working.
 *  - Temporary credentials (ASIA…) are those AssumeRole issued: they belong to the account of the
 *    assumed role, must come with their session token, and expire.
 * Unknown key ids answer InvalidClientTokenId (403), expired ones ExpiredToken (403), as IAM and STS do.
 */
import { randomBytes } from 'node:crypto';
import { SimAccount, SimRole } from './model';

export interface SimSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  rolePath: string;
  roleId: string;
  sessionName: string;
  expiration: Date;
}

/** The caller of one request. */
export type SimCaller = { kind: 'user'; userName: string } | { kind: 'assumed-role'; session: SimSession };

export function assumedRoleArn(session: Pick<SimSession, 'accountId' | 'roleName' | 'sessionName'>): string {
  return `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`;
}

/** The IAM role ARN behind a session (what a role trust names to let that role's sessions chain). */
export function sessionRoleArn(session: SimSession): string {
  return `arn:aws:iam::${session.accountId}:role${session.rolePath}${session.roleName}`;
}

/** The access key id in a SigV4 Authorization header, if any. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomChars(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export const TEMPORARY_KEY_PREFIX = 'ASIA';

export class SessionStore {
  private readonly sessions = new Map<string, SimSession>();

  issue(account: SimAccount, role: SimRole, sessionName: string, expiration: Date): SimSession {
    let accessKeyId: string;
    do accessKeyId = TEMPORARY_KEY_PREFIX + randomChars(BASE32, 16);
    while (this.sessions.has(accessKeyId));
    const session: SimSession = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      // Real session tokens are long opaque base64 strings; the simulator only compares them.
      sessionToken: randomBytes(180).toString('base64'),
      accountId: account.accountId,
      roleName: role.roleName,
      rolePath: role.path,
      roleId: role.roleId,
      sessionName,
      expiration,
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }

  get(accessKeyId: string): SimSession | undefined {
    return this.sessions.get(accessKeyId);
  }
}
