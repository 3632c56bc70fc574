/**
 * defineRoute: one declaration registers the OpenAPI path, parses the input with the same zod
 * schemas and types the handler's answer. Exercised on a small real Express app over HTTP.
 */
import express from 'express';
import request from 'supertest';
import { defineRoute, mountRoutes, toExpressPath } from '../../src/http/define-route';
import { errorHandler } from '../../src/http/middleware/errors';
import { buildOpenApiDocument, createRegistry, z } from '../../src/http/openapi';

const Item = z.object({ id: z.number().int(), name: z.string() });

function appWith(routes: ReturnType<typeof defineRoute>[], validateResponses = true) {
  const app = express();
  app.use(express.json());
  const router = express.Router();
  const registry = createRegistry();
  mountRoutes(router, registry, routes, { base: '/api', validateResponses });
  app.use('/api', router);
  app.use(errorHandler);
  return { app, document: buildOpenApiDocument(registry, 'test') };
}

const getItem = defineRoute({
  method: 'get',
  path: '/api/items/{id}',
  summary: 'One item',
  tags: ['items'],
  request: {
    params: z.object({ id: z.coerce.number().int().positive() }),
    query: z.object({ upper: z.enum(['true', 'false']).default('false') }),
  },
  responses: { 200: { description: 'The item', schema: Item } },
  errors: [400, 404],
  handler: ({ params, query }) => ({ status: 200, body: { id: params.id, name: query.upper === 'true' ? 'ITEM' : 'item' } }),
});

describe('defineRoute', () => {
  test('when a route is declared, then its OpenAPI path documents the parameters, the response schema and the errors', () => {
    const { document } = appWith([getItem]);
    const op = document.paths['/api/items/{id}']!.get!;
    expect(op.summary).toBe('One item');
    expect((op.parameters ?? []).map((p) => ('name' in p ? p.name : ''))).toEqual(['id', 'upper']);
    expect(Object.keys(op.responses)).toEqual(['200', '400', '404', '503']); // 503: every route can meet an unavailable database
  });

  test('when the input is valid, then the handler gets it parsed and the answer is sent as declared', async () => {
    const { app } = appWith([getItem]);
    const res = await request(app).get('/api/items/7?upper=true');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 7, name: 'ITEM' });
  });

  test('when the input is invalid, then the answer is 400 naming each wrong field', async () => {
    const { app } = appWith([getItem]);
    const res = await request(app).get('/api/items/x?upper=maybe');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['id', 'upper']);
  });

  test('when a handler answers a body that does not match its schema, then validation refuses to send it', async () => {
    const drifting = defineRoute({
      method: 'get',
      path: '/api/drift',
      summary: 'Drifts',
      tags: ['items'],
      responses: { 200: { description: 'An item', schema: Item } },
      // The cast stands for a presenter that drifted from the schema at run time.
      handler: () => ({ status: 200, body: { id: 'seven' } as unknown as z.infer<typeof Item> }),
    });
    const { app } = appWith([drifting]);
    const res = await request(app).get('/api/drift');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
  });

  test('when a text response answers chunks, then they are written in order with the declared content type', async () => {
    const csv = defineRoute({
      method: 'get',
      path: '/api/export',
      summary: 'Export',
      tags: ['items'],
      responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
      handler: () => ({
        status: 200,
        headers: { 'Content-Disposition': 'attachment; filename="x.csv"' },
        text: (function* () {
          yield 'a,b\r\n';
          yield '1,2\r\n';
        })(),
      }),
    });
    const { app, document } = appWith([csv]);
    const res = await request(app).get('/api/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="x.csv"');
    expect(res.text).toBe('a,b\r\n1,2\r\n');
    expect(Object.keys(document.paths['/api/export']!.get!.responses['200']!.content ?? {})).toEqual(['text/csv']);
  });

  test('when a route answers 204, then nothing is sent', async () => {
    const del = defineRoute({
      method: 'delete',
      path: '/api/items/{id}',
      summary: 'Delete',
      tags: ['items'],
      request: { params: z.object({ id: z.coerce.number() }) },
      responses: { 204: { description: 'Deleted', empty: true } },
      handler: () => ({ status: 204 }),
    });
    const { app } = appWith([del]);
    const res = await request(app).delete('/api/items/3');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  test('when an OpenAPI path has parameters, then the Express path has them as :name under the mount base', () => {
    expect(toExpressPath('/api/scans/{id}/diff', '/api')).toBe('/scans/:id/diff');
    expect(() => toExpressPath('/metrics', '/api')).toThrow(/not under \/api/);
  });
});

// Compile-time guarantees (npm run typecheck): a body of the wrong shape, or an undeclared status, does not type-check.
defineRoute({
  method: 'get',
  path: '/api/typed',
  summary: 'Typed',
  tags: ['items'],
  responses: { 200: { description: 'An item', schema: Item } },
  // @ts-expect-error name must be a string
  handler: () => ({ status: 200, body: { id: 1, name: 2 } }),
});
defineRoute({
  method: 'get',
  path: '/api/typed',
  summary: 'Typed',
  tags: ['items'],
  responses: { 200: { description: 'An item', schema: Item } },
  // @ts-expect-error 201 is not a declared status
  handler: () => ({ status: 201, body: { id: 1, name: 'x' } }),
});
