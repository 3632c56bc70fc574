/**
 * docs/organizations.md stays true: the member-account role's CloudFormation StackSet template (parsed
 * with the `yaml` package, as CloudFormation reads YAML) trusts keywatch's account with the ExternalId
 * and allows exactly the read-only actions of iam-policy.md (themselves the data-need table's); the
 * trust policy shown as JSON says the same; the management account's policy allows exactly what
 * discovery (src/aws/organization.ts) and the member roles need.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { neededData } from '../../src/checks/evaluate';
import { resolveChecks } from '../../src/checks/settings';
import { EXTERNAL_ID, ROLE_NAME } from '../../src/config-targets';
import { DEMO_ROLE_NAME } from '../../src/demo';
import { SCAN_SOURCES, iamActionsFor } from '../../src/domain/snapshot';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: { AWS?: unknown };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The fenced blocks of a language, each without the indentation of its fence (blocks inside list items are indented). */
const blocks = (doc: string, lang: string): string[] =>
  [...doc.matchAll(new RegExp('^( *)```' + lang + '\\n([\\s\\S]*?)^\\1```', 'gm'))].map((m) => m[2]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''));
const actionsOf = (st: Statement) => [...new Set([st.Action].flat())].sort();

/** The StackSet template: the one YAML block of the page that is a CloudFormation template. */
function template(): {
  Parameters: Record<string, { Default?: string; NoEcho?: boolean; AllowedPattern?: string; MinLength?: number; MaxLength?: number }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
} {
  const found = blocks(read('docs/organizations.md'), 'yaml').filter((b) => b.includes('AWSTemplateFormatVersion'));
  expect(found).toHaveLength(1);
  return parseYaml(found[0]!, { uniqueKeys: true });
}

/** Every action of KeywatchReadIamCredentials in iam-policy.md (docs.test.ts holds it to the data-need table). */
function documentedReadOnlyActions(): string[] {
  const statements = blocks(read('docs/iam-policy.md'), 'json').flatMap((b) => (JSON.parse(b) as { Statement: Statement[] }).Statement);
  const statement = statements.find((st) => st.Sid === 'KeywatchReadIamCredentials');
  expect(statement).toBeDefined();
  return actionsOf(statement!);
}

/** The JSON policies of docs/organizations.md, by Sid. */
function orgDocStatement(sid: string): Statement {
  const statements = blocks(read('docs/organizations.md'), 'json').flatMap((b) => (JSON.parse(b) as { Statement: Statement[] }).Statement);
  const statement = statements.find((st) => st.Sid === sid);
  expect({ sid, found: statement !== undefined }).toEqual({ sid, found: true });
  return statement!;
}

describe('docs/organizations.md', () => {
  test('when the StackSet template is parsed, then it creates one role named by a parameter whose default is KeywatchAudit', () => {
    const t = template();
    const roles = Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    expect(roles[0]!.Properties.RoleName).toEqual({ Ref: 'RoleName' });
    expect(t.Parameters.RoleName!.Default).toBe('KeywatchAudit');
    expect(t.Parameters.RoleName!.Default).toMatch(ROLE_NAME);
    // The name the rest of the documentation and the demo use.
    expect(DEMO_ROLE_NAME).toBe(t.Parameters.RoleName!.Default);
  });

  test('when the StackSet template is parsed, then its role trusts only keywatch\'s account, with the ExternalId as sts:ExternalId', () => {
    const t = template();
    const role = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    const trust = role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] };
    expect(trust.Statement).toHaveLength(1);
    const [st] = trust.Statement;
    expect(st).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
    expect(st!.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${KeywatchAccountId}:root' } });
    expect(st!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } });
    expect(t.Parameters.KeywatchAccountId!.AllowedPattern).toBe('^[0-9]{12}$');
    // The ExternalId is a parameter CloudFormation does not echo, accepting what keywatch accepts.
    const externalId = t.Parameters.ExternalId!;
    expect(externalId.NoEcho).toBe(true);
    const cfnAccepts = (v: string) => new RegExp(externalId.AllowedPattern!).test(v) && v.length >= externalId.MinLength! && v.length <= externalId.MaxLength!;
    for (const value of ['ab', 'from-your-vault', 'x+y=z,a.b@c:d/e_f-g', 'a'.repeat(1224), 'a', 'a'.repeat(1225), 'with space', 'quote"', 'ümlaut']) {
      expect({ value, cfn: cfnAccepts(value) }).toEqual({ value, cfn: EXTERNAL_ID.test(value) });
    }
  });

  test('when the StackSet template is parsed, then its policy allows exactly the documented read-only actions on every resource', () => {
    const t = template();
    const role = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    const policies = role.Properties.Policies as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.every((st) => st.Effect === 'Allow' && st.Resource === '*')).toBe(true);
    const allowed = [...new Set(statements.flatMap(actionsOf))].sort();
    expect(allowed).toEqual(documentedReadOnlyActions());
    // …which are what the collectors may call with every check on, for either source.
    const everyCheck = resolveChecks({}).checks.map((r) => ({ ...r, enabled: true }));
    expect(allowed).toEqual([...new Set(SCAN_SOURCES.flatMap((source) => iamActionsFor(source, neededData(everyCheck, source))))].sort());
  });

  test('when the trust policy is shown as JSON, then it says what the template does: keywatch\'s account, sts:AssumeRole, the ExternalId condition', () => {
    const st = orgDocStatement('KeywatchAssumeRole');
    expect(st).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::<KEYWATCH_ACCOUNT_ID>:root' } });
    expect(st.Condition).toEqual({ StringEquals: { 'sts:ExternalId': '<EXTERNAL_ID>' } });
  });

  test('when the management account\'s policy is read, then it allows organizations:ListAccounts, which is all discovery calls, and sts:AssumeRole on the member role only', () => {
    const discover = orgDocStatement('KeywatchDiscoverAccounts');
    expect(actionsOf(discover)).toEqual(['organizations:ListAccounts']);
    const assume = orgDocStatement('KeywatchAssumeMemberRole');
    expect(actionsOf(assume)).toEqual(['sts:AssumeRole']);
    expect(assume.Resource).toBe(`arn:aws:iam::*:role/${template().Parameters.RoleName!.Default}`);
    // Discovery's calls: STS GetCallerIdentity (no permission needed) and Organizations ListAccounts.
    const source = read('src/aws/organization.ts');
    const organizationsCalls = [...source.matchAll(/\bpaginate(\w+)\(/g), ...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]).sort();
    expect(organizationsCalls).toEqual(['GetCallerIdentity', 'ListAccounts']);
  });
});
