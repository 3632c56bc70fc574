/**
 * Every JSON answer matches its documented schema: in the test environment the app checks each
 * body against the schema its route declares (src/http/define-route.ts) and answers 500 on drift,
 * undocumented fields included. Here findings of every resource type go through every route that
 * shows findings.
 *
 * The snapshot comes from a collector standing in for the AWS ones (BuildOptions.collectors): the
 * collectors do not gather SSH keys, signing certificates or service-specific credentials yet.
 * Everything after collection is the real app: the scan service, the checks, SQLite, the routes.
 */
import { RESOURCE_TYPES } from '../../src/domain/findings';
import { aKey, aRoot, aServiceCredential, aSigningCertificate, anSshKey, aSnapshot, aUser, NOW } from '../factories/snapshot';
import { scanViaApi, startHarness, type Harness } from '../support/harness';

/** One finding at least of each resource type. */
const everyKindOfFinding = () =>
  aSnapshot({
    source: 'api',
    users: [
      aUser({
        name: 'alice',
        keys: [aKey({ ageDays: 120 }), aKey({ ageDays: 5 })], // access_key (not rotated) and user (two active keys)
        sshPublicKeys: [anSshKey({ ageDays: 200 })],
        signingCertificates: [aSigningCertificate({ ageDays: 200 })],
        serviceCredentials: [aServiceCredential({ ageDays: 200 })],
      }),
    ],
    root: aRoot({ mfaEnabled: false }), // root
    passwordPolicy: null, // account
  });

describe('the response contract', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  test('when findings of every resource type are listed, diffed and shown, then every answer matches its documented schema', async () => {
    h = await startHarness({ clock: () => NOW, collectors: { api: async () => everyKindOfFinding() } });
    const first = await scanViaApi(h);
    expect(first.status).toBe('succeeded');
    const second = await scanViaApi(h);

    const findings = await h.get('/api/findings?status=all&limit=500');
    expect(findings.status).toBe(200);
    expect(new Set(findings.body.items.map((f: { resource_type: string }) => f.resource_type))).toEqual(new Set(RESOURCE_TYPES));

    for (const url of [
      `/api/scans/${second.id}`,
      '/api/scans',
      `/api/scans/${first.id}/findings?limit=500`,
      `/api/scans/${first.id}/diff`,
      `/api/scans/${second.id}/diff?base=${first.id}&suppressed=include`,
      '/api/trends',
      '/api/checks',
      ...findings.body.items.map((f: { id: number }) => `/api/findings/${f.id}`),
    ]) {
      const res = await h.get(url);
      expect({ url, status: res.status, problem: res.status === 200 ? null : res.body }).toEqual({ url, status: 200, problem: null });
    }
    const firstDiff = (await h.get(`/api/scans/${first.id}/diff`)).body;
    expect(new Set(firstDiff.new.map((f: { resource_type: string }) => f.resource_type))).toEqual(new Set(RESOURCE_TYPES));
  });
});
