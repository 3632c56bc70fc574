/**
 * The one CSV writer of keywatch: every CSV export builds its records here.
 *
 * - RFC 4180: records end with CRLF; a cell holding a comma, a double quote, CR or LF is enclosed in
 *   double quotes, with its quotes doubled.
 * - CSV injection (OWASP): a spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a
 *   formula, and some spreadsheets skip a leading tab or carriage return before they look. IAM user
 *   names may contain `+ = , . @ _ -`, so `=1+1`, `+cmd` or `@SUM(A1)` are legal user names and
 *   reach the exports as they are. A text cell beginning with one of those six characters gets a
 *   leading single quote, which spreadsheets read as "this is text" (and which a reader of the file
 *   sees, so the change is never silent).
 *
 * What counts as text: every string, whatever it holds — a date, an id or a message the app wrote can
 * still carry user input, so strings are never trusted. Numbers are written as numbers without the
 * quote: they are the app's own values (ids, counts), never user input, and a number that renders
 * with a leading `-` (a negative count, which keywatch never produces) is a numeric constant to a
 * spreadsheet, not a formula. Only finite numbers are accepted: NaN or Infinity in an export is a bug
 * that should fail loudly, not become a cell. Booleans are `true` / `false`; null and undefined are an
 * empty cell.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: neutralised when it could start a formula, then quoted when RFC 4180 requires it. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`CSV cells hold finite numbers only, got ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export const csvRecord = (values: readonly CsvValue[]): string => `${values.map(csvCell).join(',')}\r\n`;
