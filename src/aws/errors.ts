/**
 * Classifies what the AWS SDK throws, and turns a failure into an error a person can act on.
 */
import { AppError } from '../errors';

/** The AWS services keywatch calls (the prefix of an action in a policy: iam:ListUsers). */
export type AwsService = 'iam' | 'sts' | 'organizations';

export type AwsErrorKind = 'throttled' | 'transient' | 'access_denied' | 'credentials' | 'not_found' | 'other';

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceeded', // GenerateCredentialReport answers 409 LimitExceeded
  'LimitExceededException',
]);
/**
 * GetCredentialReport has no report to give right now: none was generated, the last one expired, or
 * one is still being generated. Classified `not_found` so that `gateway.iamOrNull` answers null and
 * the credential-report collector generates (again) instead of failing the run.
 */
export const CREDENTIAL_REPORT_NOT_READY_CODES = new Set([
  'ReportNotPresent',
  'ReportExpired',
  'ReportInProgress',
  'CredentialReportNotPresentException',
  'CredentialReportExpiredException',
  'CredentialReportNotReadyException',
]);
const TRANSIENT_CODES = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'ServiceFailure', 'RequestTimeout']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
]);

interface SdkLikeError {
  name?: string;
  /** The raw AWS error code (Query protocol): NoSuchEntity, ReportInProgress, … */
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/**
 * The AWS error code. For errors IAM models, the SDK's `name` is the exception class
 * (NoSuchEntityException) and the wire code is in `Code` (NoSuchEntity); prefer the wire code.
 */
export function errorCode(error: unknown): string {
  const e = error as SdkLikeError;
  if (typeof e?.Code === 'string' && e.Code) return e.Code;
  return e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'Error');
}

export function httpStatusOf(error: unknown): number | undefined {
  const e = error as SdkLikeError;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

export function classifyAwsError(error: unknown): AwsErrorKind {
  const e = error as SdkLikeError;
  const name = errorCode(error);
  const className = e?.name ?? '';
  const status = httpStatusOf(error);
  const message = e?.message ?? '';
  if (THROTTLING_CODES.has(name) || status === 429 || /rate exceeded/i.test(message)) return 'throttled';
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'UnauthorizedOperation') return 'access_denied';
  if (CREDENTIAL_CODES.has(name)) return 'credentials';
  if (name === 'NoSuchEntity' || className === 'NoSuchEntityException') return 'not_found';
  if (CREDENTIAL_REPORT_NOT_READY_CODES.has(name) || CREDENTIAL_REPORT_NOT_READY_CODES.has(className)) return 'not_found';
  if (TRANSIENT_CODES.has(name) || (status !== undefined && status >= 500)) return 'transient';
  if (NETWORK_CODES.has(name) || NETWORK_CODES.has(e?.code ?? '') || name === 'TimeoutError') return 'transient';
  // The SDK wraps socket errors ("AWS SDK error wrapper for Error: connect ECONNREFUSED …").
  if (/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|socket hang up)\b/.test(message)) return 'transient';
  return 'other';
}

/** A failed IAM call as the run's error: names the action and says what to do. */
export function describeAwsFailure(action: string, error: unknown, service: AwsService = 'iam'): AppError {
  const permission = `${service}:${action}`;
  const kind = classifyAwsError(error);
  const awsSaid = ((error as SdkLikeError)?.message ?? String(error)).slice(0, 500);
  const code = errorCode(error);
  const attempts = (error as { keywatchAttempts?: number }).keywatchAttempts;
  switch (kind) {
    case 'access_denied':
      return new AppError(
        'aws_access_denied',
        502,
        `${service === 'iam' ? 'IAM' : 'AWS'} denied ${permission} (AccessDenied). Grant keywatch's principal the ${permission} permission — docs/iam-policy.md lists the least-privilege policy. AWS said: ${awsSaid}`,
        undefined,
        { cause: error },
      );
    case 'credentials':
      return new AppError(
        'aws_credentials',
        502,
        `${permission} failed because the AWS credentials were rejected or missing (${code}). Check the SDK credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity/IRSA, instance role). AWS said: ${awsSaid}`,
        undefined,
        { cause: error },
      );
    case 'throttled':
      return new AppError(
        'aws_throttled',
        502,
        `${permission} was still throttled after ${attempts ?? 'several'} attempts (${code}). Lower KEYWATCH_IAM_RATE or KEYWATCH_IAM_CONCURRENCY, or raise KEYWATCH_IAM_MAX_ATTEMPTS, and scan again.`,
        undefined,
        { cause: error },
      );
    case 'transient':
      return new AppError(
        'aws_unavailable',
        502,
        `${permission} failed after ${attempts ?? 'several'} attempts: ${code}: ${awsSaid}. Check network access to the IAM endpoint (KEYWATCH_IAM_ENDPOINT / AWS_REGION) and scan again.`,
        undefined,
        { cause: error },
      );
    default:
      return new AppError('aws_error', 502, `${permission} failed: ${code}: ${awsSaid}`, undefined, { cause: error });
  }
}

/** sts:AssumeRole into a target's role failed: refused (trust policy, ExternalId), or STS unreachable. */
export class AssumeRoleError extends Error {
  constructor(
    readonly roleArn: string,
    readonly withExternalId: boolean,
    readonly original: unknown,
  ) {
    super(`sts:AssumeRole ${roleArn} failed: ${(original as Error)?.message ?? String(original)}`, { cause: original });
    this.name = 'AssumeRoleError';
  }
}

/** The run's error when keywatch could not assume a target's role: names the role, the action and what to check. */
export function describeAssumeRoleFailure(error: AssumeRoleError): AppError {
  const kind = classifyAwsError(error.original);
  const code = errorCode(error.original);
  const awsSaid = ((error.original as SdkLikeError)?.message ?? String(error.original)).slice(0, 500);
  if (kind === 'access_denied') {
    return new AppError(
      'aws_assume_role_denied',
      502,
      `sts:AssumeRole into ${error.roleArn} was refused (${code}). Check the role's trust policy: it must allow sts:AssumeRole ` +
        `for keywatch's principal in the management account${error.withExternalId ? ', with the ExternalId keywatch sends (sts:ExternalId condition)' : ''}; ` +
        `and that keywatch's principal may call sts:AssumeRole on that role (docs/organizations.md). AWS said: ${awsSaid}`,
      undefined,
      { cause: error.original },
    );
  }
  if (kind === 'throttled' || kind === 'transient') {
    return new AppError('aws_unavailable', 502, `sts:AssumeRole into ${error.roleArn} failed: ${code}: ${awsSaid}. Scan again.`, undefined, {
      cause: error.original,
    });
  }
  return new AppError('aws_assume_role_denied', 502, `sts:AssumeRole into ${error.roleArn} failed: ${code}: ${awsSaid}`, undefined, { cause: error.original });
}
