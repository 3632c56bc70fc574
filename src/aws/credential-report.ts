/**
 * The `credential_report` source: collects an IamSnapshot from IAM's credential report, in a
 * handful of calls instead of several per user. Every call goes through the target's limiter (via
 * the gateway), like the live source.
 *
 *   GenerateCredentialReport until COMPLETE (STARTED, INPROGRESS; polled with a growing delay,
 *   bounded by KEYWATCH_REPORT_TIMEOUT_S) → GetCredentialReport → parse the CSV (report-parse.ts)
 *   → ListAccessKeys for the users whose report row has a key (the report has no key ids: slots are
 *   matched on creation time, report-snapshot.ts) → GetAccessKeyLastUsed only for listed keys the
 *   report does not describe → and as the enabled checks need: ListSigningCertificates for the users
 *   whose row shows an active certificate (certificate ids; dates the report leaves N/A),
 *   ListVirtualMFADevices (is root's MFA device virtual?), GetAccountPasswordPolicy,
 *   GetAccountAuthorizationDetails (what each user can do; all pages). SSH keys and service-specific
 *   credentials are not in the report: checks on them are skipped on this source.
 *
 * A report without a `<root_account>` row (LocalStack, moto, some partitions) is read without root:
 * the root checks are skipped with that reason (snapshot.notCollectedReasons) and the run succeeds.
 *
 * Throttling of these calls (GenerateCredentialReport's 409 LimitExceeded included) is retried by the
 * limiter. GetCredentialReport answering ReportInProgress, ReportNotPresent or ReportExpired (the report
 * went away between the two calls) sends the collector back to GenerateCredentialReport.
 *
 * The snapshot describes the account when the report was generated (up to 4 hours ago at AWS, the
 * run stores the time); the keys of users who have keys are checked against ListAccessKeys now.
 * Users created after the report are not in it.
 */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type GenerateCredentialReportCommandOutput,
  type GetCredentialReportCommandOutput,
} from '@aws-sdk/client-iam';
import type { AccessKeySnapshot, DataNeed, IamSnapshot, SigningCertificateSnapshot, UserSnapshot } from '../domain/snapshot';
import { AppError } from '../errors';
import { collectAuthorizationDetails } from './authorization-details';
import type { CollectContext } from './collect-context';
import { collectPasswordPolicy, fetchKeyLastUse, listUserAccessKeys, resolveAccountId } from './collect-live';
import { CERTIFICATE_REPORT_COLUMNS, parseCredentialReport, ROOT_ACCOUNT_ROW, type ReportRow } from './report-parse';
import { compareCertificateSlots, hasActiveCertificate, rootFromRow, userFromRow, userKeys } from './report-snapshot';
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
        ctx.gateway.iamOrNull<GetCredentialReportCommandOutput>('GetCredentialReport', new GetCredentialReportCommand({})),
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
  listCalls: number;
  unmatchedKeys: number;
  droppedSlots: number;
}

/** ListAccessKeys for ONLY the users whose row shows a key, and slot → AccessKeyId matching. */
async function lookUpAccessKeys(ctx: CollectContext, rows: ReportRow[], needs: Set<DataNeed>): Promise<KeyLookup> {
  const result: KeyLookup = { byUser: new Map(), listCalls: 0, unmatchedKeys: 0, droppedSlots: 0 };
  await forEachBounded(
    rows.filter((row) => row.keys.length > 0),
    KEY_LOOKUP_IN_FLIGHT,
    async (row) => {
      result.listCalls++;
      const listed = await listUserAccessKeys(ctx.gateway, row.user);
      if (listed === null) {
        result.byUser.set(row.user, null);
        return;
      }
      const { keys, withoutLastUse, droppedSlots } = userKeys(row, listed);
      result.unmatchedKeys += withoutLastUse.length;
      result.droppedSlots += droppedSlots.length;
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
    },
  );
  return result;
}

interface CertificateLookup {
  /** Per user name: the listed certificates; null = the user no longer exists. Only users whose row shows an active certificate. */
  byUser: Map<string, SigningCertificateSnapshot[] | null>;
  listCalls: number;
  /** Slots whose date the report left N/A, dated from the listing. */
  datesFromListing: number;
  /** Dated slots no listed certificate matches (deleted or replaced since the report). */
  slotsWithoutCertificate: number;
}

/** ListSigningCertificates for ONLY the users whose row shows an active certificate (see report-snapshot.ts). */
async function lookUpCertificates(ctx: CollectContext, rows: ReportRow[]): Promise<CertificateLookup> {
  const result: CertificateLookup = { byUser: new Map(), listCalls: 0, datesFromListing: 0, slotsWithoutCertificate: 0 };
  await forEachBounded(rows.filter(hasActiveCertificate), KEY_LOOKUP_IN_FLIGHT, async (row) => {
    result.listCalls++;
    const listed = await listUserSigningCertificates(ctx.gateway, row.user);
    result.byUser.set(row.user, listed);
    if (listed === null) return;
    const compared = compareCertificateSlots(row, listed);
    result.datesFromListing += compared.undatedSlots.length;
    result.slotsWithoutCertificate += compared.slotsWithoutCertificate.length;
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
  const report = parseCredentialReport(downloaded.csv);
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

  ctx.logger.info(
    {
      users: users.length,
      access_keys: users.reduce((n, u) => n + u.accessKeys.length, 0),
      list_access_keys_users: keys.listCalls,
      keys_not_in_report: keys.unmatchedKeys,
      report_slots_without_key: keys.droppedSlots,
      users_deleted_since_report: deletedSinceReport,
      ...(certificates
        ? {
            list_signing_certificates_users: certificates.listCalls,
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
