/**
 * Benchmark `history_year`: a year of daily scans of a 5,000-user account (about 10,000 access keys)
 * with about 1% daily churn, at the store level (going through the IAM simulator 365 times would
 * measure HTTP, not history).
 *
 * Each day a synthetic account evolves (rotations, deactivations, clean-ups, users leaving and
 * joining, daily key use, console/MFA changes) and time advances one day, so keys cross the 90 / 365
 * day and unused thresholds by themselves. Its snapshot is evaluated by the real checks
 * (evaluateChecks + resolveChecks({})), mapped like the scan service does (toFindingInput) and
 * recorded with store.recordSucceededRun on a temp SQLite file with the real migrations.
 *
 * Then: database size; a naive estimate (one row per finding per run); diffs between 50 random
 * pairs of runs a year apart: built whole through diffRuns (diff_ms, diff_with_json_ms: what the
 * webhook does), the first page of GET /api/scans/{id}/diff through diffPage + renderDiffJson
 * (diff_first_page_ms: what the route calls; target < 20 ms) and the whole diff as CSV through
 * streamDiff + the route's CSV writer (diff_csv_ms; target < 500 ms); and the first page of
 * GET /api/findings through listFindings + presentFinding (what the route calls), with a few
 * suppressions in place.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateChecks } from '../checks/evaluate';
import { resolveChecks } from '../checks/settings';
import type { AccessKeySnapshot, IamSnapshot, UserSnapshot } from '../domain/snapshot';
import { diffCsv } from '../http/routes/diff';
import { renderDiffJson, renderWebhookJson } from '../presenters/diff-json';
import { presentFinding } from '../presenters/json';
import { diffPage, diffRuns, streamDiff } from '../scans/diff';
import { countBySeverity, toFindingInput } from '../scans/finding-input';
import { listFindings } from '../scans/findings-query';
import { mulberry32, type Rng } from '../simulator/model';
import { newLeaseOwner, openStore } from '../store';
import { round } from './common';

const DAY_MS = 86_400_000;
const ACCOUNT_ID = '210987654321';
const TARGET = 'default';
const SERVICES = ['s3', 'sts', 'ec2', 'dynamodb', 'lambda', 'sqs'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

interface KeyState extends AccessKeySnapshot {
  /** How this key is used: daily, now and then, or never. */
  usage: 'daily' | 'sometimes' | 'never';
}

interface UserState extends Omit<UserSnapshot, 'accessKeys'> {
  accessKeys: KeyState[];
}

/** A synthetic account that evolves one day at a time, deterministically for a seed. */
class SyntheticAccount {
  readonly users: UserState[] = [];
  private seq = 0;

  constructor(
    private readonly rng: Rng,
    users: number,
    public now: Date,
  ) {
    for (let i = 0; i < users; i++) this.addUser(this.int(0, 1500), 2);
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.rng() * items.length)]!;
  }

  private daysAgo(days: number): Date {
    return new Date(this.now.getTime() - days * DAY_MS - this.int(0, 86_399) * 1000);
  }

  private id(prefix: string): string {
    this.seq++;
    return `${prefix}${this.seq.toString(36).toUpperCase().padStart(16, '0')}`;
  }

  private newKey(userName: string, ageDays: number): KeyState {
    const r = this.rng();
    const usage: KeyState['usage'] = r < 0.7 ? 'daily' : r < 0.9 ? 'sometimes' : 'never';
    const createdAt = this.daysAgo(ageDays);
    const key: KeyState = {
      accessKeyId: this.id('AKIA'),
      userName,
      status: this.rng() < 0.88 ? 'Active' : 'Inactive',
      createdAt,
      usage,
      lastUsedAt: null,
      lastUsedService: null,
      lastUsedRegion: null,
    };
    if (usage !== 'never' && ageDays > 0) this.use(key, usage === 'daily' ? this.int(0, 2) : this.int(10, Math.min(200, ageDays)));
    return key;
  }

  private use(key: KeyState, daysAgo: number): void {
    const at = this.daysAgo(daysAgo);
    if (at < key.createdAt) return;
    key.lastUsedAt = at;
    key.lastUsedService = this.pick(SERVICES);
    key.lastUsedRegion = this.pick(REGIONS);
  }

  private addUser(ageDays: number, keys: number): void {
    const n = this.seq + 1;
    const userName = this.rng() < 0.3 ? `svc-${n}-${this.pick(['prod', 'dev', 'ci'])}` : `user.${n}`;
    const human = userName.startsWith('user.');
    const user: UserState = {
      userName,
      userId: this.id('AIDA'),
      arn: `arn:aws:iam::${ACCOUNT_ID}:user/${userName}`,
      createdAt: this.daysAgo(ageDays + 1),
      accessKeys: [],
      loginProfile: human && this.rng() < 0.4 ? { createdAt: this.daysAgo(ageDays), passwordLastUsedAt: this.rng() < 0.8 ? this.daysAgo(this.int(0, 90)) : null } : null,
      mfaDeviceCount: human && this.rng() < 0.7 ? 1 : 0,
    };
    for (let k = 0; k < keys; k++) user.accessKeys.push(this.newKey(userName, this.int(0, ageDays)));
    this.users.push(user);
  }

  /** One day passes: about 1% of the keys change, daily-used keys are used again. */
  advanceDay(): void {
    this.now = new Date(this.now.getTime() + DAY_MS);
    const keys = () => this.users.flatMap((u) => u.accessKeys.map((k) => ({ u, k })));
    // Rotations: delete the oldest active key, create a fresh one.
    for (let i = 0; i < 30; i++) {
      const u = this.pick(this.users);
      const active = u.accessKeys.filter((k) => k.status === 'Active').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      if (active.length === 0) continue;
      u.accessKeys = u.accessKeys.filter((k) => k !== active[0]);
      const fresh = this.newKey(u.userName, 0);
      fresh.status = 'Active';
      u.accessKeys.push(fresh);
    }
    // Deactivations and clean-ups of inactive keys.
    const all = keys();
    for (let i = 0; i < 25; i++) {
      const { k } = this.pick(all);
      if (k.status === 'Active') k.status = 'Inactive';
    }
    for (let i = 0; i < 20; i++) {
      const { u, k } = this.pick(all);
      if (k.status === 'Inactive') u.accessKeys = u.accessKeys.filter((x) => x !== k);
    }
    // Users leave and join (some join with an old key, e.g. migrated from another account).
    for (let i = 0; i < 10; i++) this.users.splice(Math.floor(this.rng() * this.users.length), 1);
    for (let i = 0; i < 10; i++) this.addUser(this.rng() < 0.2 ? this.int(100, 600) : 0, this.rng() < 0.5 ? 2 : 1);
    // Users with a free key slot get a new key now and then (keeps the account near two keys per user).
    const withSlot = this.users.filter((u) => u.accessKeys.length < 2);
    for (let i = 0; i < Math.min(35, withSlot.length); i++) {
      const u = this.pick(withSlot);
      if (u.accessKeys.length < 2) u.accessKeys.push(this.newKey(u.userName, 0));
    }
    // Console and MFA changes.
    for (let i = 0; i < 5; i++) {
      const u = this.pick(this.users);
      if (u.loginProfile && u.mfaDeviceCount === 0) u.mfaDeviceCount = 1;
      else if (!u.loginProfile && u.userName.startsWith('user.')) u.loginProfile = { createdAt: this.now, passwordLastUsedAt: null };
    }
    // Daily use (volatile evidence only).
    for (const u of this.users) {
      for (const k of u.accessKeys) {
        if (k.status !== 'Active') continue;
        if (k.usage === 'daily') this.use(k, 0);
        else if (k.usage === 'sometimes' && this.rng() < 0.03) this.use(k, 0);
      }
      if (u.loginProfile && u.loginProfile.passwordLastUsedAt !== null && this.rng() < 0.3) u.loginProfile.passwordLastUsedAt = this.daysAgo(0);
    }
  }

  snapshot(): IamSnapshot {
    return {
      accountId: ACCOUNT_ID,
      source: 'api',
      collectedAt: this.now,
      users: this.users.map((u) => ({
        ...u,
        loginProfile: u.loginProfile ? { ...u.loginProfile } : null,
        accessKeys: u.accessKeys.map(({ usage: _usage, ...k }) => ({ ...k })),
      })),
      root: { mfaEnabled: true, accessKeyCount: 0 },
      passwordPolicy: {
        minimumPasswordLength: 12,
        requireSymbols: true,
        requireNumbers: true,
        requireUppercaseCharacters: true,
        requireLowercaseCharacters: true,
        maxPasswordAge: 90,
        passwordReusePrevention: 24,
      },
    };
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export interface HistoryYearOptions {
  runs?: number;
  users?: number;
  seed?: number;
  diffPairs?: number;
  /** As KEYWATCH_RISK_ESCALATION (default true): passed to evaluateChecks like the scan service does. */
  riskEscalation?: boolean;
  /** Keep the database it built at this path (the dashboard scenario reuses it) instead of deleting it. */
  keepDatabaseAt?: string;
}

export async function runHistoryYearScenario(options: HistoryYearOptions = {}): Promise<Record<string, unknown>> {
  const runs = options.runs ?? 365;
  const users = options.users ?? 5000;
  const pairs = options.diffPairs ?? 50;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywatch-bench-history-'));
  const dbPath = path.join(dir, 'history.db');
  const rng = mulberry32(options.seed ?? 20240601);
  const start = new Date('2024-06-01T03:00:00.000Z');
  let clockNow = start;
  const store = openStore(dbPath, { clock: () => clockNow });
  try {
    const checks = resolveChecks({}).checks;
    const account = new SyntheticAccount(rng, users, start);
    const runIds: number[] = [];
    let findingsTotal = 0;
    let keysTotal = 0;
    const writeMs: number[] = [];
    const evalMs: number[] = [];
    const began = process.hrtime.bigint();

    const owner = newLeaseOwner();
    for (let day = 0; day < runs; day++) {
      if (day > 0) account.advanceDay();
      const now = account.now;
      clockNow = now;
      const t0 = process.hrtime.bigint();
      const snapshot = account.snapshot();
      const { findings, skipped } = evaluateChecks(snapshot, checks, now, { riskEscalation: options.riskEscalation ?? true });
      const inputs = findings.map(toFindingInput);
      evalMs.push(ms(t0));
      const run = store.runs.create({
        target: TARGET,
        source: 'api',
        trigger: 'schedule',
        startedAt: now.getTime() - 60_000,
        settings: {},
        lease: { owner, staleBefore: 0 },
      });
      const t1 = process.hrtime.bigint();
      store.recordSucceededRun({
        runId: run.id,
        target: TARGET,
        accountId: ACCOUNT_ID,
        finishedAt: now.getTime(),
        stats: {
          api_calls: 0,
          throttled: 0,
          retries: 0,
          duration_ms: 0,
          users: snapshot.users.length,
          access_keys: snapshot.users.reduce((n, u) => n + u.accessKeys.length, 0),
          findings: inputs.length,
          findings_by_severity: countBySeverity(findings),
        },
        skippedChecks: skipped,
        reportGeneratedAt: null,
        findings: inputs,
      });
      writeMs.push(ms(t1));
      runIds.push(run.id);
      findingsTotal += inputs.length;
      keysTotal += snapshot.users.reduce((n, u) => n + u.accessKeys.length, 0);
      if (day % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const recordSeconds = Number(process.hrtime.bigint() - began) / 1e9;

    // A few suppressions, as a team would have them (by finding, and by check + user pattern).
    const nowMs = clockNow.getTime();
    const someOpen = store.findings.list({ target: TARGET, status: 'open', suppressed: 'include', sort: 'severity', order: 'desc', limit: 3, offset: 0, now: nowMs }).items;
    for (const f of someOpen) {
      store.suppressions.create({ target: TARGET, findingId: f.id, checkId: null, userPattern: null, reason: 'bench', createdAt: nowMs, expiresAt: null });
    }
    store.suppressions.create({ target: TARGET, findingId: null, checkId: 'access_key_unused', userPattern: 'svc-*-ci', reason: 'bench', createdAt: nowMs, expiresAt: null });
    store.suppressions.create({ target: TARGET, findingId: null, checkId: 'user_password_unused', userPattern: 'user.1?', reason: 'bench', createdAt: nowMs, expiresAt: nowMs + 30 * DAY_MS });

    // Size: checkpoint the WAL so the main file holds everything.
    store.checkpoint();
    const dbBytes = fs.statSync(dbPath).size + (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0);
    const counts = store.tableCounts();
    const findingsBytes = store.tableBytes('findings');
    const bytesPerFindingRow = findingsBytes / Math.max(1, counts.findings);
    const findingsPerRun = findingsTotal / runs;
    const naiveBytes = bytesPerFindingRow * findingsPerRun * 365;

    // Diffs between runs about a year apart (base among the first 15 runs, head among the last 15).
    const span = Math.min(15, Math.floor(runs / 2));
    const diffTimes: number[] = [];
    const diffWithJson: number[] = [];
    const firstPageTimes: number[] = [];
    const csvTimes: number[] = [];
    let diffItems = 0;
    let csvBytes = 0;
    const yearApart = Array.from({ length: pairs }, () => ({ base: runIds[Math.floor(rng() * span)]!, head: runIds[runs - 1 - Math.floor(rng() * span)]! }));
    // GET /api/scans/{id}/diff?base=…: the first page (counts of the whole diff, 100 items of each
    // category) as JSON text. Measured in a loop of its own: the whole diffs below allocate tens of
    // thousands of items each, and their garbage collection would land in these short timings.
    for (const { base, head } of yearApart) {
      const p = process.hrtime.bigint();
      renderDiffJson(diffPage(store, head, { baseId: base, suppressed: 'exclude', now: nowMs, limit: 100 }));
      firstPageTimes.push(ms(p));
    }
    for (const { base, head } of yearApart) {
      // The whole diff built in memory (what the webhook does; the API did this before it paged).
      const t = process.hrtime.bigint();
      const d = diffRuns(store, head, { baseId: base, suppressed: 'exclude', now: nowMs });
      diffTimes.push(ms(t));
      renderWebhookJson(d, 'bench', Number.MAX_SAFE_INTEGER);
      diffWithJson.push(ms(t));
      diffItems += d.new.length + d.resolved.length + d.changed.length;
      // …&format=csv: every item, streamed through the CSV writer.
      const c = process.hrtime.bigint();
      for (const chunk of diffCsv(streamDiff(store, head, { baseId: base, suppressed: 'exclude', now: nowMs }).items)) csvBytes += chunk.length;
      csvTimes.push(ms(c));
    }
    // Day-to-day diffs (the common case).
    const dailyTimes: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const head = runIds[1 + Math.floor(rng() * (runs - 1))]!;
      const t = process.hrtime.bigint();
      diffRuns(store, head, { suppressed: 'exclude', now: nowMs });
      dailyTimes.push(ms(t));
    }

    // The first page of GET /api/findings (defaults: open, not suppressed, by severity, 50 items).
    const pageTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      const page = listFindings(store, { target: TARGET, status: 'open', suppressed: 'exclude', sort: 'severity', order: 'desc', limit: 50 }, nowMs);
      JSON.stringify(page.items.map((f) => presentFinding(f, nowMs)));
      pageTimes.push(ms(t));
    }

    return {
      scenario: 'history_year',
      runs,
      users,
      access_keys_avg: Math.round(keysTotal / runs),
      findings: counts.findings,
      findings_per_run_avg: Math.round(findingsPerRun),
      finding_states: counts.finding_states,
      db_mb: round(dbBytes / 1048576),
      naive_db_mb_estimate: round(naiveBytes / 1048576),
      bytes_per_finding_row: Math.round(bytesPerFindingRow),
      record_seconds: round(recordSeconds, 1),
      record_ms_p95: round(percentile(writeMs, 95)),
      evaluate_ms_p95: round(percentile(evalMs, 95)),
      diff_ms_p50: round(percentile(diffTimes, 50)),
      diff_ms_p95: round(percentile(diffTimes, 95)),
      diff_items_avg: Math.round(diffItems / pairs),
      diff_with_json_ms_p95: round(percentile(diffWithJson, 95)),
      diff_first_page_ms_p50: round(percentile(firstPageTimes, 50)),
      diff_first_page_ms_p95: round(percentile(firstPageTimes, 95)),
      diff_csv_ms_p50: round(percentile(csvTimes, 50)),
      diff_csv_ms_p95: round(percentile(csvTimes, 95)),
      diff_csv_kb_avg: Math.round(csvBytes / pairs / 1024),
      diff_daily_ms_p95: round(percentile(dailyTimes, 95)),
      findings_page_ms_p95: round(percentile(pageTimes, 95)),
    };
  } finally {
    store.close();
    // Closed: SQLite has folded the WAL into the file, which moves as one.
    if (options.keepDatabaseAt && fs.existsSync(dbPath)) fs.renameSync(dbPath, options.keepDatabaseAt);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
