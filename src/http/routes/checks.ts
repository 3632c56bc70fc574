import { checkEnvVarName } from '../../checks/settings';
import { DATA_NEEDS, SCAN_SOURCES, SOURCE_PROVIDES } from '../../domain/snapshot';
import { ResourceTypeEnum, SeverityEnum, SourceEnum } from '../../presenters/schemas';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { z } from '../openapi';

const CheckSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: SeverityEnum,
    resource_type: ResourceTypeEnum,
    risk: z.string(),
    remediation: z.string(),
    references: z.array(z.string()),
    enabled: z.boolean(),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'Effective settings (defaults overridden by KEYWATCH_CHECK_* variables)' }),
    setting_specs: z.record(z.string(), z.object({ type: z.string(), default: z.unknown(), description: z.string(), env: z.string() })),
    sources: z.array(SourceEnum).openapi({ description: 'Sources that can evaluate this check' }),
    needs: z.array(z.enum(DATA_NEEDS)).openapi({ description: 'The data the check reads from a scan' }),
  })
  .openapi('Check');

export function checksRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/checks',
      summary: 'The check catalog with effective settings',
      tags: ['checks'],
      responses: { 200: { description: 'Every check', schema: z.object({ items: z.array(CheckSchema) }) } },
      errors: [401],
      handler: () => ({
        status: 200,
        body: {
          items: ctx.scans.checks.map(({ check, enabled, settings }) => ({
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
                { type: spec.type, default: spec.default, description: spec.description, env: checkEnvVarName(check.id, name) },
              ]),
            ),
            sources: SCAN_SOURCES.filter((s) => check.needs.every((n) => SOURCE_PROVIDES[s].includes(n))),
            needs: check.needs,
          })),
        },
      }),
    }),
  ];
}
