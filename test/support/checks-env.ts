/** Environment variables that turn checks on and off, built from the catalog (so new checks are covered). */
import { CHECKS } from '../../src/checks/catalog';
import { checkEnvVarName } from '../../src/checks/settings';

/**
 * Only the given checks enabled (every other check of the catalog off; canary_key_used stays off
 * unless named), risk escalation off unless asked: a scan then needs only their data.
 */
export function onlyChecks(ids: readonly string[], options: { escalation?: boolean } = {}): Record<string, string> {
  const unknown = ids.filter((id) => !CHECKS.some((c) => c.id === id));
  if (unknown.length > 0) throw new Error(`not checks of the catalog: ${unknown.join(', ')}`);
  return {
    KEYWATCH_RISK_ESCALATION: String(options.escalation ?? false),
    ...Object.fromEntries(CHECKS.map((c) => [checkEnvVarName(c.id, 'enabled'), String(ids.includes(c.id))])),
  };
}
