/** Helpers shared by the credential-report end-to-end tests. */
import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { SIM_CREDENTIALS, type Harness } from '../support/harness';

export interface FindingJson {
  check_id: string;
  resource_id: string;
  severity: string;
  status: string;
  user_name: string | null;
  evidence: Record<string, unknown>;
}

export interface RunJson {
  id: number;
  status: string;
  source: string;
  account_id: string | null;
  stats: { api_calls: number; calls_by_action: Record<string, number>; [k: string]: unknown };
  skipped_checks: { check_id: string; reason: string }[];
  report_generated_at: string | null;
  data_age_seconds: number | null;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
}

/** Every finding a run saw (all pages). */
export async function runFindings(h: Harness, runId: number): Promise<FindingJson[]> {
  const items: FindingJson[] = [];
  for (let offset = 0; ; offset += 500) {
    const res = await h.get(`/api/scans/${runId}/findings?limit=500&offset=${offset}`);
    if (res.status !== 200) throw new Error(`findings of run ${runId} answered ${res.status}: ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    if (items.length >= res.body.total) return items;
  }
}

/** Current findings of the target (all pages), open or resolved. */
export async function currentFindings(h: Harness, status: 'open' | 'resolved' | 'all' = 'open'): Promise<FindingJson[]> {
  const items: FindingJson[] = [];
  for (let offset = 0; ; offset += 500) {
    const res = await h.get(`/api/findings?status=${status}&limit=500&offset=${offset}`);
    if (res.status !== 200) throw new Error(`findings answered ${res.status}: ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    if (items.length >= res.body.total) return items;
  }
}

export const triple = (f: FindingJson) => `${f.check_id}|${f.resource_id}|${f.severity}`;

/** A date with whole seconds (AWS dates, and so the report's, have no milliseconds). */
export function wholeSecondNow(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

/**
 * Has the simulated IAM generate its credential report now, through the real SDK, before keywatch
 * scans: with `reportMaxAgeMs` the next scans read this report (IAM reuses a report younger than 4 hours).
 */
export async function generateReportAhead(h: Harness): Promise<void> {
  const iam = new IAMClient({ endpoint: h.sim.url, region: 'us-east-1', credentials: SIM_CREDENTIALS, maxAttempts: 1 });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await iam.send(new GenerateCredentialReportCommand({}))).State === 'COMPLETE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the simulated credential report did not complete');
  } finally {
    iam.destroy();
  }
}
