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
      aws: { region: 'us-east-1', iamEndpoint: undefined },
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

  test('when the schedule is empty, then scheduled scans are disabled', () => {
    expect(loadConfig({ ...base, KEYWATCH_SCAN_SCHEDULE: '' }).schedule.cron).toBeNull();
  });

  test('when AWS_ENDPOINT_URL_IAM is set, then it is the IAM endpoint, and KEYWATCH_IAM_ENDPOINT wins over it', () => {
    expect(loadConfig({ ...base, AWS_ENDPOINT_URL_IAM: 'http://localhost:4566' }).aws.iamEndpoint).toBe('http://localhost:4566');
    expect(
      loadConfig({ ...base, AWS_ENDPOINT_URL_IAM: 'http://localhost:4566', KEYWATCH_IAM_ENDPOINT: 'http://127.0.0.1:5000' }).aws.iamEndpoint,
    ).toBe('http://127.0.0.1:5000');
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
