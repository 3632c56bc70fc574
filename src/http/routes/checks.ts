import { Router } from 'express';
import { SOURCE_PROVIDES, SCAN_SOURCES } from '../../domain/snapshot';
import type { HttpContext } from '../context';
import { type OpenAPIRegistry, z } from '../openapi';
import { errorResponses, SeverityEnum, SourceEnum } from '../schemas';

const CheckSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: SeverityEnum,
    resource_type: z.string(),
    risk: z.string(),
    remediation: z.string(),
    references: z.array(z.string()),
    enabled: z.boolean(),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'Effective settings (defaults overridden by KEYWATCH_CHECK_* variables)' }),
    setting_specs: z.record(z.string(), z.object({ type: z.string(), default: z.unknown(), description: z.string(), env: z.string() })),
    sources: z.array(SourceEnum).openapi({ description: 'Sources that can evaluate this check' }),
    needs: z.array(z.string()),
  })
  .openapi('Check');

export function checksRoutes(ctx: HttpContext, registry: OpenAPIRegistry): Router {
  const router = Router();
  registry.registerPath({
    method: 'get',
    path: '/api/checks',
    summary: 'The check catalog with effective settings',
    tags: ['checks'],
    responses: {
      200: { description: 'Every check', content: { 'application/json': { schema: z.object({ items: z.array(CheckSchema) }) } } },
      ...errorResponses(401),
    },
  });
  router.get('/checks', (_req, res) => {
    const items = ctx.scans.checks.map(({ check, enabled, settings }) => ({
      id: check.id,
      title: check.title,
      severity: check.severity,
      resource_type: check.resourceType,
      risk: check.risk,
      remediation: check.remediation,
      references: check.references,
      enabled,
      settings,
      setting_specs: Object.fromEntries(
        Object.entries(check.settings).map(([name, spec]) => [
          name,
          { type: spec.type, default: spec.default, description: spec.description, env: `KEYWATCH_CHECK_${check.id.toUpperCase()}_${name.toUpperCase()}` },
        ]),
      ),
      sources: SCAN_SOURCES.filter((s) => check.needs.every((n) => SOURCE_PROVIDES[s].includes(n))),
      needs: check.needs,
    }));
    res.json({ items });
  });
  return router;
}
