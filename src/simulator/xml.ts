/** Tiny XML writer for AWS Query-protocol responses (string building, everything escaped). */

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export type Scalar = string | number | boolean | Date;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** AWS writes timestamps as ISO 8601 UTC to the second, e.g. 2024-01-02T03:04:05Z (the model's milliseconds are dropped, as AWS has none). */
export function isoTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function scalar(value: Scalar): string {
  if (value instanceof Date) return isoTimestamp(value);
  return escapeXml(String(value));
}

/** `<name>inner</name>` where inner is already XML. */
export function el(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** One element per defined field, in the given order: `<A>1</A><B>x</B>`. */
export function fields(record: Record<string, Scalar | undefined | null>): string {
  let out = '';
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined && value !== null) out += el(name, scalar(value));
  }
  return out;
}

/** A Query-protocol list: `<Users><member>…</member><member>…</member></Users>` (members are XML). */
export function memberList(name: string, members: string[]): string {
  return el(name, members.map((m) => el('member', m)).join(''));
}

/** A Query-protocol map: `<SummaryMap><entry><key>k</key><value>v</value></entry>…</SummaryMap>`. */
export function entryMap(name: string, map: Record<string, Scalar>): string {
  return el(
    name,
    Object.entries(map)
      .map(([key, value]) => el('entry', el('key', escapeXml(key)) + el('value', scalar(value))))
      .join(''),
  );
}

export function successResponse(action: string, xmlns: string, resultXml: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${xmlns}">` +
    el(`${action}Result`, resultXml) +
    el('ResponseMetadata', el('RequestId', requestId)) +
    `</${action}Response>`
  );
}

export function errorResponse(
  xmlns: string,
  error: { type: 'Sender' | 'Receiver'; code: string; message: string },
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${xmlns}">` +
    el('Error', fields({ Type: error.type, Code: error.code, Message: error.message })) +
    el('RequestId', requestId) +
    `</ErrorResponse>`
  );
}
