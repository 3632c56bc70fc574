/**
 * The real server as a child process: `node dist/main.js` built from the current sources into a
 * temporary folder (never the repository's dist/), laid out like the package (dist/, migrations/,
 * package.json, node_modules/) so that the compiled code finds what it needs. The dashboard's files
 * are copied to dist/ui by package.json's own `build:ui` command, run in that folder.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '../support/harness';

const ROOT = path.resolve(__dirname, '..', '..');

/** Compiles the sources; returns the build folder (its dist/main.js is the server). */
export async function buildServer(): Promise<string> {
  const buildDir = makeTempDir('keywatch-build-');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(buildDir, 'node_modules'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'migrations'), path.join(buildDir, 'migrations'), 'dir');
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(buildDir, 'package.json'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(buildDir, 'dist')], {
      cwd: ROOT,
      timeout: 120_000,
    });
  } catch (error) {
    // Type errors still emit JavaScript; only a missing entry point is fatal here (typecheck reports the rest).
    if (!fs.existsSync(path.join(buildDir, 'dist', 'main.js'))) throw error;
  }
  // `npm run build:ui` (src/ui → dist/ui), exactly as package.json says it, with src/ reachable from the build folder.
  fs.symlinkSync(path.join(ROOT, 'src'), path.join(buildDir, 'src'), 'dir');
  const buildUi = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['build:ui'];
  const inline = /^node -e "(.*)"$/.exec(buildUi ?? '');
  if (!inline) throw new Error(`package.json's build:ui is not a \`node -e "…"\` command: ${buildUi}`);
  await promisify(execFile)(process.execPath, ['-e', inline[1]!], { cwd: buildDir, timeout: 30_000 });
  return buildDir;
}

export function removeBuild(buildDir: string | undefined): void {
  if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
}
