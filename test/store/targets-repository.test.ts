/** The targets table on a real SQLite file with the real migrations. */
import fs from 'node:fs';
import path from 'node:path';
import { openStore, type Store, type TargetDescription } from '../../src/store';
import { makeTempDir } from '../support/harness';

const described = (name: string, extra: Partial<TargetDescription> = {}): TargetDescription => ({
  name,
  accountId: null,
  label: null,
  roleArn: null,
  source: 'api',
  ...extra,
});

describe('targets repository', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = makeTempDir('keywatch-targets-repo-');
    store = openStore(path.join(dir, 'k.db'));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('when configured targets are synced, then they are listed active with their origin', () => {
    store.targets.syncConfigured([described('prod', { roleArn: 'arn:aws:iam::111122223333:role/K' }), described('dev')], 1000);
    expect(store.targets.list()).toEqual([
      { name: 'dev', accountId: null, label: null, origin: 'configured', roleArn: null, source: 'api', active: true },
      { name: 'prod', accountId: null, label: null, origin: 'configured', roleArn: 'arn:aws:iam::111122223333:role/K', source: 'api', active: true },
    ]);
  });

  test('when an account leaves the organization, then it stays, inactive, and comes back active if it returns', () => {
    store.targets.syncDiscovered([described('111111111111', { accountId: '111111111111', label: 'a' }), described('222222222222', { accountId: '222222222222', label: 'b' })], 1000);
    store.targets.syncDiscovered([described('111111111111', { accountId: '111111111111', label: 'a-renamed' })], 2000);
    expect(store.targets.get('222222222222')).toMatchObject({ active: false, label: 'b', origin: 'organization' });
    expect(store.targets.get('111111111111')).toMatchObject({ active: true, label: 'a-renamed' });
    store.targets.syncDiscovered([described('111111111111', { accountId: '111111111111' }), described('222222222222', { accountId: '222222222222', label: 'b' })], 3000);
    expect(store.targets.get('222222222222')).toMatchObject({ active: true });
  });

  test('when discovery finds no account, then every discovered target becomes inactive and configured ones are untouched', () => {
    store.targets.syncConfigured([described('prod')], 1000);
    store.targets.syncDiscovered([described('111111111111', { accountId: '111111111111' })], 1000);
    store.targets.syncDiscovered([], 2000);
    expect(store.targets.list().map((t) => [t.name, t.active])).toEqual([
      ['prod', true],
      ['111111111111', false],
    ]);
  });

  test('when a scan learns a configured target\'s account, then it is kept across later syncs that do not know it', () => {
    store.targets.syncConfigured([described('prod')], 1000);
    store.targets.recordAccount('prod', '333344445555');
    store.targets.syncConfigured([described('prod', { source: 'credential_report' })], 2000);
    expect(store.targets.get('prod')).toMatchObject({ accountId: '333344445555', source: 'credential_report' });
  });
});
