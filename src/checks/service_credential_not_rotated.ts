/**
 * service_credential_not_rotated — an Active service-specific credential (ListServiceSpecificCredentials:
 * CodeCommit HTTPS Git passwords, Amazon Keyspaces passwords, Amazon Bedrock API keys) older than the limit.
 *
 * Boundaries (elapsed time, see time.ts): fails when now − createdAt > `max_age_days` × 24 h
 * (default 90): exactly 90 × 24 h passes, a minute more fails. Inactive and Expired credentials are
 * ignored. A user whose service credentials were not collected (undefined) produces no finding. Only
 * the api source has them: the credential_report source skips the check.
 *
 * Durable evidence: status, service_name, service_user_name, created_date, limit_days.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { activeCredentialsOlderThan, days, intSetting, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso } from './time';

const SETTINGS = {
  max_age_days: {
    type: 'integer',
    default: 90,
    min: 1,
    description: 'An active service-specific credential created more than this many days ago (elapsed time > N × 24 h) fails.',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an old service-specific credential.' },
} satisfies SettingSpecs;

export const serviceCredentialNotRotated: CheckDefinition = {
  id: 'service_credential_not_rotated',
  title: 'Service-specific credentials are rotated within the limit',
  severity: 'medium',
  resourceType: 'service_credential',
  risk:
    'A service-specific credential is a static password or API key for one service (CodeCommit over HTTPS, ' +
    'Amazon Keyspaces, Amazon Bedrock). It ends up in Git credential helpers, driver configurations and scripts, ' +
    'and works until someone deletes it.',
  remediation:
    'Create a second credential for the same service (aws iam create-service-specific-credential --user-name USER ' +
    '--service-name SERVICE; IAM allows two per service), move every client to it, then deactivate the old one ' +
    '(aws iam update-service-specific-credential --user-name USER --service-specific-credential-id OLD --status Inactive) ' +
    'and delete it (aws iam delete-service-specific-credential --user-name USER --service-specific-credential-id OLD). ' +
    'Prefer temporary credentials (git-remote-codecommit, SigV4 plugins) where the service supports them.',
  references: ['AWS IAM User Guide: Service-specific credentials for IAM users', 'Clean-up'],
  needs: ['service_credentials'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_age_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    return activeCredentialsOlderThan(snapshot, now, limit, { of: (user) => user.serviceCredentials, date: (c) => c.createdAt }).map(
      ({ user, credential: cred }): FindingDraft => ({
        checkId: serviceCredentialNotRotated.id,
        severity,
        resourceType: 'service_credential',
        resourceId: cred.serviceSpecificCredentialId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `Service-specific credential ${cred.serviceSpecificCredentialId} (${cred.serviceName}) of user ${user.userName} is ` +
          `${elapsedPast(cred.createdAt, now, limit)} old (limit ${days(limit)}). Create a new one, move clients to it, ` +
          'then deactivate and delete the old one.',
        evidence: {
          durable: {
            status: cred.status,
            service_name: cred.serviceName,
            service_user_name: cred.serviceUserName,
            created_date: iso(cred.createdAt),
            limit_days: limit,
          },
          volatile: {},
        },
      }),
    );
  },
};
