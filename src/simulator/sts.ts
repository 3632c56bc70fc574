/**
 * STS: AssumeRole and GetCallerIdentity (Query protocol, the sts 2011-06-15 namespace).
 *
 * AssumeRole yields temporary credentials of the role's account when the role exists in an account
 * the simulator serves (ACTIVE; a suspended or closing account refuses), and its trust admits the
 * caller and, when the role requires one, the ExternalId. Everything else is AccessDenied (403) with
 * AWS's message — AWS does not tell a missing role from a refusing trust, neither does the simulator.
 */
import { ActionContext, Handler, SimError, callerArn, validationError } from './action-context';
import { findUser } from './model';
import { findRole, roleArn } from './roles';
import { assumedRoleArn, sessionRoleArn } from './sessions';
import { el, fields } from './xml';

export const MIN_SESSION_SECONDS = 900;
/** AWS: a session lasts one hour unless DurationSeconds says otherwise. */
export const DEFAULT_SESSION_SECONDS = 3600;
/** AWS: role chaining (a role session assuming a role) is limited to one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/;

function accessDenied(ctx: ActionContext, resource: string): SimError {
  return new SimError(403, 'AccessDenied', `User: ${callerArn(ctx)} is not authorized to perform: sts:AssumeRole on resource: ${resource}`);
}

/** The principals a trust can name that match this caller. */
function callerPrincipals(ctx: ActionContext): string[] {
  const caller = ctx.caller;
  const accountId = ctx.account.accountId;
  const common = ['*', accountId, `arn:aws:iam::${accountId}:root`];
  if (caller.kind === 'assumed-role') return [...common, sessionRoleArn(caller.session), assumedRoleArn(caller.session)];
  return [...common, callerArn(ctx)];
}

const assumeRole: Handler = (ctx, params) => {
  const arn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (arn === null) throw validationError('null', 'roleArn', 'Member must not be null');
  if (sessionName === null) throw validationError('null', 'roleSessionName', 'Member must not be null');
  if (sessionName.length < 2) throw validationError(sessionName, 'roleSessionName', 'Member must have length greater than or equal to 2');
  if (sessionName.length > 64) throw validationError(sessionName, 'roleSessionName', 'Member must have length less than or equal to 64');
  if (!/^[\w+=,.@-]+$/.test(sessionName)) {
    throw validationError(sessionName, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  }
  const rawDuration = params.get('DurationSeconds');
  const duration = rawDuration === null ? DEFAULT_SESSION_SECONDS : Number(rawDuration);
  if (!Number.isInteger(duration)) throw validationError(String(rawDuration), 'durationSeconds', 'Member must be an integer');
  if (duration < MIN_SESSION_SECONDS) {
    throw validationError(String(duration), 'durationSeconds', `Member must have value greater than or equal to ${MIN_SESSION_SECONDS}`);
  }
  if (duration > 43_200) throw validationError(String(duration), 'durationSeconds', 'Member must have value less than or equal to 43200');

  const parsed = ROLE_ARN.exec(arn);
  if (!parsed) throw new SimError(400, 'ValidationError', `${arn} is invalid`);
  const [, accountId, path, roleName] = parsed;
  const target = ctx.world.findAccount(accountId!);
  if (!target || target.status !== 'ACTIVE') throw accessDenied(ctx, arn);
  const role = findRole(target.account, roleName!);
  if (!role || roleArn(target.account, role) !== `arn:aws:iam::${accountId}:role${path}${roleName}`) throw accessDenied(ctx, arn);
  const principals = callerPrincipals(ctx);
  if (!role.trust.principals.some((p) => principals.includes(p))) throw accessDenied(ctx, arn);
  if (role.trust.externalId !== undefined && params.get('ExternalId') !== role.trust.externalId) throw accessDenied(ctx, arn);

  if (ctx.caller.kind === 'assumed-role' && duration > ROLE_CHAINING_MAX_SECONDS) {
    throw new SimError(400, 'ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDurationSeconds) {
    throw new SimError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  // AWS timestamps have whole seconds: the Expiration the caller reads is exactly when the session ends.
  const nowMs = Math.floor(ctx.world.clock().getTime() / 1000) * 1000;
  const session = ctx.world.sessions.issue(target.account, role, sessionName, new Date(nowMs + duration * 1000));
  return (
    el(
      'Credentials',
      fields({
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: session.expiration,
      }),
    ) + el('AssumedRoleUser', fields({ AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: assumedRoleArn(session) }))
  );
};

const getCallerIdentity: Handler = (ctx) => {
  if (ctx.caller.kind === 'assumed-role') {
    const { session } = ctx.caller;
    return fields({ UserId: `${session.roleId}:${session.sessionName}`, Account: session.accountId, Arn: assumedRoleArn(session) });
  }
  const caller = findUser(ctx.account, ctx.caller.userName);
  return fields({
    UserId: caller?.userId ?? 'AIDASIMULATEDCALLER01',
    Account: ctx.account.accountId,
    Arn: callerArn(ctx),
  });
};

export const STS_ACTIONS = {
  AssumeRole: { service: 'sts', handler: assumeRole },
  GetCallerIdentity: { service: 'sts', handler: getCallerIdentity },
} as const;
