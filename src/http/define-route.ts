/**
 * One declaration per route (the shape of hono's `createRoute`): the same object registers the
 * OpenAPI path, parses the request with the same zod schemas, and types what the handler may
 * answer — so a route cannot drift from its document.
 *
 *   const getRun = defineRoute({
 *     method: 'get', path: '/api/scans/{id}', summary: 'One run', tags: ['scans'],
 *     request: { params: IdParam },
 *     responses: { 200: { description: 'The run', schema: RunSchema } },
 *     errors: [400, 401, 404],
 *     handler: ({ params }) => ({ status: 200, body: presentRun(loadRun(store, params.id)) }),
 *   });
 *   mountRoutes(router, registry, [getRun], { validateResponses });
 *
 * A JSON response's body is typed from its schema (TypeScript): an object (`body`), or JSON text a
 * presenter already wrote (`json`, branded with the schema's type: src/presenters/json-text.ts).
 * With `validateResponses` (the test environment) every JSON answer is checked against its schema
 * at run time, undocumented fields included. A non-JSON response (CSV, HTML) declares its content
 * type and answers text: a string or chunks (an iterable, written as they come, for exports that
 * must not be built in memory).
 *
 * `errors` lists the error statuses a route can answer; they are documented with the Error schema
 * (and 503, which every route that reaches the database can answer). A route without `errors`
 * (health) documents none.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Request, Response, Router } from 'express';
import { AppError, type ErrorDetail } from '../errors';
import type { JsonText } from '../presenters/json-text';
import { type OpenAPIRegistry, z } from './openapi';
import { errorResponses } from './schemas';
import { parseInput } from './validate';

type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A JSON response: its body is `z.infer` of the schema. */
export interface JsonResponse<S extends z.ZodType = z.ZodType> {
  description: string;
  schema: S;
}
/** A text response (CSV, HTML), optionally with a JSON alternative declared for the same status. */
export interface TextResponse<S extends z.ZodType | undefined = undefined> {
  description: string;
  contentType: 'text/csv' | 'text/html';
  /** The JSON shape answered for the same status when the client asked for JSON (e.g. format=json). */
  schema?: S;
}
/** A response without a body (204). */
export interface EmptyResponse {
  description: string;
  empty: true;
}
export type ResponseSpec = JsonResponse | TextResponse<z.ZodType | undefined> | EmptyResponse;

type TextBody = string | Iterable<string>;
type ReplyHeaders = Record<string, string>;

/** A JSON answer of schema S: an object, or JSON text a presenter wrote for that schema. */
type JsonReply<K, S extends z.ZodType> =
  | { status: K; body: z.infer<S>; headers?: ReplyHeaders }
  | { status: K; json: JsonText<z.infer<S>>; headers?: ReplyHeaders };

/** What a handler may answer for one declared status. */
type ReplyFor<K, R> = R extends EmptyResponse
  ? { status: K; headers?: ReplyHeaders }
  : R extends { contentType: string; schema?: infer S }
    ? { status: K; text: TextBody; headers?: ReplyHeaders } | (S extends z.ZodType ? JsonReply<K, S> : never)
    : R extends JsonResponse<infer S>
      ? JsonReply<K, S>
      : never;

export type Reply<Rs extends Record<number, ResponseSpec>> = { [K in keyof Rs]: ReplyFor<K, Rs[K]> }[keyof Rs];

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  req: Request;
}

export interface RouteSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined, Rs extends Record<number, ResponseSpec>> {
  method: HttpMethod;
  /** The OpenAPI path, `{name}` for path parameters: `/api/scans/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `[]` for a route without authentication (health, ready). */
  security?: [];
  request?: { params?: P; query?: Q; body?: B; bodyRequired?: boolean };
  responses: Rs;
  /** Error statuses this route can answer (documented with the Error schema). */
  errors?: number[];
  handler(input: RouteInput<P, Q, B>): Reply<Rs> | Promise<Reply<Rs>>;
}

/** A declared route, ready to mount. */
export interface RouteDefinition {
  readonly spec: RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, Record<number, ResponseSpec>>;
}

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  // `const` keeps the declared statuses as literals (200, not number) for the handler's reply type.
  const Rs extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
>(spec: RouteSpec<P, Q, B, Rs>): RouteDefinition {
  return { spec: spec as unknown as RouteDefinition['spec'] };
}

export interface MountOptions {
  /** The prefix the router is mounted under (`/api`): stripped from the OpenAPI path for Express. */
  base: string;
  /** Check every JSON body against its declared schema before it is sent (tests): drift is a 500 there. */
  validateResponses?: boolean;
}

/** Registers each route's OpenAPI path and its Express handler. */
export function mountRoutes(router: Router, registry: OpenAPIRegistry, routes: readonly RouteDefinition[], options: MountOptions): void {
  for (const { spec } of routes) {
    registry.registerPath(openApiPath(spec));
    const expressPath = toExpressPath(spec.path, options.base);
    router[spec.method](expressPath, async (req: Request, res: Response) => {
      const input = { ...parseRequest(spec, req), req };
      send(spec, (await spec.handler(input)) as AnyReply, res, options);
    });
  }
}

/** Parses path, query and body; one 400 names every wrong field of all three. */
function parseRequest(spec: RouteDefinition['spec'], req: Request): { params: unknown; query: unknown; body: unknown } {
  const details: ErrorDetail[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown => {
    if (!schema) return undefined;
    try {
      return parseInput(schema, value, where);
    } catch (error) {
      if (error instanceof AppError && error.details) details.push(...error.details);
      else throw error;
      return undefined;
    }
  };
  const parsed = {
    params: parse(spec.request?.params, req.params, 'path'),
    query: parse(spec.request?.query, req.query, 'query'),
    body: parse(spec.request?.body, req.body ?? {}, 'body'),
  };
  if (details.length > 0) throw AppError.validation(details);
  return parsed;
}

interface AnyReply {
  status: number;
  body?: unknown;
  json?: string;
  text?: TextBody;
  headers?: ReplyHeaders;
}

function send(spec: RouteDefinition['spec'], reply: AnyReply, res: Response, options: MountOptions): void {
  const declared = spec.responses[reply.status];
  if (!declared) throw new Error(`${spec.method.toUpperCase()} ${spec.path} answered undeclared status ${reply.status}`);
  if (options.validateResponses && 'schema' in declared && declared.schema && reply.text === undefined) {
    checkBody(spec, reply.status, declared.schema, reply.json !== undefined ? JSON.parse(reply.json) : reply.body);
  }
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if ('empty' in declared) {
    res.end();
    return;
  }
  if (reply.text !== undefined && 'contentType' in declared) {
    res.type(`${declared.contentType}; charset=utf-8`);
    if (typeof reply.text === 'string') {
      res.send(reply.text);
      return;
    }
    for (const chunk of reply.text) res.write(chunk);
    res.end();
    return;
  }
  if (reply.json !== undefined) res.type('application/json').send(reply.json);
  else res.json(reply.body);
}

/**
 * Tests: the body as the client receives it (JSON) must match the documented schema, with no field
 * the schema does not document (zod would silently strip those). Drift is a 500 naming the route.
 */
function checkBody(spec: RouteDefinition['spec'], status: number, schema: z.ZodType, body: unknown): void {
  const wire: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const checked = schema.safeParse(wire);
  const problem = !checked.success
    ? checked.error.message
    : !isDeepStrictEqual(wire, JSON.parse(JSON.stringify(checked.data)))
      ? `fields the schema does not document: ${undocumentedFields(wire, checked.data).join(', ')}`
      : null;
  if (problem) {
    throw new AppError('internal_error', 500, `${spec.method.toUpperCase()} ${spec.path} ${status}: the body does not match its documented schema: ${problem}`);
  }
}

/** Paths present in what was sent but not in what the schema kept. */
function undocumentedFields(sent: unknown, kept: unknown, at = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) return sent.flatMap((v, i) => undocumentedFields(v, kept[i], `${at}[${i}]`));
  if (sent === null || kept === null || typeof sent !== 'object' || typeof kept !== 'object') return [];
  const k = kept as Record<string, unknown>;
  return Object.entries(sent as Record<string, unknown>).flatMap(([key, v]) => {
    const path = at ? `${at}.${key}` : key;
    return key in k ? undocumentedFields(v, k[key], path) : [path];
  });
}

/** `/api/scans/{id}/diff` under `/api` → `/scans/:id/diff`. */
export function toExpressPath(openApiPath: string, base: string): string {
  if (!openApiPath.startsWith(base)) throw new Error(`route ${openApiPath} is not under ${base}`);
  return openApiPath.slice(base.length).replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1') || '/';
}

function openApiPath(spec: RouteDefinition['spec']): Parameters<OpenAPIRegistry['registerPath']>[0] {
  const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    if ('empty' in r) responses[status] = { description: r.description };
    else if ('contentType' in r) {
      responses[status] = {
        description: r.description,
        content: { ...(r.schema ? { 'application/json': { schema: r.schema } } : {}), [r.contentType]: { schema: z.string() } },
      };
    } else responses[status] = { description: r.description, content: { 'application/json': { schema: r.schema } } };
  }
  const request = spec.request;
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    ...(spec.security ? { security: spec.security } : {}),
    request: {
      ...(request?.params ? { params: request.params as never } : {}),
      ...(request?.query ? { query: request.query as never } : {}),
      ...(request?.body
        ? { body: { required: request.bodyRequired ?? false, content: { 'application/json': { schema: request.body } } } }
        : {}),
    },
    // A status the route declares itself (ready's 503) wins over the generic error answer.
    responses: { ...(spec.errors ? errorResponses(...spec.errors) : {}), ...responses },
  };
}
