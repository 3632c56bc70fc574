/**
 * Reads an IAM credential report (the CSV of GetCredentialReport) into typed rows, with csv-parse.
 *
 * AWS value conventions (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html):
 *  - dates are ISO 8601 with an offset: 2024-01-02T03:04:05+00:00;
 *  - `N/A`: the thing does not exist (no password, no key, a key never used);
 *  - `no_information`: a password (or root) that exists but was never used since IAM tracks it;
 *  - `not_supported`: IAM does not report it (the root user's password columns);
 *  - booleans are `true` / `false` (read in any case);
 *  - the `<root_account>` row describes the root user.
 *
 * The report is read all or nothing: a missing required column, a row with the wrong number of
 * fields, or a value that is not a date / boolean where one is expected throws
 * AppError('report_failed') naming the line, the user and the column. A partly understood report
 * never becomes a snapshot.
 */
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse } from 'csv-parse';
import { AppError } from '../errors';

export const ROOT_ACCOUNT_ROW = '<root_account>';

/** The columns keywatch needs. Others (password_next_rotation, future additions) are allowed and ignored. */
export const REQUIRED_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
] as const;

/**
 * The signing-certificate columns. AWS always writes them; a report without all four (an emulator's)
 * is still read, but without certificates (ReportRow.certificates undefined): the collector then
 * says why the certificate check is skipped instead of failing the run.
 */
export const CERTIFICATE_REPORT_COLUMNS = ['cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated'] as const;

type Column = (typeof REQUIRED_REPORT_COLUMNS)[number] | (typeof CERTIFICATE_REPORT_COLUMNS)[number];

/** One access key slot of a report row that holds a key (access_key_N_last_rotated is a date). */
export interface ReportKeySlot {
  slot: 1 | 2;
  active: boolean;
  /** access_key_N_last_rotated: when the key was created (a key cannot change; rotating = a new key). */
  createdAt: Date;
  /** null = never used (N/A); undefined = not_supported. */
  lastUsedAt: Date | null | undefined;
  lastUsedRegion: string | null;
  lastUsedService: string | null;
}

/**
 * One signing-certificate slot of a report row that holds a certificate. The report has no
 * certificate ids: the collector learns them from ListSigningCertificates.
 */
export interface ReportCertificateSlot {
  slot: 1 | 2;
  /** cert_N_active. */
  active: boolean;
  /**
   * cert_N_last_rotated: when the certificate was uploaded (or last changed). null = the report says
   * N/A although cert_N_active is true (LocalStack and moto do): unknown, never guessed.
   */
  uploadedAt: Date | null;
}

export interface ReportRow {
  /** Line of the row in the CSV (the header is line 1). */
  line: number;
  user: string;
  arn: string;
  createdAt: Date;
  /** undefined = not_supported (the root user). */
  passwordEnabled: boolean | undefined;
  /** null = no password or never used (N/A, no_information); undefined = not_supported. */
  passwordLastUsedAt: Date | null | undefined;
  /** null = no password (N/A); undefined = not_supported. */
  passwordLastChangedAt: Date | null | undefined;
  mfaActive: boolean;
  /** The key slots in use, slot 1 first. Empty slots (last_rotated N/A) are left out. */
  keys: ReportKeySlot[];
  /**
   * The certificate slots in use, slot 1 first (empty slots — inactive and N/A — are left out);
   * undefined when the report has no cert_N columns.
   */
  certificates?: ReportCertificateSlot[];
}

export interface ParsedCredentialReport {
  /**
   * The `<root_account>` row; null when the report has none (LocalStack, moto and some partitions
   * leave it out: the collector then skips the root checks with that reason).
   */
  root: ReportRow | null;
  /** Whether the report has the four cert_N columns (AWS always writes them). */
  hasCertificateColumns: boolean;
  /** The IAM users, in report order. */
  users: ReportRow[];
}

const WHAT_TO_DO =
  'keywatch does not use a report it cannot fully read, and no finding was changed. Scan again with the api source ' +
  '(source "api"), and report the problem if IAM changed the credential report format.';

function reportError(problem: string): AppError {
  return new AppError('report_failed', 502, `The credential report could not be read: ${problem}. ${WHAT_TO_DO}`);
}

// 2024-01-02T03:04:05+00:00, 2024-01-02T03:04:05Z, optional fraction, offset with or without colon.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses an ISO 8601 date with an offset strictly (no Feb 30, no month 13); null when it is not one. */
export function parseReportDate(value: string): Date | null {
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ? Number(`0.${m[7]}`) : 0;
  const zone = m[8]!;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(hh) > 14 || Number(mm) > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(fraction * 1000)) - offsetMinutes * 60_000;
  return new Date(ms);
}

/** Reads the values of one CSV record, naming the line, user and column when a value is not understood. */
class RowReader {
  constructor(
    private readonly record: Record<string, string>,
    private readonly line: number,
  ) {}

  private fail(column: Column, value: string, expected: string): never {
    const user = this.record.user ? ` (user "${this.record.user}")` : '';
    throw reportError(`line ${this.line}${user}, column ${column}: "${value}" is not ${expected}`);
  }

  raw(column: Column): string {
    return this.record[column] ?? '';
  }

  /** A non-empty string. */
  text(column: Column): string {
    const value = this.raw(column);
    if (value.trim() === '') this.fail(column, value, 'a value (it is empty)');
    return value;
  }

  /** A string, or null for N/A. */
  optionalText(column: Column): string | null {
    const value = this.text(column);
    return value === 'N/A' ? null : value;
  }

  /** true/false in any case; `not_supported` → undefined when allowed. */
  bool(column: Column, allowNotSupported = false): boolean | undefined {
    const value = this.raw(column);
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (allowNotSupported && value === 'not_supported') return undefined;
    return this.fail(column, value, allowNotSupported ? 'true, false or not_supported' : 'true or false');
  }

  requiredBool(column: Column): boolean {
    return this.bool(column) as boolean;
  }

  /** A date. */
  date(column: Column): Date {
    const value = this.raw(column);
    return parseReportDate(value) ?? this.fail(column, value, 'an ISO 8601 date such as 2024-01-02T03:04:05+00:00');
  }

  /** A date; N/A and no_information → null; not_supported → undefined. */
  optionalDate(column: Column): Date | null | undefined {
    const value = this.raw(column);
    if (value === 'N/A' || value === 'no_information') return null;
    if (value === 'not_supported') return undefined;
    return this.date(column);
  }

  keySlot(slot: 1 | 2): ReportKeySlot | null {
    const col = (suffix: string) => `access_key_${slot}_${suffix}` as Column;
    const active = this.requiredBool(col('active'));
    const rotated = this.raw(col('last_rotated'));
    if (rotated === 'N/A') {
      if (active) this.fail(col('last_rotated'), rotated, `a date (${col('active')} is true, so the slot holds a key)`);
      return null;
    }
    const lastUsedAt = this.optionalDate(col('last_used_date'));
    return {
      slot,
      active,
      createdAt: this.date(col('last_rotated')),
      lastUsedAt,
      lastUsedRegion: lastUsedAt ? this.optionalText(col('last_used_region')) : null,
      lastUsedService: lastUsedAt ? this.optionalText(col('last_used_service')) : null,
    };
  }

  certificateSlot(slot: 1 | 2): ReportCertificateSlot | null {
    const activeColumn = `cert_${slot}_active` as Column;
    const rotatedColumn = `cert_${slot}_last_rotated` as Column;
    const active = this.requiredBool(activeColumn);
    const rotated = this.raw(rotatedColumn);
    if (rotated === 'N/A') return active ? { slot, active, uploadedAt: null } : null;
    return { slot, active, uploadedAt: this.date(rotatedColumn) };
  }
}

function readRow(record: Record<string, string>, line: number, withCertificates: boolean): ReportRow {
  const r = new RowReader(record, line);
  const user = r.text('user');
  const isRoot = user === ROOT_ACCOUNT_ROW;
  const arn = r.text('arn');
  if (!/^arn:[^:]+:iam::\d{12}:/.test(arn)) {
    throw reportError(`line ${line} (user "${user}"), column arn: "${arn}" is not an IAM ARN`);
  }
  const keys = [r.keySlot(1), r.keySlot(2)].filter((k): k is ReportKeySlot => k !== null);
  const row: ReportRow = {
    line,
    user,
    arn,
    createdAt: r.date('user_creation_time'),
    passwordEnabled: r.bool('password_enabled', isRoot),
    passwordLastUsedAt: r.optionalDate('password_last_used'),
    passwordLastChangedAt: r.optionalDate('password_last_changed'),
    mfaActive: r.requiredBool('mfa_active'),
    keys,
  };
  if (withCertificates) row.certificates = [r.certificateSlot(1), r.certificateSlot(2)].filter((c): c is ReportCertificateSlot => c !== null);
  return row;
}

function checkHeader(header: string[]): string[] {
  const seen = new Set<string>();
  for (const column of header) {
    if (seen.has(column)) throw reportError(`the header names the column "${column}" twice`);
    seen.add(column);
  }
  const missing = REQUIRED_REPORT_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw reportError(`the header lacks the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (header: ${header.join(',').slice(0, 300)})`);
  }
  return header;
}

interface CsvErrorLike {
  code?: string;
  message: string;
  lines?: number;
  record?: unknown[];
  columns?: unknown[];
}

/**
 * Characters of CSV parsed between two turns of the event loop: a large report (5,000 users is about
 * 2 MB) is read in slices of a few milliseconds each instead of holding the API's event loop for the
 * whole parse (measured: 0.15 s, and the garbage collections it causes, in one piece).
 */
export const SLICE_CHARS = 32 * 1024;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** csv-parse's error for a record, or a broken CSV, as report_failed naming the line and user. */
function csvFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as CsvErrorLike;
  if (e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' || e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    const fields = e.record?.length;
    const user = typeof e.record?.[0] === 'string' && e.record[0] ? ` (user "${e.record[0]}")` : '';
    return reportError(
      `line ${e.lines ?? '?'}${user} has ${fields ?? 'a different number of'} field${fields === 1 ? '' : 's'}, the header has ${e.columns?.length ?? 'another number'}`,
    );
  }
  return reportError(`it is not valid CSV (${e.message})`);
}

/**
 * Parses the credential report CSV, a slice at a time (SLICE_CHARS), yielding to the event loop in
 * between. Rejects with AppError('report_failed') on anything it does not understand: the first
 * problem, in report order; nothing of a report that is not fully read is returned.
 */
export async function parseCredentialReport(csv: string): Promise<ParsedCredentialReport> {
  if (csv.trim() === '') throw reportError('the report is empty');
  let header: string[] = [];
  let hasCertificateColumns = false;
  let failure: unknown = null;
  let root: ReportRow | null = null;
  const users: ReportRow[] = [];
  const seen = new Map<string, number>();
  const addRecord = (record: Record<string, string>, line: number) => {
    const row = readRow(record, line, hasCertificateColumns);
    if (row.user === ROOT_ACCOUNT_ROW) {
      if (root) throw reportError(`line ${row.line} is a second ${ROOT_ACCOUNT_ROW} row (the first is line ${root.line})`);
      root = row;
      return;
    }
    // IAM user names are unique case-insensitively.
    const key = row.user.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw reportError(`line ${row.line} lists user "${row.user}" a second time (first on line ${first})`);
    seen.set(key, row.line);
    users.push(row);
  };

  const parser = parse({
    bom: true,
    columns: (columns: string[]) => {
      header = checkHeader(columns);
      hasCertificateColumns = CERTIFICATE_REPORT_COLUMNS.every((c) => header.includes(c));
      return header;
    },
    // strict: every row has exactly as many fields as the header
    relax_column_count: false,
    skip_empty_lines: true,
    info: true,
  });
  parser.on('data', ({ record, info }: { record: Record<string, string>; info: { lines: number } }) => {
    if (failure !== null) return;
    try {
      addRecord(record, info.lines);
    } catch (error) {
      failure = error;
    }
  });
  parser.on('error', (error) => {
    failure ??= error;
  });
  for (let at = 0; at < csv.length && failure === null; ) {
    let end = Math.min(at + SLICE_CHARS, csv.length);
    // Never between the two halves of a surrogate pair: each slice is encoded to UTF-8 on its own.
    if (end < csv.length && isHighSurrogate(csv.charCodeAt(end - 1))) end++;
    parser.write(csv.slice(at, end));
    at = end;
    await nextTurn();
  }
  if (failure === null) {
    parser.end();
    await finished(parser).catch((error: unknown) => {
      failure ??= error;
    });
  } else {
    parser.destroy();
  }
  if (failure !== null) throw csvFailure(failure);
  return { root, users, hasCertificateColumns };
}
