/**
 * Turns a parsed credential report (plus the ListAccessKeys answers for the users that have keys)
 * into the IamSnapshot the live `api` source would build for the same account state. Pure functions:
 * the IAM calls happen in credential-report.ts.
 *
 * Decisions:
 *  - Key slots → AccessKeyIds: the report has no key ids. A slot is matched to the listed key whose
 *    CreateDate equals the slot's last_rotated to the second (the report has no milliseconds), never
 *    by position. When two listed keys were created in the same second, the slot's active flag decides;
 *    if that does not tell them apart either, neither is matched.
 *  - A listed key that no slot describes (created after the report, or not told apart) is kept with its
 *    ListAccessKeys id, status and creation date; its last use is unknown here (the collector asks
 *    GetAccessKeyLastUsed for it when a check needs last use). A slot whose key is no longer listed
 *    (deleted after the report) is dropped: the key does not exist any more and no id is invented.
 *  - Status and creation date come from ListAccessKeys (the current state, and the exact creation
 *    time with the live API's precision); last use (date, region, service) from the report.
 *  - userId: the report has no unique user id (AIDA…) and ListUsers would cost calls; the user's ARN
 *    stands in for it (unique in the account). No check reads userId.
 *  - MFA: the report only says whether MFA is active, so mfaDeviceCount is 1 or 0.
 *  - Console password: password_enabled; created = password_last_changed (the user's creation time if
 *    the report has none); last used = password_last_used (N/A, no_information = never → null).
 *  - Root: mfa_active; active key count = active slots; password last used; key last used = the later
 *    of the two slots' last use (null when neither was used).
 *  - Signing certificates: the report has cert_N_active / cert_N_last_rotated but no certificate id.
 *    For a user whose row shows an active certificate the collector lists them (ListSigningCertificates)
 *    and the snapshot holds that listing: ids, status and upload dates as IAM says now (a slot whose
 *    date is N/A — LocalStack, moto — gets its date from there, never a guess; a slot whose
 *    certificate is no longer listed is left out; a certificate uploaded after the report is kept,
 *    as unmatched listed keys are). A user whose row shows no active certificate gets [] without a
 *    call: at most inactive certificates, which no check reports and whose ids the report lacks.
 */
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import type { AccessKeySnapshot, RootAccountSnapshot, SigningCertificateSnapshot, UserSnapshot } from '../domain/snapshot';
import type { ReportCertificateSlot, ReportKeySlot, ReportRow } from './report-parse';

const sameSecond = (a: Date, b: Date): boolean => Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);

export interface SlotMatch {
  /** Slot ↔ listed key pairs, matched on creation time. */
  matched: Array<{ slot: ReportKeySlot; key: AccessKeyMetadata }>;
  /** Listed keys no slot describes: created after the report, or not told apart. */
  unmatchedKeys: AccessKeyMetadata[];
  /** Slots whose key is not listed any more: deleted after the report, or not told apart. */
  unmatchedSlots: ReportKeySlot[];
}

/** Matches a user's report key slots to the keys ListAccessKeys lists now (see the module comment). */
export function matchKeySlots(slots: readonly ReportKeySlot[], listed: readonly AccessKeyMetadata[]): SlotMatch {
  const slotsLeft = [...slots];
  const keysLeft = listed.filter((k) => k.AccessKeyId && k.CreateDate);
  const matched: SlotMatch['matched'] = [];
  // Repeat while a match frees the way for another (two keys of the same second, told apart by status).
  for (let progress = true; progress; ) {
    progress = false;
    for (const slot of [...slotsLeft]) {
      let candidates = keysLeft.filter((k) => sameSecond(k.CreateDate!, slot.createdAt));
      if (candidates.length > 1) candidates = candidates.filter((k) => (k.Status === 'Active') === slot.active);
      if (candidates.length !== 1) continue;
      const key = candidates[0]!;
      matched.push({ slot, key });
      slotsLeft.splice(slotsLeft.indexOf(slot), 1);
      keysLeft.splice(keysLeft.indexOf(key), 1);
      progress = true;
    }
  }
  matched.sort((a, b) => a.slot.slot - b.slot.slot);
  return { matched, unmatchedKeys: keysLeft, unmatchedSlots: slotsLeft };
}

/** A listed key as the snapshot holds it; last use not (yet) known. */
export function keyFromListing(userName: string, key: AccessKeyMetadata): AccessKeySnapshot {
  return {
    accessKeyId: key.AccessKeyId!,
    userName,
    status: key.Status === 'Active' ? 'Active' : 'Inactive',
    createdAt: key.CreateDate!,
  };
}

/** A matched key: id, status and creation from ListAccessKeys, last use from the report slot. */
export function keyFromSlot(userName: string, slot: ReportKeySlot, key: AccessKeyMetadata): AccessKeySnapshot {
  const snapshot = keyFromListing(userName, key);
  if (slot.lastUsedAt !== undefined) {
    snapshot.lastUsedAt = slot.lastUsedAt;
    snapshot.lastUsedService = slot.lastUsedAt ? slot.lastUsedService : null;
    snapshot.lastUsedRegion = slot.lastUsedAt ? slot.lastUsedRegion : null;
  }
  return snapshot;
}

export interface UserKeys {
  /** Matched keys (with last use) and unmatched listed keys (last use to be looked up). */
  keys: AccessKeySnapshot[];
  /** The keys among `keys` whose last use the report does not give. */
  withoutLastUse: AccessKeySnapshot[];
  /** Report slots whose key no longer exists. */
  droppedSlots: ReportKeySlot[];
  /** The slots matched to a listed key: what the collector learns (slot → AccessKeyId). */
  identified: Array<{ slot: ReportKeySlot; key: AccessKeySnapshot }>;
}

export function userKeys(row: ReportRow, listed: readonly AccessKeyMetadata[]): UserKeys {
  const match = matchKeySlots(row.keys, listed);
  const identified = match.matched.map(({ slot, key }) => ({ slot, key: keyFromSlot(row.user, slot, key) }));
  const withoutLastUse = match.unmatchedKeys.map((k) => keyFromListing(row.user, k));
  const keys = [...identified.map((i) => i.key), ...withoutLastUse].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return { keys, withoutLastUse, droppedSlots: match.unmatchedSlots, identified };
}

/**
 * A slot whose key an earlier run identified (src/domain/known-credentials.ts): no listing. Everything
 * comes from the report — status (access_key_N_active), creation (last_rotated, to the second), last
 * use — as of the report's generation, like the rest of the row.
 */
export function keyFromKnownSlot(userName: string, slot: ReportKeySlot, accessKeyId: string): AccessKeySnapshot {
  return keyFromSlot(userName, slot, { AccessKeyId: accessKeyId, Status: slot.active ? 'Active' : 'Inactive', CreateDate: slot.createdAt });
}

/** A certificate slot whose certificate an earlier run identified: status and upload date from the report. */
export function certificateFromKnownSlot(slot: ReportCertificateSlot & { uploadedAt: Date }, certificateId: string): SigningCertificateSnapshot {
  return { certificateId, status: slot.active ? 'Active' : 'Inactive', uploadedAt: slot.uploadedAt };
}

/**
 * The report's dated certificate slots matched to listed certificates (upload date to the second; a
 * date two listed certificates share matches neither): what the collector learns (slot → CertificateId).
 */
export function identifyCertificateSlots(
  row: ReportRow,
  listed: readonly SigningCertificateSnapshot[],
): Array<{ slot: ReportCertificateSlot & { uploadedAt: Date }; certificate: SigningCertificateSnapshot }> {
  const out: Array<{ slot: ReportCertificateSlot & { uploadedAt: Date }; certificate: SigningCertificateSnapshot }> = [];
  for (const slot of row.certificates ?? []) {
    if (slot.uploadedAt === null) continue;
    const candidates = listed.filter((c) => sameSecond(c.uploadedAt, slot.uploadedAt!));
    if (candidates.length === 1) out.push({ slot: slot as ReportCertificateSlot & { uploadedAt: Date }, certificate: candidates[0]! });
  }
  return out;
}

/** Whether the row shows an active signing certificate (then the collector lists the user's certificates). */
export const hasActiveCertificate = (row: ReportRow): boolean => (row.certificates ?? []).some((c) => c.active);

export interface CertificateComparison {
  /** Slots whose date is N/A (LocalStack, moto): their date comes from the listing. */
  undatedSlots: ReportCertificateSlot[];
  /** Dated slots that no listed certificate matches (uploaded at that second): deleted or replaced since the report. */
  slotsWithoutCertificate: ReportCertificateSlot[];
}

/**
 * Compares a row's certificate slots with the user's listed certificates, for the collector's log
 * (what changed since the report). The snapshot holds the listing whatever this finds.
 */
export function compareCertificateSlots(row: ReportRow, listed: readonly SigningCertificateSnapshot[]): CertificateComparison {
  const slots = row.certificates ?? [];
  return {
    undatedSlots: slots.filter((s) => s.uploadedAt === null),
    slotsWithoutCertificate: slots.filter((s) => s.uploadedAt !== null && !listed.some((c) => sameSecond(c.uploadedAt, s.uploadedAt!))),
  };
}

export function userFromRow(row: ReportRow, accessKeys: AccessKeySnapshot[]): UserSnapshot {
  const user: UserSnapshot = {
    userName: row.user,
    // The report has no AIDA… id; the ARN is unique in the account (see the module comment).
    userId: row.arn,
    arn: row.arn,
    createdAt: row.createdAt,
    accessKeys,
    mfaDeviceCount: row.mfaActive ? 1 : 0,
  };
  if (row.passwordEnabled === true) {
    user.loginProfile = {
      createdAt: row.passwordLastChangedAt ?? row.createdAt,
      passwordLastUsedAt: row.passwordLastUsedAt,
    };
  } else if (row.passwordEnabled === false) {
    user.loginProfile = null;
  }
  return user;
}

export function rootFromRow(row: ReportRow): RootAccountSnapshot {
  const uses = row.keys.map((k) => k.lastUsedAt).filter((d): d is Date => d instanceof Date);
  const latest = uses.length > 0 ? new Date(Math.max(...uses.map((d) => d.getTime()))) : null;
  return {
    mfaEnabled: row.mfaActive,
    accessKeyCount: row.keys.length,
    activeAccessKeyCount: row.keys.filter((k) => k.active).length,
    passwordLastUsedAt: row.passwordLastUsedAt,
    accessKeyLastUsedAt: latest,
  };
}
