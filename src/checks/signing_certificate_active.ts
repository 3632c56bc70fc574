/**
 * signing_certificate_active — an Active X.509 signing certificate older than the limit
 * (ListSigningCertificates; the credential report's cert_N_active / cert_N_last_rotated).
 *
 * Boundaries (elapsed time, see time.ts): fails when now − uploadedAt > `max_age_days` × 24 h
 * (default 90): exactly 90 × 24 h passes, a minute more fails. Inactive certificates are ignored.
 * A user whose certificates were not collected (undefined) produces no finding.
 *
 * Durable evidence: status, upload_date, limit_days.
 */
import type { CheckDefinition, FindingDraft } from './types';
import { activeCredentialsOlderThan, days, intSetting, severitySetting, type SettingSpecs } from './common';
import { elapsedPast, iso } from './time';

const SETTINGS = {
  max_age_days: {
    type: 'integer',
    default: 90,
    min: 1,
    description: 'An active signing certificate uploaded more than this many days ago (elapsed time > N × 24 h) fails.',
  },
  severity: { type: 'severity', default: 'medium', description: 'Severity of an old active signing certificate.' },
} satisfies SettingSpecs;

export const signingCertificateActive: CheckDefinition = {
  id: 'signing_certificate_active',
  title: 'Signing certificates do not stay active',
  severity: 'medium',
  resourceType: 'signing_certificate',
  risk:
    'X.509 signing certificates authenticate a few legacy interfaces (SOAP APIs, instance-store AMI bundling). ' +
    'Almost nothing needs them any more, so an old active certificate is usually forgotten key material that ' +
    'still signs requests as the user.',
  remediation:
    'Find out whether anything still signs with it; if not, deactivate it (aws iam update-signing-certificate ' +
    '--user-name USER --certificate-id ID --status Inactive) and delete it (aws iam delete-signing-certificate ' +
    '--user-name USER --certificate-id ID). If it is still needed, upload a new certificate ' +
    '(aws iam upload-signing-certificate), switch to it and delete the old one.',
  references: ['AWS IAM User Guide: Manage X.509 signing certificates', 'Clean-up: certificates are rarely still needed'],
  needs: ['signing_certificates'],
  settings: SETTINGS,
  weighedByPrivilege: true,
  enabledByDefault: true,
  evaluate(snapshot, settings, now) {
    const limit = intSetting(SETTINGS, settings, 'max_age_days');
    const severity = severitySetting(SETTINGS, settings, 'severity');
    return activeCredentialsOlderThan(snapshot, now, limit, { of: (user) => user.signingCertificates, date: (c) => c.uploadedAt }).map(
      ({ user, credential: cert }): FindingDraft => ({
        checkId: signingCertificateActive.id,
        severity,
        resourceType: 'signing_certificate',
        resourceId: cert.certificateId,
        userName: user.userName,
        userArn: user.arn,
        message:
          `Signing certificate ${cert.certificateId} of user ${user.userName} is active and was uploaded ` +
          `${elapsedPast(cert.uploadedAt, now, limit)} ago (limit ${days(limit)}). Delete it if nothing signs with it, or replace it.`,
        evidence: { durable: { status: cert.status, upload_date: iso(cert.uploadedAt), limit_days: limit }, volatile: {} },
      }),
    );
  },
};
