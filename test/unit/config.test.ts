import { ConfigError, DEMO_IAM_RATE, loadConfig } from '../../src/config';

const base = { KEYWATCH_API_PASSWORD: 'secret-pass' };

function problemsOf(env: Record<string, string>, options = {}): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  test('when only the password is set, then every documented default applies', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      port: 8000,
      auth: { user: 'keywatch', password: 'secret-pass', passwordGenerated: false },
      dbPath: './data/keywatch.db',
      target: 'default',
      aws: { region: 'us-east-1', endpoints: { iam: undefined, sts: undefined, organizations: undefined } },
      targets: { file: null, configured: [{ name: 'default', roleArn: null, externalId: null, source: 'api' }], organization: null },
      scanParallelism: 4,
      iam: { ratePerSecond: 5, concurrency: 4 },
      schedule: { cron: '0 3 * * *', timezone: 'UTC', source: 'api' },
      reportTimeoutMs: 300_000,
      shutdownGraceMs: 25_000,
    });
    expect(c.checks).toHaveLength(18);
    expect(c.riskEscalation).toBe(true);
  });

  test('when the password is missing outside demo mode, then start-up is refused with a message saying so', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^KEYWATCH_API_PASSWORD: required outside demo mode/);
  });

  test('when demo mode has no password, then one is generated and the demo scans fast', () => {
    const c = loadConfig({}, { demo: true, generatePassword: () => 'generated-1' });
    expect(c.auth).toEqual({ user: 'keywatch', password: 'generated-1', passwordGenerated: true });
    expect(c.iam.ratePerSecond).toBe(DEMO_IAM_RATE);
    expect(loadConfig({ KEYWATCH_IAM_RATE: '3' }, { demo: true }).iam.ratePerSecond).toBe(3);
  });

  test('when several variables are bad, then every one of them is named at once', () => {
    const problems = problemsOf({
      ...base,
      PORT: 'eighty',
      KEYWATCH_IAM_RATE: '0',
      KEYWATCH_IAM_CONCURRENCY: '1.5',
      KEYWATCH_SCAN_SCHEDULE: 'every day',
      KEYWATCH_SCAN_TIMEZONE: 'Mars/Olympus',
      KEYWATCH_IAM_ENDPOINT: 'not a url',
      KEYWATCH_SCAN_SOURCE: 'psychic',
      KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS: 'ninety',
    });
    const named = problems.map((p) => p.match(/^[A-Z0-9_]+/)![0]).sort();
    expect(named).toEqual(
      [
        'KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS',
        'KEYWATCH_IAM_CONCURRENCY',
        'KEYWATCH_IAM_ENDPOINT',
        'KEYWATCH_IAM_RATE',
        'KEYWATCH_SCAN_SCHEDULE',
        'KEYWATCH_SCAN_SOURCE',
        'KEYWATCH_SCAN_TIMEZONE',
        'PORT',
      ].sort(),
    );
  });

  test('when an unknown KEYWATCH_ variable is set, then start-up stops naming it and the closest known variable', () => {
    expect(problemsOf({ ...base, KEYWATCH_IAM_RAET: '10' })).toEqual([
      'KEYWATCH_IAM_RAET: not a keywatch variable; did you mean KEYWATCH_IAM_RATE? (every variable: docs/configuration.md)',
    ]);
    const several = problemsOf({ ...base, KEYWATCH_SCAN_SCHEDUEL: '0 4 * * *', KEYWATCH_DBPATH: '/data/k.db', KEYWATCH_WEBHOOK: 'https://x', KEYWATCH_LOGLEVEL: 'debug' });
    expect(several.map((p) => /^(\w+): .*did you mean (\w+)\?/.exec(p)!.slice(1, 3))).toEqual([
      ['KEYWATCH_SCAN_SCHEDUEL', 'KEYWATCH_SCAN_SCHEDULE'],
      ['KEYWATCH_DBPATH', 'KEYWATCH_DB_PATH'],
      ['KEYWATCH_WEBHOOK', 'KEYWATCH_WEBHOOK_URL'],
      ['KEYWATCH_LOGLEVEL', 'KEYWATCH_LOG_LEVEL'],
    ]);
    // the prefix put in front of a variable that has none
    expect(problemsOf({ ...base, KEYWATCH_PORT: '8080' })).toEqual([expect.stringMatching(/^KEYWATCH_PORT: .*did you mean PORT\?/)]);
    expect(problemsOf({ ...base, KEYWATCH_AWS_REGION: 'eu-west-1' })).toEqual([expect.stringMatching(/did you mean AWS_REGION\?/)]);
    // the value is never shown (a mistyped KEYWATCH_API_PASSWORD is a secret)
    const secret = problemsOf({ ...base, KEYWATCH_API_PASSWROD: 'hunter2-secret' });
    expect(secret).toEqual([expect.stringMatching(/^KEYWATCH_API_PASSWROD: .*did you mean KEYWATCH_API_PASSWORD\?/)]);
    expect(secret.join()).not.toContain('hunter2-secret');
  });

  test('when unknown variables sit next to bad known ones, then all are named at once, and check variables keep their own messages', () => {
    const problems = problemsOf({ ...base, KEYWATCH_IAM_RAET: '10', KEYWATCH_IAM_RATE: '0', KEYWATCH_CHECK_NOPE_ENABLED: 'true' });
    expect(problems.map((p) => p.match(/^[A-Z0-9_]+/)![0]).sort()).toEqual(['KEYWATCH_CHECK_NOPE_ENABLED', 'KEYWATCH_IAM_RAET', 'KEYWATCH_IAM_RATE']);
    expect(problems.filter((p) => p.includes('did you mean'))).toHaveLength(1);
  });

  test('when every variable of the schema or other programs\' variables are set, then none counts as unknown', () => {
    const config = loadConfig({
      ...base,
      KEYWATCH_IAM_RATE: '10',
      KEYWATCH_CHECK_ACCESS_KEY_UNUSED_MAX_UNUSED_DAYS: '60',
      PATH: '/usr/bin',
      HOME: '/home/k',
      AWS_PROFILE: 'audit',
      NODE_OPTIONS: '--max-old-space-size=256',
      MY_KEYWATCH_THING: 'x',
    });
    expect(config.iam.ratePerSecond).toBe(10);
  });

  test('when Kubernetes injects service-link variables for a Service named keywatch, then they are not mistaken for settings', () => {
    const links = {
      KEYWATCH_SERVICE_HOST: '10.96.0.12',
      KEYWATCH_SERVICE_PORT: '80',
      KEYWATCH_SERVICE_PORT_HTTP: '80',
      KEYWATCH_PORT: 'tcp://10.96.0.12:80',
      KEYWATCH_PORT_80_TCP: 'tcp://10.96.0.12:80',
      KEYWATCH_PORT_80_TCP_PROTO: 'tcp',
      KEYWATCH_PORT_80_TCP_PORT: '80',
      KEYWATCH_PORT_80_TCP_ADDR: '10.96.0.12',
    };
    expect(problemsOf({ ...base, ...links })).toEqual([]);
  });

  test('when KEYWATCH_TRUST_PROXY is unset, false, true, a hop count or a list of proxy addresses, then it becomes Express\'s trust proxy setting', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, KEYWATCH_TRUST_PROXY: '' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, KEYWATCH_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, KEYWATCH_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, KEYWATCH_TRUST_PROXY: ' 2 ' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, KEYWATCH_TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,fd00::/8, ::1, loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      'fd00::/8',
      '::1',
      'loopback',
    ]);
  });

  test('when KEYWATCH_TRUST_PROXY is not understood, then start-up stops naming it and the parts it did not understand', () => {
    for (const bad of ['yes', '0', '-1', '1.5', '10.0.0.0/33', 'proxy.example.com', '10.0.0.1,,10.0.0.2', '::1/129', '10.0.0.0/8/8', '10.0.0.256']) {
      const problems = problemsOf({ ...base, KEYWATCH_TRUST_PROXY: bad });
      expect({ bad, problems }).toEqual({ bad, problems: [expect.stringMatching(/^KEYWATCH_TRUST_PROXY: expected false, true, a hop count/)] });
    }
    expect(problemsOf({ ...base, KEYWATCH_TRUST_PROXY: '10.0.0.1, proxy.local' })[0]).toMatch(/not understood: "proxy\.local" \(got "10\.0\.0\.1, proxy\.local"\)$/);
  });

  test('when the schedule is empty, then scheduled scans are disabled', () => {
    expect(loadConfig({ ...base, KEYWATCH_SCAN_SCHEDULE: '' }).schedule.cron).toBeNull();
  });

  test('when AWS_ENDPOINT_URL_IAM is set, then it is the IAM endpoint, and KEYWATCH_IAM_ENDPOINT wins over it', () => {
    expect(loadConfig({ ...base, AWS_ENDPOINT_URL_IAM: 'http://localhost:4566' }).aws.endpoints.iam).toBe('http://localhost:4566');
    expect(
      loadConfig({ ...base, AWS_ENDPOINT_URL_IAM: 'http://localhost:4566', KEYWATCH_IAM_ENDPOINT: 'http://127.0.0.1:5000' }).aws.endpoints.iam,
    ).toBe('http://127.0.0.1:5000');
  });

  test('when KEYWATCH_IAM_ENDPOINT is set, then IAM, STS and Organizations all use it', () => {
    expect(loadConfig({ ...base, KEYWATCH_IAM_ENDPOINT: 'http://127.0.0.1:5000' }).aws.endpoints).toEqual({
      iam: 'http://127.0.0.1:5000',
      sts: 'http://127.0.0.1:5000',
      organizations: 'http://127.0.0.1:5000',
    });
  });

  test('when the SDK\'s per-service and global endpoint variables are set, then each service takes its own, else the global one', () => {
    const c = loadConfig({ ...base, AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_STS: 'http://localhost:4567' });
    expect(c.aws.endpoints).toEqual({ iam: 'http://localhost:4566', sts: 'http://localhost:4567', organizations: 'http://localhost:4566' });
  });

  test('when KEYWATCH_RISK_ESCALATION is false, no or 0 (any case), then privilege escalation of severities is off', () => {
    for (const value of ['false', 'No', '0', ' FALSE ']) expect(loadConfig({ ...base, KEYWATCH_RISK_ESCALATION: value }).riskEscalation).toBe(false);
    for (const value of ['true', 'YES', '1', '']) expect(loadConfig({ ...base, KEYWATCH_RISK_ESCALATION: value }).riskEscalation).toBe(true);
  });

  test('when KEYWATCH_RISK_ESCALATION is not a boolean, then start-up is refused naming it', () => {
    expect(problemsOf({ ...base, KEYWATCH_RISK_ESCALATION: 'sometimes' })).toEqual([
      'KEYWATCH_RISK_ESCALATION: expected true, false, 1, 0, yes or no (got "sometimes")',
    ]);
  });

  test('when the CLI loads config, then no API password is needed', () => {
    expect(problemsOf({}, { requireApiPassword: false })).toEqual([]);
  });
});
