/**
 * defineRoute: one declaration registers the OpenAPI path, parses the input with the same zod
 * schemas and types the handler's answer. Exercised on a small real Express app over HTTP.
 */
import express from 'express';
import request from 'supertest';
import { defineRoute, mountRoutes, toExpressPath } from '../../src/http/define-route';
import { errorHandler } from '../../src/http/middleware/errors';
import { buildOpenApiDocument, createRegistry, z } from '../../src/http/openapi';
import { asJsonText } from '../../src/presenters/json-text';

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

  test('when a handler answers a field its schema does not document, then validation refuses to send it and names the field', async () => {
    const undocumented = defineRoute({
      method: 'get',
      path: '/api/undocumented',
      summary: 'Says more than documented',
      tags: ['items'],
      responses: { 200: { description: 'Items', schema: z.object({ items: z.array(Item) }) } },
      // A presenter that grew a field the schema does not list: TypeScript allows the extra field of a variable.
      handler: () => {
        const items = [{ id: 1, name: 'a', secret: 'x' }];
        return { status: 200, body: { items } };
      },
    });
    const { app } = appWith([undocumented]);
    const res = await request(app).get('/api/undocumented');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('fields the schema does not document: items[0].secret');
    // without validation (production) the same body is sent as it is
    const unchecked = await request(appWith([undocumented], false).app).get('/api/undocumented');
    expect(unchecked.status).toBe(200);
    expect(unchecked.body).toEqual({ items: [{ id: 1, name: 'a', secret: 'x' }] });
  });

  test('when a handler answers JSON text a presenter wrote, then it is sent as it is and checked like any body', async () => {
    const route = (text: string) =>
      defineRoute({
        method: 'get',
        path: '/api/text',
        summary: 'Pre-rendered',
        tags: ['items'],
        responses: { 200: { description: 'An item', schema: Item } },
        handler: () => ({ status: 200, json: asJsonText<z.infer<typeof Item>>(text) }),
      });
    const good = await request(appWith([route('{"id":3,"name":"c"}')]).app).get('/api/text');
    expect(good.status).toBe(200);
    expect(good.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(good.text).toBe('{"id":3,"name":"c"}');
    const drifting = await request(appWith([route('{"id":"3","name":"c"}')]).app).get('/api/text');
    expect(drifting.status).toBe(500);
  });

  test('when a route declares no errors, then none are documented, and a status it declares itself wins over the generic error answer', () => {
    const probe = defineRoute({
      method: 'get',
      path: '/api/probe',
      summary: 'Probe',
      tags: ['items'],
      security: [],
      responses: { 200: { description: 'Up', schema: Item }, 503: { description: 'Down', schema: Item } },
      handler: () => ({ status: 200, body: { id: 1, name: 'up' } }),
    });
    const bare = defineRoute({ ...probe.spec, path: '/api/bare', responses: { 200: { description: 'Up', schema: Item } } } as never);
    const { document } = appWith([probe, bare]);
    const responses = document.paths['/api/probe']!.get!.responses;
    expect(Object.keys(responses)).toEqual(['200', '503']);
    expect(responses['503']).toMatchObject({ description: 'Down' });
    expect(Object.keys(document.paths['/api/bare']!.get!.responses)).toEqual(['200']);
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
defineRoute({
  method: 'get',
  path: '/api/typed',
  summary: 'Typed',
  tags: ['items'],
  responses: { 200: { description: 'An item', schema: Item } },
  // @ts-expect-error JSON text written for another shape
  handler: () => ({ status: 200, json: asJsonText<{ other: true }>('{"other":true}') }),
});
