/**
 * The interval history against a naive model that keeps every run's full list of findings: random
 * histories (with failed runs in between) must give the same run views, diffs and timelines — also
 * after retention deleted old runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { diffRuns } from '../../src/scans/diff';
import { RetentionService } from '../../src/scans/retention';
import { findingTimeline } from '../../src/scans/timeline';
import { mulberry32 } from '../../src/simulator';
import { newLeaseOwner, openStore, type Store } from '../../src/store';
import { type FindingInput } from '../../src/domain/findings';
import { makeTempDir } from '../support/harness';
import pino from 'pino';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const TARGET = 'model';

type State = { severity: string; durable: string };
type RunModel = { id: number; status: 'succeeded' | 'failed'; startedAt: number; seen: Map<string, State> };

const IDENTITIES = Array.from({ length: 30 }, (_, i) => ({ checkId: `check_${i % 3}`, resourceId: `AKIA${String(i).padStart(16, '0')}`, userName: `user-${i % 7}` }));

function input(identity: (typeof IDENTITIES)[number], state: State, rng: () => number): FindingInput {
  return {
    ...identity,
    severity: state.severity,
    severityRank: ['low', 'medium', 'high'].indexOf(state.severity) + 1,
    resourceType: 'access_key',
    userArn: `arn:aws:iam::123456789012:user/${identity.userName}`,
    message: `age ${Math.floor(rng() * 1000)} days`,
    durable: { v: state.durable },
    volatile: { last_used_date: new Date(T0 + Math.floor(rng() * 1e9)).toISOString() },
  };
}

/** Builds a random history in the store and the naive model of it. */
function buildHistory(store: Store, seed: number, runs: number): RunModel[] {
  const rng = mulberry32(seed);
  const model: RunModel[] = [];
  let current = new Map<string, State>();
  const owner = newLeaseOwner();
  for (let day = 0; day < runs; day++) {
    const startedAt = T0 + day * DAY;
    const run = store.runs.create({ target: TARGET, source: 'api', trigger: 'schedule', startedAt, settings: {}, lease: { owner, staleBefore: 0 } });
    if (day > 0 && rng() < 0.15) {
      store.runs.markFailed(run.id, { finishedAt: startedAt + 1000, errorCode: 'aws_access_denied', error: 'denied', stats: { api_calls: 1, throttled: 0, retries: 0, duration_ms: 1 } });
      model.push({ id: run.id, status: 'failed', startedAt, seen: new Map() });
      continue;
    }
    // Each identity: kept as is (mostly), changed, dropped or (re)added.
    const next = new Map<string, State>();
    for (const id of IDENTITIES) {
      const key = `${id.checkId}|${id.resourceId}`;
      const before = current.get(key);
      const r = rng();
      if (before && r < 0.7) next.set(key, before);
      else if (before && r < 0.8) next.set(key, { severity: rng() < 0.5 ? 'medium' : 'high', durable: rng() < 0.5 ? 'a' : 'b' });
      else if (!before && r < 0.3) next.set(key, { severity: rng() < 0.5 ? 'medium' : 'high', durable: rng() < 0.5 ? 'a' : 'b' });
    }
    current = next;
    const inputs = IDENTITIES.filter((id) => next.has(`${id.checkId}|${id.resourceId}`)).map((id) => input(id, next.get(`${id.checkId}|${id.resourceId}`)!, rng));
    store.recordSucceededRun({
      runId: run.id,
      target: TARGET,
      accountId: '123456789012',
      finishedAt: startedAt + 1000,
      stats: { api_calls: 1, throttled: 0, retries: 0, duration_ms: 1, findings: inputs.length },
      skippedChecks: [],
      reportGeneratedAt: null,
      findings: inputs,
    });
    model.push({ id: run.id, status: 'succeeded', startedAt, seen: new Map(next) });
  }
  return model;
}

const keyOfFinding = (f: { checkId: string; resourceId: string }) => `${f.checkId}|${f.resourceId}`;

function viewOf(store: Store, runId: number): Map<string, State> {
  const { items } = store.runViews.seenByRun(TARGET, runId, { limit: 10_000, offset: 0 });
  return new Map(items.map((f) => [keyOfFinding(f), { severity: f.severity, durable: String(f.durable.v) }]));
}

function naiveDiff(a: Map<string, State>, b: Map<string, State>) {
  const out = { new: [] as string[], resolved: [] as string[], changed: [] as string[], unchanged: 0 };
  for (const [k, s] of b) {
    const before = a.get(k);
    if (!before) out.new.push(k);
    else if (before.severity !== s.severity || before.durable !== s.durable) out.changed.push(k);
    else out.unchanged++;
  }
  for (const k of a.keys()) if (!b.has(k)) out.resolved.push(k);
  return { new: out.new.sort(), resolved: out.resolved.sort(), changed: out.changed.sort(), unchanged: out.unchanged };
}

/** The events a finding should have, from the naive model (succeeded runs only). */
function naiveEvents(model: RunModel[], key: string): string[] {
  const events: string[] = [];
  let prev: State | undefined;
  let seenBefore = false;
  for (const run of model.filter((r) => r.status === 'succeeded')) {
    const s = run.seen.get(key);
    if (s && !prev) events.push(`${seenBefore ? 'reopened' : 'first_seen'}@${run.id}`);
    else if (s && prev && (s.severity !== prev.severity || s.durable !== prev.durable)) events.push(`changed@${run.id}`);
    else if (!s && prev) events.push(`resolved@${run.id}`);
    if (s) seenBefore = true;
    prev = s;
  }
  return events;
}

describe('history intervals against a naive per-run model', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = makeTempDir('keywatch-model-');
    store = openStore(path.join(dir, 'model.db'), { clock: () => new Date(T0 + 1000 * DAY) });
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([1, 2, 3])('when a random history is recorded (seed %i), then run views, diffs of every pair and timelines equal the naive model, also after retention', async (seed) => {
    const model = buildHistory(store, seed, 45);
    const succeeded = model.filter((r) => r.status === 'succeeded');
    const now = T0 + 1000 * DAY;

    const check = (runs: RunModel[]) => {
      for (const r of runs) expect(viewOf(store, r.id)).toEqual(r.seen);
      for (const a of runs) {
        for (const b of runs) {
          const d = diffRuns(store, b.id, { baseId: a.id, suppressed: 'include', now });
          const got = {
            new: d.new.map((i) => `${i.state.checkId}|${i.state.resourceId}`).sort(),
            resolved: d.resolved.map((i) => `${i.state.checkId}|${i.state.resourceId}`).sort(),
            changed: d.changed.map((i) => `${i.state.checkId}|${i.state.resourceId}`).sort(),
            unchanged: d.unchanged,
          };
          expect({ a: a.id, b: b.id, ...got }).toEqual({ a: a.id, b: b.id, ...naiveDiff(a.seen, b.seen) });
        }
      }
    };
    check(succeeded);
    const timelines = new Map<number, string[]>();
    for (const f of store.findings.list({ target: TARGET, status: 'all', suppressed: 'include', sort: 'severity', order: 'desc', limit: 1000, offset: 0 }).items) {
      const events = findingTimeline(store, f.id, now)!.events.map((e) => `${e.type}@${e.runId}`);
      expect({ finding: keyOfFinding(f), events }).toEqual({ finding: keyOfFinding(f), events: naiveEvents(model, keyOfFinding(f)) });
      timelines.set(f.id, events);
    }

    // Retention: keep the runs that started in the last 20 days of the history.
    const cutoffDay = 25;
    const retention = new RetentionService({ store, logger: pino({ level: 'silent' }), days: 1000 - cutoffDay, clock: () => new Date(now), batchSize: 3 });
    await retention.runOnce();
    const kept = model.filter((r) => r.startedAt >= T0 + cutoffDay * DAY);
    const remainingIds = store.runs.list({ target: TARGET, limit: 1000, offset: 0 }).items.map((r) => r.id).sort((x, y) => x - y);
    expect(remainingIds).toEqual(kept.map((r) => r.id));
    check(kept.filter((r) => r.status === 'succeeded'));
    const oldestKept = kept.find((r) => r.status === 'succeeded')!.id;
    for (const f of store.findings.list({ target: TARGET, status: 'all', suppressed: 'include', sort: 'severity', order: 'desc', limit: 1000, offset: 0 }).items) {
      // a remaining finding keeps its whole timeline; a deleted one was resolved before the oldest kept run
      expect(findingTimeline(store, f.id, now)!.events.map((e) => `${e.type}@${e.runId}`)).toEqual(timelines.get(f.id));
    }
    for (const [id, events] of timelines) {
      if (store.findings.get(id)) continue;
      const last = events[events.length - 1]!;
      expect(last.startsWith('resolved@')).toBe(true);
      expect(Number(last.split('@')[1])).toBeLessThan(oldestKept);
    }
  });
});
