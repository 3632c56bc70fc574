/**
 * Runs the keywatch CLI in-process (buildCli().parseAsync) with a given environment, capturing
 * stdout, stderr and the exit code; process.env and process.exitCode are restored afterwards.
 */
import { buildCli } from '../../src/cli';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables that would let the host's own setup leak into a test. */
const ISOLATION_ENV: Record<string, string> = {
  AWS_CONFIG_FILE: '/nonexistent/keywatch-test/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/keywatch-test/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

export async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('KEYWATCH_') || name.startsWith('AWS_')) delete process.env[name];
  }
  Object.assign(process.env, ISOLATION_ENV, env);
  process.exitCode = undefined;

  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await buildCli({ exitOverride: true }).parseAsync(['node', 'keywatch', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } catch (error) {
    // commander usage errors (exitOverride) end up here
    const code = (error as { exitCode?: number }).exitCode ?? 1;
    return { code, stdout, stderr: stderr + String((error as Error).message) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = savedExitCode;
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  }
}
