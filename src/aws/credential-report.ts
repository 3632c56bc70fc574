/**
 * The `credential_report` source: collects an IamSnapshot from IAM's credential report, in a
 * handful of calls instead of several per user. Every call goes through the target's limiter (via
 * the gateway), like the live source.
 *
 *   GenerateCredentialReport until COMPLETE (STARTED, INPROGRESS; polled with a growing delay,
 *   bounded by KEYWATCH_REPORT_TIMEOUT_S) → GetCredentialReport → parse the CSV (report-parse.ts)
 *   → key ids: the report has none. A row whose every key slot an earlier run identified (same user
 *   name, ARN and creation, same slot, same creation second: ctx.knownCredentials,
 *   src/domain/known-credentials.ts) needs no call; ListAccessKeys only for the other users whose row
 *   has a key (slots matched on creation time, report-snapshot.ts) → GetAccessKeyLastUsed only for
 *   listed keys the report does not describe → and as the enabled checks need: ListSigningCertificates
 *   for the users whose row shows an active certificate whose slots are not all known (certificate
 *   ids; dates the report leaves N/A), ListVirtualMFADevices (is root's MFA device virtual?),
 *   GetAccountPasswordPolicy, GetAccountAuthorizationDetails (what each user can do; all pages). SSH
 *   keys and service-specific credentials are not in the report: checks on them are skipped on this
 *   source. What the slots resolved to goes back to the scan (snapshot.learnedCredentials), which
 *   stores it with the run for the next scan.
 *
 * A report without a `<root_account>` row (LocalStack, moto, some partitions) is read without root:
 * the root checks are skipped with that reason (snapshot.notCollectedReasons) and the run succeeds.
 *
 * Throttling of these calls (GenerateCredentialReport's 409 LimitExceeded included) is retried by the
 * limiter. GetCredentialReport answering ReportInProgress, ReportNotPresent or ReportExpired (the report
 * went away between the two calls) sends the collector back to GenerateCredentialReport.
 *
 * The snapshot describes the account when the report was generated (up to 4 hours ago at AWS, the
 * run stores the time). Keys resolved from earlier runs are as the report shows them (status, creation,
 * last use); the keys of users that had to be listed are checked against ListAccessKeys now (a key
 * deleted since the report is dropped, one created since is added). Users created after the report
 * are not in it.
 */
import {
  GenerateCredentialReportCommand,
  type GenerateCredentialReportCommandOutput,
  type GetCredentialReportCommandOutput,
} from '@aws-sdk/client-iam';
import {
  KnownCredentials,
  learnable,
  wholeSecond,
  type CredentialOwner,
  type KnownCredentialKind,
  type LearnedCredential,
} from '../domain/known-credentials';
import type { AccessKeySnapshot, DataNeed, IamSnapshot, SigningCertificateSnapshot, UserSnapshot } from '../domain/snapshot';
import { AppError } from '../errors';
import { collectAuthorizationDetails } from './authorization-details';
import type { CollectContext } from './collect-context';
import { getCredentialReportCommand } from './report-content';
import { collectPasswordPolicy, fetchKeyLastUse, listUserAccessKeys, resolveAccountId } from './collect-live';
import { CERTIFICATE_REPORT_COLUMNS, parseCredentialReport, ROOT_ACCOUNT_ROW, type ReportCertificateSlot, type ReportRow } from './report-parse';
import {
  certificateFromKnownSlot,
  compareCertificateSlots,
  hasActiveCertificate,
  identifyCertificateSlots,
  keyFromKnownSlot,
  rootFromRow,
  userFromRow,
  userKeys,
} from './report-snapshot';
import { findRootVirtualMfaSerial } from './root-mfa';
import { listUserSigningCertificates } from './user-credentials';

/** Polling GenerateCredentialReport: the first wait, doubling up to the cap (and never past the deadline). */
export const REPORT_POLL_FIRST_MS = 250;
export const REPORT_POLL_MAX_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DownloadedReport {
  csv: string;
  generatedAt: Date;
  generateCalls: number;
  /** Wall-clock ms from the first GenerateCredentialReport to the end of GetCredentialReport. */
  waitedMs: number;
}

function timeoutError(timeoutMs: number, lastState: string): AppError {
  const seconds = Math.round(timeoutMs / 1000);
  return new AppError(
    'report_failed',
    502,
    `The IAM credential report did not complete within ${seconds} s (KEYWATCH_REPORT_TIMEOUT_S; last GenerateCredentialReport state: ${lastState}). ` +
      'IAM generates it asynchronously and can be slow for large accounts: scan again later (the report generation keeps ' +
      'running at AWS), raise KEYWATCH_REPORT_TIMEOUT_S, or scan with the api source (source "api").',
  );
}

/** Races one call against the deadline; the call itself is abandoned (the run fails and the gateway is cancelled). */
function beforeDeadline<T>(call: Promise<T>, deadline: number, onTimeout: () => AppError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
  });
  call.catch(() => undefined); // the losing call must not become an unhandled rejection
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GenerateCredentialReport until COMPLETE, then GetCredentialReport; if the report is gone again
 * (expired, in progress, not present) generate again. Bounded by ctx.reportTimeoutMs (wall clock).
 */
export async function downloadCredentialReport(ctx: CollectContext): Promise<DownloadedReport> {
  const started = Date.now();
  const deadline = started + ctx.reportTimeoutMs;
  let lastState = 'none yet';
  const onTimeout = () => timeoutError(ctx.reportTimeoutMs, lastState);
  let delay = REPORT_POLL_FIRST_MS;
  let generateCalls = 0;
  for (;;) {
    if (Date.now() >= deadline) throw onTimeout();
    generateCalls++;
    const generated = await beforeDeadline(
      ctx.gateway.iam<GenerateCredentialReportCommandOutput>('GenerateCredentialReport', new GenerateCredentialReportCommand({})),
      deadline,
      onTimeout,
    );
    lastState = generated.State ?? 'no state';
    ctx.logger.debug({ state: lastState, attempt: generateCalls }, 'credential report generation');
    if (generated.State === 'COMPLETE') {
      const out = await beforeDeadline(
        ctx.gateway.iamOrNull<GetCredentialReportCommandOutput>('GetCredentialReport', getCredentialReportCommand()),
        deadline,
        onTimeout,
      );
      if (out) return readReport(ctx, out, generateCalls, started);
      // ReportExpired / ReportNotPresent / ReportInProgress: it went away between the two calls.
      lastState = 'COMPLETE, but GetCredentialReport found no report';
      ctx.logger.info('credential report not available after COMPLETE; generating again');
      delay = REPORT_POLL_FIRST_MS; // a new generation starts: poll it from the start
    }
    await sleep(Math.max(0, Math.min(delay, deadline - Date.now())));
    delay = Math.min(delay * 2, REPORT_POLL_MAX_MS);
  }
}

function readReport(ctx: CollectContext, out: GetCredentialReportCommandOutput, generateCalls: number, started: number): DownloadedReport {
  if (out.ReportFormat && out.ReportFormat !== 'text/csv') {
    throw new AppError(
      'report_failed',
      502,
      `GetCredentialReport returned a report in format "${out.ReportFormat}"; keywatch reads text/csv. Scan with the api source (source "api").`,
    );
  }
  if (!out.Content || out.Content.length === 0) {
    throw new AppError('report_failed', 502, 'GetCredentialReport returned an empty report. Scan again, or scan with the api source (source "api").');
  }
  let generatedAt = out.GeneratedTime;
  if (!generatedAt) {
    ctx.logger.warn('GetCredentialReport returned no GeneratedTime; using the download time as the report time');
    generatedAt = ctx.now();
  }
  return {
    csv: Buffer.from(out.Content.buffer, out.Content.byteOffset, out.Content.byteLength).toString('utf8'),
    generatedAt,
    generateCalls,
    waitedMs: Date.now() - started,
  };
}

/**
 * Users whose keys are looked up at the same time. The limiter sets the pace; this only keeps the
 * queue short, so that thousands of users do not hold thousands of pending requests in memory.
 */
export const KEY_LOOKUP_IN_FLIGHT = 32;

/** Runs `fn` over `items` with at most `limit` running at once; rejects on the first failure. */
async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface KeyLookup {
  /** Per user name: the user's keys; null = the user no longer exists. Users without key slots are absent. */
  byUser: Map<string, AccessKeySnapshot[] | null>;
  /** Users whose every key slot an earlier run identified: no call. */
  knownUsers: number;
  listCalls: number;
  unmatchedKeys: number;
  droppedSlots: number;
  /** Slot → AccessKeyId, for the next scan. */
  learned: LearnedCredential[];
}

const ownerOf = (row: ReportRow): CredentialOwner => ({ userName: row.user, arn: row.arn, createdAt: row.createdAt });

const learnedFrom = (row: ReportRow, kind: KnownCredentialKind, slot: 1 | 2, createdAt: Date, credentialId: string): LearnedCredential => ({
  kind,
  credentialId,
  userName: row.user,
  userArn: row.arn,
  userCreatedAt: wholeSecond(row.createdAt.getTime()),
  slot,
  createdAt: wholeSecond(createdAt.getTime()),
  slotFromReport: true,
});

/**
 * Slot → AccessKeyId: from what earlier runs learned when every key slot of the row is known
 * (src/domain/known-credentials.ts), otherwise ListAccessKeys for the user (new or rotated keys,
 * a re-created user, a key in another slot, a user never seen), matched on creation time.
 */
async function lookUpAccessKeys(ctx: CollectContext, rows: ReportRow[], needs: Set<DataNeed>): Promise<KeyLookup> {
  const known = ctx.knownCredentials ?? KnownCredentials.none;
  const result: KeyLookup = { byUser: new Map(), knownUsers: 0, listCalls: 0, unmatchedKeys: 0, droppedSlots: 0, learned: [] };
  const toList: ReportRow[] = [];
  for (const row of rows) {
    if (row.keys.length === 0) continue;
    const ids = row.keys.map((slot) => known.idOf('access_key', ownerOf(row), slot.slot, slot.createdAt));
    if (ids.some((id) => id === null)) {
      toList.push(row);
      continue;
    }
    result.knownUsers++;
    result.byUser.set(
      row.user,
      row.keys.map((slot, i) => keyFromKnownSlot(row.user, slot, ids[i]!)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
    );
    row.keys.forEach((slot, i) => result.learned.push(learnedFrom(row, 'access_key', slot.slot, slot.createdAt, ids[i]!)));
  }
  const listedAt = Date.now();
  await forEachBounded(toList, KEY_LOOKUP_IN_FLIGHT, async (row) => {
    result.listCalls++;
    const listed = await listUserAccessKeys(ctx.gateway, row.user);
    if (listed === null) {
      result.byUser.set(row.user, null);
      return;
    }
    const { keys, withoutLastUse, droppedSlots, identified } = userKeys(row, listed);
    result.unmatchedKeys += withoutLastUse.length;
    result.droppedSlots += droppedSlots.length;
    for (const { slot, key } of identified) {
      if (learnable(key.createdAt, listedAt)) result.learned.push(learnedFrom(row, 'access_key', slot.slot, key.createdAt, key.accessKeyId));
    }
    if (withoutLastUse.length > 0 || droppedSlots.length > 0) {
      ctx.logger.info(
        {
          user: row.user,
          keys_not_in_report: withoutLastUse.map((k) => k.accessKeyId),
          report_slots_without_key: droppedSlots.map((s) => s.slot),
        },
        'access keys changed since the credential report was generated; using ListAccessKeys for them',
      );
    }
    if (needs.has('key_last_used')) {
      // deleted in the meantime: last use stays unknown
      await Promise.all(withoutLastUse.map(async (k) => Object.assign(k, await fetchKeyLastUse(ctx.gateway, k.accessKeyId))));
    }
    result.byUser.set(row.user, keys);
  });
  return result;
}

interface CertificateLookup {
  /** Per user name: the user's certificates; null = the user no longer exists. Only users whose row shows an active certificate. */
  byUser: Map<string, SigningCertificateSnapshot[] | null>;
  /** Users whose row shows an active certificate and whose every certificate slot an earlier run identified: no call. */
  knownUsers: number;
  listCalls: number;
  /** Slots whose date the report left N/A, dated from the listing. */
  datesFromListing: number;
  /** Dated slots no listed certificate matches (deleted or replaced since the report). */
  slotsWithoutCertificate: number;
  /** Slot → CertificateId, for the next scan. */
  learned: LearnedCredential[];
}

/**
 * Certificates of the users whose row shows an active certificate: from what earlier runs learned when
 * every certificate slot of the row is dated and known, otherwise ListSigningCertificates (see
 * report-snapshot.ts). Known slots of rows without an active certificate are confirmed, not listed.
 */
async function lookUpCertificates(ctx: CollectContext, rows: ReportRow[]): Promise<CertificateLookup> {
  const known = ctx.knownCredentials ?? KnownCredentials.none;
  const result: CertificateLookup = { byUser: new Map(), knownUsers: 0, listCalls: 0, datesFromListing: 0, slotsWithoutCertificate: 0, learned: [] };
  const toList: ReportRow[] = [];
  for (const row of rows) {
    const slots = row.certificates ?? [];
    if (slots.length === 0) continue;
    const ids = slots.map((slot) => (slot.uploadedAt === null ? null : known.idOf('signing_certificate', ownerOf(row), slot.slot, slot.uploadedAt)));
    if (ids.some((id) => id === null)) {
      if (hasActiveCertificate(row)) toList.push(row);
      continue;
    }
    const dated = slots as Array<ReportCertificateSlot & { uploadedAt: Date }>;
    dated.forEach((slot, i) => result.learned.push(learnedFrom(row, 'signing_certificate', slot.slot, slot.uploadedAt, ids[i]!)));
    if (!hasActiveCertificate(row)) continue; // at most inactive certificates: none in the snapshot (see report-snapshot.ts)
    result.knownUsers++;
    result.byUser.set(
      row.user,
      dated.map((slot, i) => certificateFromKnownSlot(slot, ids[i]!)),
    );
  }
  const listedAt = Date.now();
  await forEachBounded(toList, KEY_LOOKUP_IN_FLIGHT, async (row) => {
    result.listCalls++;
    const listed = await listUserSigningCertificates(ctx.gateway, row.user);
    result.byUser.set(row.user, listed);
    if (listed === null) return;
    const compared = compareCertificateSlots(row, listed);
    result.datesFromListing += compared.undatedSlots.length;
    result.slotsWithoutCertificate += compared.slotsWithoutCertificate.length;
    for (const { slot, certificate } of identifyCertificateSlots(row, listed)) {
      if (learnable(certificate.uploadedAt, listedAt)) {
        result.learned.push(learnedFrom(row, 'signing_certificate', slot.slot, certificate.uploadedAt, certificate.certificateId));
      }
    }
  });
  return result;
}

const NO_ROOT_ROW =
  `the credential report has no ${ROOT_ACCOUNT_ROW} row (LocalStack, moto and some partitions leave it out), ` +
  "so root's MFA, access keys and last use are unknown to this scan";

const NO_CERTIFICATE_COLUMNS = `the credential report has no ${CERTIFICATE_REPORT_COLUMNS.join(' / ')} columns`;

/** Runs `collect` when `wanted`; undefined (not collected) otherwise. */
const when = <T>(wanted: boolean, collect: () => Promise<T>): Promise<T | undefined> => (wanted ? collect() : Promise.resolve(undefined));

export async function collectFromCredentialReport(ctx: CollectContext): Promise<IamSnapshot> {
  const needs = new Set(ctx.needs);
  const downloaded = await downloadCredentialReport(ctx);
  ctx.logger.info(
    {
      report_generated_at: downloaded.generatedAt.toISOString(),
      report_bytes: Buffer.byteLength(downloaded.csv),
      generate_calls: downloaded.generateCalls,
      waited_ms: downloaded.waitedMs,
    },
    'credential report downloaded',
  );

  const phaseStart = Date.now();
  const report = await parseCredentialReport(downloaded.csv);
  const parseMs = Date.now() - phaseStart;
  const notCollectedReasons: NonNullable<IamSnapshot['notCollectedReasons']> = {};
  if (!report.root) {
    for (const need of ['root_account', 'root_last_used', 'root_virtual_mfa'] as const) {
      if (needs.has(need)) notCollectedReasons[need] = NO_ROOT_ROW;
    }
    if (Object.keys(notCollectedReasons).length > 0) ctx.logger.warn(`${NO_ROOT_ROW}: the root checks are skipped`);
  }
  const certificatesWanted = needs.has('signing_certificates') && report.hasCertificateColumns;
  if (needs.has('signing_certificates') && !report.hasCertificateColumns) notCollectedReasons.signing_certificates = NO_CERTIFICATE_COLUMNS;

  const lookupStart = Date.now();
  const [keys, certificates, passwordPolicy, accountId, rootVirtualMfaSerial, authorizationDetails] = await Promise.all([
    lookUpAccessKeys(ctx, report.users, needs),
    when(certificatesWanted, () => lookUpCertificates(ctx, report.users)),
    when(needs.has('password_policy'), () => collectPasswordPolicy(ctx.gateway)),
    resolveAccountId(ctx.gateway, [...(report.root ? [report.root] : []), ...report.users]),
    // Root's MFA type means nothing without the root row's mfa_active.
    when(needs.has('root_virtual_mfa') && report.root !== null, () => findRootVirtualMfaSerial(ctx.gateway)),
    when(needs.has('authorization_details'), () => collectAuthorizationDetails(ctx.gateway)),
  ]);
  const lookupMs = Date.now() - lookupStart;

  const users: UserSnapshot[] = [];
  let deletedSinceReport = 0;
  for (const row of report.users) {
    const accessKeys = keys.byUser.get(row.user);
    const listedCertificates = certificates?.byUser.get(row.user);
    if (accessKeys === null || listedCertificates === null) {
      deletedSinceReport++; // a listing answered NoSuchEntity: the user no longer exists
      continue;
    }
    const user = userFromRow(row, accessKeys ?? []);
    if (certificates) user.signingCertificates = listedCertificates ?? [];
    users.push(user);
  }
  const snapshot: IamSnapshot = {
    accountId,
    source: 'credential_report',
    collectedAt: ctx.now(),
    reportGeneratedAt: downloaded.generatedAt,
    users,
  };
  if (report.root) {
    snapshot.root = rootFromRow(report.root);
    if (rootVirtualMfaSerial !== undefined) snapshot.root.virtualMfaSerial = rootVirtualMfaSerial;
  }
  if (passwordPolicy !== undefined) snapshot.passwordPolicy = passwordPolicy;
  if (authorizationDetails) snapshot.authorizationDetails = authorizationDetails;
  if (Object.keys(notCollectedReasons).length > 0) snapshot.notCollectedReasons = notCollectedReasons;
  snapshot.learnedCredentials = {
    kinds: certificates ? ['access_key', 'signing_certificate'] : ['access_key'],
    // Users a listing found deleted are left out with their credentials (their rows' slots were not learned).
    credentials: [...keys.learned, ...(certificates?.learned ?? [])].filter((c) => keys.byUser.get(c.userName) !== null && certificates?.byUser.get(c.userName) !== null),
  };

  ctx.logger.info(
    {
      users: users.length,
      access_keys: users.reduce((n, u) => n + u.accessKeys.length, 0),
      list_access_keys_users: keys.listCalls,
      // Users whose key slots earlier runs identified (no ListAccessKeys).
      known_key_users: keys.knownUsers,
      keys_not_in_report: keys.unmatchedKeys,
      report_slots_without_key: keys.droppedSlots,
      users_deleted_since_report: deletedSinceReport,
      ...(certificates
        ? {
            list_signing_certificates_users: certificates.listCalls,
            known_certificate_users: certificates.knownUsers,
            certificate_dates_from_listing: certificates.datesFromListing,
            report_certificate_slots_without_certificate: certificates.slotsWithoutCertificate,
          }
        : {}),
      root_row: report.root !== null,
      parse_ms: parseMs,
      // Every call after the report (key and certificate listings, account-level calls), run together.
      key_lookup_ms: lookupMs,
    },
    'credential report mapped',
  );
  return snapshot;
}
