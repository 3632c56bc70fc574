/**
 * zod is the single source for request validation, response types and the OpenAPI document: each
 * route is declared once with defineRoute (define-route.ts), which registers its path on this
 * registry. `z` carries the OpenAPI extension (src/presenters/zod.ts).
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { WebhookPayloadSchema } from '../presenters/schemas';
import { z } from '../presenters/zod';

export { z };

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'basicAuth', { type: 'http', scheme: 'basic' });
  // Not an answer of the API but keywatch's other public JSON: what the webhook posts (docs/api.md).
  registry.register('WebhookPayload', WebhookPayloadSchema);
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
