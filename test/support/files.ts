/** File-system abilities some fault tests need. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './harness';

/** Whether this machine can make a file immutable (root with CAP_LINUX_IMMUTABLE on ext4, xfs, btrfs…). */
export function immutableFilesSupported(): boolean {
  const dir = makeTempDir('keywatch-chattr-');
  const file = path.join(dir, 'probe');
  fs.writeFileSync(file, 'x');
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
