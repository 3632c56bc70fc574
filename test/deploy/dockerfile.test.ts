/**
 * The container image's invariants, read from the Dockerfile and .dockerignore (no Docker engine needed).
 * The "guards" block breaks copies of the real files on purpose and expects each check to notice,
 * so a check that can no longer fail is itself a failure.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkDockerfile,
  copyFromContext,
  copySources,
  dockerignore,
  execForm,
  healthcheck,
  parseDockerfile,
  readRepoFile,
  variables,
} from './dockerfile';

const DOCKERFILE = readRepoFile('Dockerfile');
const DOCKERIGNORE = readRepoFile('.dockerignore');

describe('Dockerfile parser', () => {
  it('when an instruction spans continuation lines with comments between them, then it reads as one instruction', () => {
    const ins = parseDockerfile(['# c', 'FROM node:22-slim AS a', 'RUN a \\', '  # inner comment', '', '    && b', 'ENV A=1 B="x y"', 'USER 10001'].join('\n'));
    expect(ins.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'node:22-slim AS a', 2],
      ['RUN', 'a && b', 3],
      ['ENV', 'A=1 B="x y"', 7],
      ['USER', '10001', 8],
    ]);
    expect(variables(ins[2])).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x y' },
    ]);
  });

  it('when a continuation runs past the end of the file, then parsing fails', () => {
    expect(() => parseDockerfile('FROM x\nRUN a \\')).toThrow(/past the end/);
  });
});

describe('Dockerfile', () => {
  const df = checkDockerfile(DOCKERFILE);

  it('when built, then it uses at least two stages and the final one runs on node:22*-slim', () => {
    expect(df.stageImages()).toEqual([]);
  });

  it('when the container starts, then it runs as a non-root user', () => {
    expect(df.user()).toEqual([]);
  });

  it('when the final stage sets USER, then it is the numeric UID 10001 that Kubernetes runAsNonRoot can verify', () => {
    const user = df.final.instructions.filter((i) => i.keyword === 'USER').pop();
    expect(user?.args.split(':')[0]).toBe('10001');
  });

  it('when Docker checks health, then the HEALTHCHECK calls /api/health with node on the local PORT', () => {
    expect(df.healthcheck()).toEqual([]);
  });

  it('when the image is inspected, then no ENV or ARG carries a secret-looking value and no .env is copied', () => {
    expect(df.secrets()).toEqual([]);
  });

  it('when dependencies are installed, then dev dependencies are pruned before the runtime stage copies node_modules', () => {
    expect(df.prune()).toEqual([]);
  });

  it('when the build stage installs, then the better-sqlite3 addon is compiled with a toolchain from npm ci', () => {
    expect(df.nativeBuild()).toEqual([]);
  });

  it('when the database is written, then it lives on VOLUME /data and NODE_ENV is production', () => {
    expect(df.volume()).toEqual([]);
  });

  it('when the container starts, then CMD is the exec form ["node", "dist/main.js"] so SIGTERM reaches node', () => {
    expect(df.cmd()).toEqual([]);
  });

  it('when an instruction uses the exec (JSON) form, then the JSON is valid', () => {
    expect(df.jsonForms()).toEqual([]);
  });

  it('when the service listens, then port 8000 is exposed', () => {
    expect(df.expose()).toEqual([]);
  });

  it('when the runtime stage is assembled, then it copies only package.json, node_modules, dist and migrations', () => {
    expect(df.runtimeContents()).toEqual([]);
  });

  it('when the image is labelled, then it carries the OCI title, description and licence labels', () => {
    const labels = df.final.instructions.filter((i) => i.keyword === 'LABEL').flatMap(variables).map((v) => v.name);
    expect(labels).toEqual(expect.arrayContaining(['org.opencontainers.image.title', 'org.opencontainers.image.description', 'org.opencontainers.image.licenses']));
  });
});

describe('HEALTHCHECK command', () => {
  let server: Server;
  let status = 200;
  let port = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/api/health' ? status : 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'down' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs the image's HEALTHCHECK command here, with PORT pointing at a stand-in server. */
  const runHealthcheck = (envPort: number): Promise<number | null> => {
    const ins = checkDockerfile(DOCKERFILE).final.instructions.filter((i) => i.keyword === 'HEALTHCHECK').pop();
    if (!ins) throw new Error('no HEALTHCHECK');
    const { command } = healthcheck(ins);
    const argv = execForm(command) ?? ['/bin/sh', '-c', command];
    if (argv[0] === 'node') argv[0] = process.execPath;
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, PORT: String(envPort) }, stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
  };

  it('when /api/health answers 200, then the healthcheck exits 0', async () => {
    status = 200;
    await expect(runHealthcheck(port)).resolves.toBe(0);
  });

  it('when /api/health answers 503, then the healthcheck fails', async () => {
    status = 503;
    await expect(runHealthcheck(port)).resolves.not.toBe(0);
  });

  it('when nothing listens on PORT, then the healthcheck fails', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(runHealthcheck(unused)).resolves.not.toBe(0);
  });
});

describe('.dockerignore', () => {
  const ignored = dockerignore(DOCKERIGNORE);

  it.each([
    '.env',
    '.env.local',
    '.env.production',
    'data',
    'data/keywatch.db',
    'keywatch.db',
    'keywatch.db-wal',
    'keywatch.db-shm',
    'backup.db',
    'node_modules/express/index.js',
    'dist/main.js',
    'test/deploy/k8s.test.ts',
    'coverage/lcov.info',
    '.git/HEAD',
    'k8s/deployment.yaml',
    'bench-results/run.json',
  ])('when the build context is sent, then %s stays out', (file) => {
    expect(ignored(file)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src/main.ts',
    'src/cli.ts',
    'src/simulator/data/account.json',
    'migrations/0000_init.sql',
    'migrations/meta/_journal.json',
  ])('when the build context is sent, then %s is kept for the build', (file) => {
    expect(ignored(file)).toBe(false);
  });

  it('when the Dockerfile copies from the build context, then none of its sources is ignored', () => {
    const sources = parseDockerfile(DOCKERFILE).filter(copyFromContext).flatMap(copySources);
    expect(sources.length).toBeGreaterThan(0);
    const lost = sources.filter((s) => ignored(s.replace(/^\.\//, '').replace(/\/+$/, '')) || ignored(`${s.replace(/\/+$/, '')}/x.ts`));
    expect(lost).toEqual([]);
  });
});

describe('guards: the checks fail on broken Dockerfiles', () => {
  const broken = (from: string | RegExp, to: string) => {
    const text = DOCKERFILE.replace(from, to);
    if (text === DOCKERFILE) throw new Error(`mutation did not apply: ${String(from)}`);
    return checkDockerfile(text);
  };

  it('when the Dockerfile changes, then each check reports the broken invariant', () => {
    expect(broken(/^FROM node:22-bookworm-slim AS runtime$/m, 'FROM node:22-bookworm AS runtime').stageImages().join()).toMatch(/node:22\*-slim/);
    expect(broken(/^USER .*$/m, 'USER root').user().join()).toMatch(/root/);
    expect(broken(/^USER .*$/m, '').user().join()).toMatch(/no USER/);
    expect(broken('/api/health', '/api/ready').healthcheck().join()).toMatch(/api\/health/);
    expect(broken(/^ENV NODE_ENV=production/m, 'ENV KEYWATCH_API_PASSWORD=hunter2 NODE_ENV=production').secrets().join()).toMatch(/KEYWATCH_API_PASSWORD/);
    expect(broken(/^ARG VERSION=.*$/m, 'ARG AWS_SECRET_ACCESS_KEY').secrets().join()).toMatch(/AWS_SECRET_ACCESS_KEY/);
    expect(broken(/^COPY migrations .*$/m, 'COPY .env ./').secrets().join()).toMatch(/\.env/);
    expect(broken('npm prune --omit=dev', 'npm prune').prune().join()).toMatch(/prune/);
    expect(broken(/ \\\n\s*&& npm rebuild better-sqlite3/, '').nativeBuild().join()).toMatch(/native addon would be missing/);
    expect(broken(' python3 make g++', ' make').nativeBuild().join()).toMatch(/python3/);
    expect(broken(/^VOLUME .*$/m, 'VOLUME ["/var/lib/keywatch"]').volume().join()).toMatch(/\/data/);
    expect(broken(/^CMD .*$/m, 'CMD node dist/main.js').cmd().join()).toMatch(/shell form/);
    expect(broken(/^CMD .*$/m, "CMD ['node', 'dist/main.js']").cmd().join()).toMatch(/not valid JSON/);
    expect(broken(/^EXPOSE .*$/m, 'EXPOSE 3000').expose().join()).toMatch(/8000/);
    expect(broken(/^COPY migrations .*$/m, 'COPY . .').runtimeContents().join()).toMatch(/copies "\."/);
  });

  it('when .dockerignore loses a line or re-includes a path, then the secrets and local data are no longer kept out', () => {
    expect(dockerignore(DOCKERIGNORE.replace(/^\.env$/m, '').replace(/^\.env\.\*$/m, '').replace(/^\*\*\/\.env.*$/gm, ''))('.env')).toBe(false);
    expect(dockerignore(`${DOCKERIGNORE}\n!data/keywatch.db\n`)('data/keywatch.db')).toBe(false);
  });
});
