/** The report page's presenter: whatever AWS or the store hands it is shown as text, never run as markup. */
import type { Finding } from '../../src/domain/findings';
import type { ScanRun } from '../../src/domain/runs';
import { renderRunReportHtml } from '../../src/presenters/report-html';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

function run(overrides: Partial<ScanRun> = {}): ScanRun {
  return {
    id: 7,
    target: 'default',
    accountId: '111122223333',
    accountName: null,
    source: 'api',
    trigger: 'api',
    status: 'succeeded',
    startedAt: Date.parse('2026-01-01T00:00:00Z'),
    finishedAt: Date.parse('2026-01-01T00:00:05Z'),
    errorCode: null,
    error: null,
    settings: {},
    stats: { api_calls: 3, throttled: 0, retries: 0, duration_ms: 5000 },
    skippedChecks: [],
    reportGeneratedAt: null,
    heartbeatAt: null,
    ...overrides,
  };
}

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 1,
    target: 'default',
    accountId: '111122223333',
    checkId: 'access_key_not_rotated',
    severity: 'medium',
    severityRank: 2,
    message: 'Key is old',
    resourceType: 'access_key',
    resourceId: 'AKIAEXAMPLE',
    userName: 'alice',
    userArn: 'arn:aws:iam::111122223333:user/alice',
    durable: {},
    volatile: {},
    privilege: null,
    status: 'open',
    firstSeenRunId: 7,
    firstSeenAt: Date.parse('2026-01-01T00:00:05Z'),
    lastSeenRunId: 7,
    lastSeenAt: Date.parse('2026-01-01T00:00:05Z'),
    resolvedRunId: null,
    resolvedAt: null,
    suppressionId: null,
    ...overrides,
  };
}

describe('the report page', () => {
  test('when a message, a user name, a resource id or an error holds markup, then the page shows it as text', () => {
    const succeeded = renderRunReportHtml(
      { run: run({ target: 'prod' }), changes: null, findings: [finding({ message: HOSTILE, userName: HOSTILE, resourceId: HOSTILE })], generatedAt: Date.now() },
      '1.0.0',
    );
    const failed = renderRunReportHtml(
      { run: run({ status: 'failed', errorCode: 'aws_error', error: HOSTILE }), changes: null, findings: [], generatedAt: Date.now() },
      '1.0.0',
    );
    for (const html of [succeeded, failed]) {
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    }
  });

  test('when a finding is suppressed, then it is listed and marked as suppressed', () => {
    const html = renderRunReportHtml({ run: run(), changes: null, findings: [finding({ suppressionId: 3 })], generatedAt: Date.now() }, '1.0.0');
    expect(html).toContain('AKIAEXAMPLE');
    expect(html).toContain('(suppressed)');
    expect(html).toContain('1 of them is suppressed');
  });
});
