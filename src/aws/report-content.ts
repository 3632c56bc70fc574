/**
 * GetCredentialReport without the SDK's XML parser reading the report.
 *
 * The answer is an XML document whose <Content> holds the whole report in base64 (1.9 MB for 5,000
 * users). The SDK's parser walks it character by character on the event loop: measured about 200 ms
 * of parse and the garbage collections it causes, once per report scan, while the API waits (bench
 * `api_load`). Here the raw answer is read as bytes, the base64 between <Content> and </Content> is
 * decoded natively, and the SDK parses what remains (a few hundred bytes: GeneratedTime,
 * ReportFormat, the request id). The output the caller sees is the SDK's own, with Content restored.
 *
 * Anything unexpected (no <Content> element, characters that are not base64 such as an XML entity,
 * an error answer) leaves the answer untouched: the SDK parses it as it always did.
 */
import { GetCredentialReportCommand } from '@aws-sdk/client-iam';

const OPEN = Buffer.from('<Content>');
const CLOSE = Buffer.from('</Content>');
/** Base64 and the white space some encoders wrap it with; one character class, so linear time. */
const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

export interface LiftedContent {
  /** The decoded report. */
  content: Buffer;
  /** The answer without its <Content> element. */
  rest: Buffer;
}

/** Splits the report's content out of a GetCredentialReport answer; null when the answer is not the expected shape. */
export function liftReportContent(body: Buffer): LiftedContent | null {
  const open = body.indexOf(OPEN);
  if (open < 0) return null;
  const start = open + OPEN.length;
  const end = body.indexOf(CLOSE, start);
  if (end < 0) return null;
  const base64 = body.toString('latin1', start, end);
  if (!BASE64.test(base64)) return null;
  return {
    content: Buffer.from(base64, 'base64'),
    rest: Buffer.concat([body.subarray(0, open), body.subarray(end + CLOSE.length)]),
  };
}

/** Where the inner middleware leaves the content for the outer one (the context is per invocation). */
const LIFTED = Symbol('keywatch.liftedReportContent');

type RawResponse = { statusCode?: number; body?: unknown };

async function readBody(body: unknown): Promise<Buffer | null> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return null;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** A GetCredentialReport command whose answer's report content bypasses the SDK's XML parser. */
export function getCredentialReportCommand(): GetCredentialReportCommand {
  const command = new GetCredentialReportCommand({});
  const stack = command.middlewareStack;
  // Innermost (deserialize step, low priority): sees each attempt's raw HTTP answer before the
  // SDK's deserializer, which is in the same step at normal priority.
  stack.add(
    (next, context) => async (args) => {
      const slot = context as Record<symbol, Buffer | undefined>;
      slot[LIFTED] = undefined; // a retried attempt must not reuse an earlier attempt's content
      const result = await next(args);
      const response = result.response as RawResponse;
      if (response.statusCode !== 200) return result;
      const body = await readBody(response.body);
      if (!body) return result;
      const lifted = liftReportContent(body);
      response.body = lifted ? lifted.rest : body; // the body was read: hand the deserializer the bytes
      if (lifted) slot[LIFTED] = lifted.content;
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'keywatchLiftReportContent' },
  );
  // Outermost: puts the content back into the SDK's parsed output.
  stack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const content = (context as Record<symbol, Buffer | undefined>)[LIFTED];
      if (content) (result.output as { Content?: Uint8Array }).Content = content;
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'keywatchRestoreReportContent' },
  );
  return command;
}
