/**
 * The documentation stays in step with the code: every environment variable of src/config.ts's
 * schema is documented (docs/configuration.md, and .env.sample once it has real content), every
 * check setting with its real default, the docs' relative links resolve, and the IAM policy allows
 * exactly the actions of the data-need table (src/domain/snapshot.ts) that the collectors follow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHECKS } from '../../src/checks/catalog';
import { neededData } from '../../src/checks/evaluate';
import { checkEnvVarName, resolveChecks } from '../../src/checks/settings';
import { DATA_NEEDS, SCAN_SOURCES, iamActionsFor, type ScanSource } from '../../src/domain/snapshot';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

/** The keys of `const envSchema = z.object({ … })` in src/config.ts. */
function schemaVariables(): string[] {
  const source = read('src/config.ts');
  const start = source.indexOf('const envSchema = z.object({');
  expect(start).toBeGreaterThan(-1);
  const end = source.indexOf('\n});', start);
  expect(end).toBeGreaterThan(start);
  const names = [...source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  return [...new Set(names)];
}

const mentions = (text: string, name: string) => new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`, 'm').test(text);

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  return String(value);
}

describe('documentation', () => {
  test('when the configuration schema is read, then it names a plausible set of variables', () => {
    const names = schemaVariables();
    expect(names.length).toBeGreaterThanOrEqual(25);
    expect(names).toEqual(expect.arrayContaining(['KEYWATCH_API_PASSWORD', 'KEYWATCH_DB_PATH', 'KEYWATCH_SHUTDOWN_GRACE_S', 'KEYWATCH_METRICS_TOKEN']));
  });

  test('when docs/configuration.md is read, then every variable of the configuration schema is documented', () => {
    const doc = read('docs/configuration.md');
    const missing = schemaVariables().filter((name) => !mentions(doc, name));
    expect(missing).toEqual([]);
  });

  test('when .env.sample is read, then it lists every variable of the configuration schema', () => {
    const file = path.join(ROOT, '.env.sample');
    const sample = fs.readFileSync(file, 'utf8');
    const missing = schemaVariables().filter((name) => !mentions(sample, name));
    expect(missing).toEqual([]);
  });

  test('when docs/configuration.md is read, then every check setting is documented with its real default', () => {
    const doc = read('docs/configuration.md');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `KEYWATCH_CHECK_'));
    for (const check of CHECKS) {
      const enabled = rows.find((r) => r.startsWith(`| \`${checkEnvVarName(check.id, 'enabled')}\``));
      expect({ check: check.id, row: enabled !== undefined }).toEqual({ check: check.id, row: true });
      expect(enabled!.split('|')[3].trim()).toBe(String(check.enabledByDefault));
      for (const [setting, spec] of Object.entries(check.settings)) {
        const name = checkEnvVarName(check.id, setting);
        const row = rows.find((r) => r.startsWith(`| \`${name}\``));
        expect({ name, documented: row !== undefined }).toEqual({ name, documented: true });
        expect({ name, default: row!.split('|')[3].trim() }).toEqual({ name, default: formatDefault(spec.default) });
      }
    }
    // and nothing documented that does not exist
    const known = new Set(CHECKS.flatMap((c) => ['enabled', ...Object.keys(c.settings)].map((s) => checkEnvVarName(c.id, s))));
    const documented = rows.map((r) => /^\| `([A-Z0-9_]+)`/.exec(r)![1]);
    expect(documented.filter((n) => !known.has(n))).toEqual([]);
  });

  test('when the docs link to each other or to repository files, then every link resolves', () => {
    const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(docs).toEqual(
      expect.arrayContaining(['architecture.md', 'configuration.md', 'api.md', 'iam-policy.md', 'rate-limits.md', 'operations.md']),
    );
    const broken: string[] = [];
    for (const file of docs) {
      const text = read(`docs/${file}`);
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
        if (!fs.existsSync(path.resolve(ROOT, 'docs', target))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('when the IAM policy document is read, then each policy allows exactly the actions the data-need table maps the checks to', () => {
    const doc = read('docs/iam-policy.md');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map(
      (m) => JSON.parse(m[1]) as { Statement: { Sid?: string; Action: string | string[] }[] },
    );
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const allowedBy = (sid: string) => {
      const statement = blocks.flatMap((b) => b.Statement).find((st) => st.Sid === sid);
      expect({ sid, found: statement !== undefined }).toEqual({ sid, found: true });
      return [...new Set([statement!.Action].flat())].sort();
    };
    // What each source may call: its baseline plus the actions of every need an enabled catalog check has there.
    const everyCheck = resolveChecks({}).checks.map((r) => ({ ...r, enabled: true }));
    const expected = (source: ScanSource) => iamActionsFor(source, neededData(everyCheck, source)).sort();
    expect(allowedBy('KeywatchLiveScan')).toEqual(expected('api'));
    expect(allowedBy('KeywatchCredentialReportScan')).toEqual(expected('credential_report'));
    expect(allowedBy('KeywatchReadIamCredentials')).toEqual([...new Set([...expected('api'), ...expected('credential_report')])].sort());
  });

  test('when the collectors are read, then every IAM call they make is in the data-need table, and every action of the table is called', () => {
    const called = new Set<string>();
    // The collectors and the modules they call (user credentials, root MFA, authorization details, …).
    // organization.ts is discovery (organizations:ListAccounts in the management account), not a collector:
    // its permissions are in docs/organizations.md.
    const collectorFiles = fs
      .readdirSync(path.join(ROOT, 'src/aws'))
      .filter((f) => f.endsWith('.ts') && f !== 'organization.ts')
      .map((f) => `src/aws/${f}`);
    expect(collectorFiles).toEqual(expect.arrayContaining(['src/aws/collect-live.ts', 'src/aws/credential-report.ts']));
    for (const file of collectorFiles) {
      for (const m of read(file).matchAll(/new (\w+)Command\(/g)) called.add(`iam:${m[1]}`);
      for (const m of read(file).matchAll(/\bpaginate(\w+)\(/g)) called.add(`iam:${m[1]}`); // the SDK's paginators
    }
    called.delete('iam:GetCallerIdentity'); // STS; needs no permission
    const table = new Set<string>(SCAN_SOURCES.flatMap((source) => iamActionsFor(source, DATA_NEEDS)));
    expect([...called].filter((a) => !table.has(a))).toEqual([]);
    // Nothing the table (and so the policy) allows is left uncalled. A data need defined before its
    // collector exists would be listed here, and the policy page would say it is not called yet.
    const PENDING_COLLECTION: string[] = [];
    expect([...table].filter((a) => !called.has(a)).sort()).toEqual(PENDING_COLLECTION);
  });
});
