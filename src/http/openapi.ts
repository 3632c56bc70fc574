/**
 * zod is the single source for request validation, response types and the OpenAPI document:
 * each route module registers its paths on this registry next to its handler.
 */
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'basicAuth', { type: 'http', scheme: 'basic' });
  return registry;
}

export function buildOpenApiDocument(registry: OpenAPIRegistry, version: string) {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'keywatch',
      version,
      description:
        'Self-hosted AWS IAM credential-hygiene scanner: scans IAM users and access keys on a schedule and on demand, keeps every run, and serves current findings, history and diffs. All routes except /api/health and /api/ready need HTTP basic auth.',
    },
    servers: [{ url: '/' }],
    security: [{ basicAuth: [] }],
  });
}

export type { OpenAPIRegistry };
