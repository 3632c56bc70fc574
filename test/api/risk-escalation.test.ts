/**
 * KEYWATCH_RISK_ESCALATION reaches the scan: with it on (default), a finding on an admin's
 * credentials is raised one level and the collector is asked for the authorization details; with it
 * off, neither.
 *
 * The collectors do not gather authorization details yet, so a collector standing in for the AWS
 * ones (BuildOptions.collectors) returns the snapshot and records what it was asked for; the scan
 * service, the checks, the store and the API are the real ones. Once the collectors gather the
 * details, this belongs in a scan through the simulator.
 */
import type { CollectContext } from '../../src/aws/collect-context';
import type { DataNeed } from '../../src/domain/snapshot';
import { adminsGroup, aKey, anAuthorizationDetails, anAuthorizedUser, aSnapshot, aUser, NOW } from '../factories/snapshot';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

/** ada (in Admins) has an active key of 120 days: access_key_not_rotated, medium by itself. */
const adminWithOldKey = () =>
  aSnapshot({
    source: 'api',
    users: [aUser({ name: 'ada', keys: [aKey({ ageDays: 120 })] })],
    authorizationDetails: anAuthorizationDetails({ users: [anAuthorizedUser({ name: 'ada', groups: ['Admins'] })], groups: [adminsGroup()] }),
  });

describe('KEYWATCH_RISK_ESCALATION', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function scanWith(env: Record<string, string>): Promise<{ asked: readonly DataNeed[]; finding: Record<string, any> }> {
    let asked: readonly DataNeed[] = [];
    const collector = async (ctx: CollectContext) => {
      asked = ctx.needs;
      return adminWithOldKey();
    };
    // user_admin_with_access_key reads the authorization details for itself: off here, so that only escalation asks for them.
    h = await startHarness({ clock: () => NOW, env: { KEYWATCH_CHECK_USER_ADMIN_WITH_ACCESS_KEY_ENABLED: 'false', ...env }, collectors: { api: collector } });
    expect((await scanViaApi(h)).status).toBe('succeeded');
    const items = (await h.get('/api/findings?check=access_key_not_rotated')).body.items;
    expect(items).toHaveLength(1);
    return { asked, finding: items[0] };
  }

  test('when it is on (the default), then the admin key finding is raised to high and the authorization details are asked for', async () => {
    const { asked, finding } = await scanWith({});
    expect(asked).toContain('authorization_details');
    expect(finding.severity).toBe('high');
    expect(finding.evidence).toMatchObject({ privilege: 'admin', base_severity: 'medium' });
  });

  test('when it is false, then the admin key finding keeps its own severity and the authorization details are not asked for', async () => {
    const { asked, finding } = await scanWith({ KEYWATCH_RISK_ESCALATION: 'false' });
    expect(asked).not.toContain('authorization_details');
    expect(finding.severity).toBe('medium');
    expect(finding.evidence).not.toHaveProperty('base_severity');
  });
});
