import { emptyCallStats, IamLimiter } from '../../src/aws/limiter';

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
const denied = () => Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

const limiter = (over: Partial<ConstructorParameters<typeof IamLimiter>[0]> = {}) =>
  new IamLimiter({ ratePerSecond: 1000, concurrency: 4, maxAttempts: 5, backoffBaseMs: 1, backoffMaxMs: 4, ...over });

describe('the IAM limiter', () => {
  test('when a call is throttled twice and then succeeds, then it is retried and the throttles and retries are counted', async () => {
    const l = limiter();
    const stats = emptyCallStats();
    let n = 0;
    const result = await l.call('ListUsers', async () => {
      n++;
      if (n <= 2) throw throttle();
      return 'ok';
    }, stats);
    expect(result).toBe('ok');
    expect(stats).toMatchObject({ api_calls: 3, throttled: 2, retries: 2, by_action: { ListUsers: 3 } });
    await l.stop();
  });

  test('when AccessDenied is answered, then it is not retried', async () => {
    const l = limiter();
    const stats = emptyCallStats();
    await expect(l.call('ListUsers', async () => { throw denied(); }, stats)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(stats).toMatchObject({ api_calls: 1, retries: 0 });
    await l.stop();
  });

  test('when throttling never stops, then the call gives up after maxAttempts', async () => {
    const l = limiter({ maxAttempts: 4 });
    const stats = emptyCallStats();
    await expect(l.call('ListUsers', async () => { throw throttle(); }, stats)).rejects.toMatchObject({ name: 'Throttling', keywatchAttempts: 4 });
    expect(stats).toMatchObject({ api_calls: 4, throttled: 4, retries: 3 });
    await l.stop();
  });

  test('when backoff is computed, then it is full jitter under an exponential ceiling with a cap', () => {
    const top = new IamLimiter({ ratePerSecond: 5, concurrency: 1, maxAttempts: 9, backoffBaseMs: 100, backoffMaxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map((a) => top.backoffDelay(a))).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = new IamLimiter({ ratePerSecond: 5, concurrency: 1, maxAttempts: 9, backoffBaseMs: 100, backoffMaxMs: 1000, random: () => 0 });
    expect(bottom.backoffDelay(5)).toBe(0);
  });

  test('when throttling happens, then the limiter slows down, and recovers after a run of successes', async () => {
    const l = limiter();
    const stats = emptyCallStats();
    let n = 0;
    await l.call('X', async () => {
      if (n++ < 2) throw throttle();
      return 1;
    }, stats);
    // two throttles in the same second are one signal: the rate is halved once
    expect(l.currentSlowdown).toBe(2);
    for (let i = 0; i < 40; i++) await l.call('X', async () => 1, stats);
    expect(l.currentSlowdown).toBe(1);
    await l.stop();
  });

  test('when the rate is 20 calls/s, then 10 calls take about half a second', async () => {
    const l = limiter({ ratePerSecond: 20, concurrency: 4 });
    const stats = emptyCallStats();
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => l.call('X', async () => 1, stats)));
    const elapsed = Date.now() - t0;
    // 10 calls spaced 50 ms apart: the 10th starts at ≥ 450 ms.
    expect(elapsed).toBeGreaterThanOrEqual(440);
    await l.stop();
  });

  test('when many calls are queued, then no more than the configured concurrency run at once', async () => {
    const l = limiter({ ratePerSecond: 100000, concurrency: 3 });
    const stats = emptyCallStats();
    let running = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 60 }, () =>
        l.call('X', async () => {
          running++;
          max = Math.max(max, running);
          await new Promise((r) => setTimeout(r, 3));
          running--;
        }, stats),
      ),
    );
    expect(max).toBe(3);
    expect(stats.api_calls).toBe(60);
    await l.stop();
  });

  test('when a call is marked first while others wait, then it starts next, still paced at the rate', async () => {
    const l = limiter({ ratePerSecond: 50, concurrency: 1 });
    const stats = emptyCallStats();
    const order: string[] = [];
    const starts: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const record = (name: string, hold?: Promise<void>) => async () => {
      order.push(name);
      starts.push(performance.now());
      await hold;
    };
    // scan-0 holds the only slot while the other scan calls queue behind it.
    const queued = Array.from({ length: 6 }, (_, i) => l.call('ListAccessKeys', record(`scan-${i}`, i === 0 ? held : undefined), stats));
    while (order.length === 0) await new Promise((r) => setTimeout(r, 5));
    const first = l.call('AssumeRole', record('assume-role'), stats, { first: true });
    await new Promise((r) => setTimeout(r, 100));
    release();
    await Promise.all([...queued, first]);
    // The AssumeRole goes before the five scan calls that were waiting before it.
    expect(order).toEqual(['scan-0', 'assume-role', 'scan-1', 'scan-2', 'scan-3', 'scan-4', 'scan-5']);
    // Every start after it keeps about the 20 ms spacing of 50 calls/s (timers have millisecond granularity).
    for (let i = 2; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(15);
    await l.stop();
  });
});
