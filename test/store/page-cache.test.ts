/**
 * Each connection's SQLite page cache: the API's connection keeps 32 MB of history pages; the
 * recording worker's connection, which mostly writes, asks for less (src/scans/recording-worker.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store';
import { PAGE_CACHE_MB } from '../../src/store/db';

let dir: string;
const opened: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-cache-'));
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cacheKiB = (store: Store) => -(store.handle.sqlite.pragma('cache_size', { simple: true }) as number);

describe('page cache per connection', () => {
  test('when a store is opened without a size, then its connection caches up to 32 MB of pages', () => {
    const store = openStore(path.join(dir, 'a.db'));
    opened.push(store);
    expect(PAGE_CACHE_MB).toBe(32);
    expect(cacheKiB(store)).toBe(32 * 1024);
  });

  test('when a second connection is opened with 8 MB, then it caches 8 MB and the first keeps its own', () => {
    const file = path.join(dir, 'b.db');
    const api = openStore(file);
    const writer = openStore(file, { migrate: false, pageCacheMb: 8 });
    opened.push(api, writer);
    expect(cacheKiB(writer)).toBe(8 * 1024);
    expect(cacheKiB(api)).toBe(32 * 1024);
  });
});
