/** Which accounts keywatch scans: KEYWATCH_TARGET, organization discovery by environment, or a targets file. */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { makeTempDir } from '../support/harness';

const base = { KEYWATCH_API_PASSWORD: 'secret-pass' };

function fileWith(content: string, name = 'targets.yaml'): string {
  const file = path.join(makeTempDir('keywatch-targets-'), name);
  fs.writeFileSync(file, content);
  return file;
}

/** The problems loadConfig stops on (it must throw). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('targets configuration', () => {
  test('when no target setting is given, then there is one configured target named by KEYWATCH_TARGET and no discovery', () => {
    const c = loadConfig({ ...base, KEYWATCH_TARGET: 'Prod_1', KEYWATCH_SCAN_SOURCE: 'credential_report' });
    expect(c.targets).toEqual({ file: null, configured: [{ name: 'Prod_1', roleArn: null, externalId: null, source: 'credential_report' }], organization: null });
    expect(c.target).toBe('Prod_1');
  });

  test('when KEYWATCH_ORG_ROLE_NAME is set, then every account of the organization is discovered, the management account included', () => {
    const c = loadConfig({ ...base, KEYWATCH_ORG_ROLE_NAME: 'KeywatchAudit', KEYWATCH_ORG_EXTERNAL_ID: 'vault-1234' });
    expect(c.targets.organization).toEqual({
      roleName: 'KeywatchAudit',
      externalId: 'vault-1234',
      includeManagementAccount: true,
      excludeAccounts: [],
      source: 'api',
    });
    expect(c.targets.configured).toEqual([]);
  });

  test('when KEYWATCH_ORG_EXTERNAL_ID is set without a role name, then start-up stops naming it', () => {
    expect(problemsOf({ KEYWATCH_ORG_EXTERNAL_ID: 'vault-1234' })).toEqual([expect.stringMatching(/^KEYWATCH_ORG_EXTERNAL_ID: only applies with KEYWATCH_ORG_ROLE_NAME/)]);
  });

  test('when a YAML targets file is valid, then its targets and organization are the configuration', () => {
    const file = fileWith(`
targets:
  - name: prod
    role_arn: arn:aws:iam::111122223333:role/KeywatchAudit
    external_id: "from-your-vault"
    source: credential_report
  - name: security
organization:
  role_name: KeywatchAudit
  include_management_account: false
  exclude_accounts: ["444455556666"]
`);
    const c = loadConfig({ ...base, KEYWATCH_TARGETS_FILE: file });
    expect(c.targets).toEqual({
      file,
      configured: [
        { name: 'prod', roleArn: 'arn:aws:iam::111122223333:role/KeywatchAudit', externalId: 'from-your-vault', source: 'credential_report' },
        { name: 'security', roleArn: null, externalId: null, source: 'api' },
      ],
      organization: { roleName: 'KeywatchAudit', externalId: null, includeManagementAccount: false, excludeAccounts: ['444455556666'], source: 'api' },
    });
    expect(c.target).toBe('prod');
  });

  test('when the targets file is JSON, then it is read as well', () => {
    const file = fileWith(JSON.stringify({ targets: [{ name: 'dev', role_arn: 'arn:aws:iam::222233334444:role/audit/Keywatch' }] }), 'targets.json');
    expect(loadConfig({ ...base, KEYWATCH_TARGETS_FILE: file }).targets.configured).toEqual([
      { name: 'dev', roleArn: 'arn:aws:iam::222233334444:role/audit/Keywatch', externalId: null, source: 'api' },
    ]);
  });

  test('when the targets file has errors, then start-up stops with one problem each naming the file, the entry and the field', () => {
    const file = fileWith(`
targets:
  - name: Prod
  - name: dev
    role_arn: not-an-arn
    source: ftp
  - name: dev
    external_id: "x1"
  - name: qa
    region: eu-west-1
organization:
  role_name: "bad role"
  exclude_accounts: ["12345"]
`);
    const problems = problemsOf({ KEYWATCH_TARGETS_FILE: file });
    const at = `KEYWATCH_TARGETS_FILE ${file}: `;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${escape(at)}targets\\[0\\]( \\(Prod\\))?: name: expected \\[a-z0-9\\]`)),
        expect.stringMatching(new RegExp(`^${escape(at)}targets\\[1\\] \\(dev\\): role_arn: expected an IAM role ARN`)),
        expect.stringMatching(new RegExp(`^${escape(at)}targets\\[1\\] \\(dev\\): source: expected one of api, credential_report`)),
        expect.stringMatching(new RegExp(`^${escape(at)}targets\\[2\\] \\(dev\\): name: "dev" is already the name of targets\\[1\\]`)),
        expect.stringMatching(new RegExp(`^${escape(at)}targets\\[2\\] \\(dev\\): external_id: only applies with role_arn`)),
        `${at}targets[3] (qa): unknown field "region"`,
        expect.stringMatching(new RegExp(`^${escape(at)}organization.role_name: expected an IAM role name`)),
        expect.stringMatching(new RegExp(`^${escape(at)}organization.exclude_accounts.0: expected a 12-digit account id`)),
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  test('when the targets file cannot be read or parsed, or names no target, then start-up stops saying so', () => {
    expect(problemsOf({ KEYWATCH_TARGETS_FILE: '/nonexistent/targets.yaml' })).toEqual([
      'KEYWATCH_TARGETS_FILE /nonexistent/targets.yaml: cannot be read (ENOENT)',
    ]);
    const broken = fileWith('targets: [name: x');
    expect(problemsOf({ KEYWATCH_TARGETS_FILE: broken })).toEqual([expect.stringMatching(/is not valid YAML or JSON/)]);
    const empty = fileWith('targets: []');
    expect(problemsOf({ KEYWATCH_TARGETS_FILE: empty })).toEqual([expect.stringMatching(/the file: names no target/)]);
  });

  test('when an ExternalId in the file is invalid, then the problem does not show it (it is a secret)', () => {
    const file = fileWith('targets:\n  - name: prod\n    role_arn: arn:aws:iam::111122223333:role/K\n    external_id: "s e c r e t"\n');
    const [problem] = problemsOf({ KEYWATCH_TARGETS_FILE: file });
    expect(problem).toMatch(/external_id: expected 2-1224/);
    expect(problem).not.toContain('s e c r e t');
  });

  test('when a targets file and organization variables are both set, then start-up stops: the file holds the organization', () => {
    const file = fileWith('targets:\n  - name: prod\n');
    expect(problemsOf({ KEYWATCH_TARGETS_FILE: file, KEYWATCH_ORG_ROLE_NAME: 'KeywatchAudit' })).toEqual([
      expect.stringMatching(/^KEYWATCH_ORG_ROLE_NAME: not used with KEYWATCH_TARGETS_FILE/),
    ]);
  });

  test('when KEYWATCH_SCAN_PARALLELISM is 0 or not a number, then start-up stops naming it', () => {
    expect(problemsOf({ KEYWATCH_SCAN_PARALLELISM: '0' })).toEqual([expect.stringMatching(/^KEYWATCH_SCAN_PARALLELISM: must be at least 1/)]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
