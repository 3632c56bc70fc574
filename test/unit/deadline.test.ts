/**
 * settleBy: waiting for work until one absolute deadline (the shutdown deadline, src/deadline.ts).
 * Fake timers: Date.now() and setTimeout move only when the test advances them.
 */
import { settleBy } from '../../src/deadline';

const after = (ms: number, fail = false) => new Promise<void>((resolve, reject) => setTimeout(() => (fail ? reject(new Error('x')) : resolve()), ms));
const never = () => new Promise<void>(() => undefined);

describe('settleBy', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Runs settleBy while the clock advances by `ms`; answers its outcome and when it answered. */
  async function outcomeOf(work: Promise<unknown>, deadline: number, ms: number): Promise<{ settled: boolean | undefined; at: number | undefined }> {
    const out: { settled: boolean | undefined; at: number | undefined } = { settled: undefined, at: undefined };
    void settleBy(work, deadline).then((settled) => Object.assign(out, { settled, at: Date.now() }));
    await jest.advanceTimersByTimeAsync(ms);
    return out;
  }

  test('when the work settles before the deadline, then it answers true at once, without waiting for the deadline', async () => {
    expect(await outcomeOf(after(20), 1_000_000 + 5_000, 6_000)).toEqual({ settled: true, at: 1_000_020 });
  });

  test('when the work fails before the deadline, then that counts as settled and nothing is thrown', async () => {
    expect(await outcomeOf(after(5, true), 1_000_000 + 5_000, 6_000)).toEqual({ settled: true, at: 1_000_005 });
  });

  test('when the deadline comes first, then it answers false at the deadline, not before', async () => {
    expect(await outcomeOf(never(), 1_000_000 + 50, 49)).toEqual({ settled: undefined, at: undefined });
    expect(await outcomeOf(never(), 1_000_000 + 50, 100)).toEqual({ settled: false, at: 1_000_050 });
  });

  test('when the deadline has already passed, then settled work still answers true and pending work false', async () => {
    expect(await outcomeOf(Promise.resolve(), 1_000_000 - 1_000, 10)).toMatchObject({ settled: true });
    expect(await outcomeOf(never(), 1_000_000 - 1_000, 10)).toMatchObject({ settled: false });
  });

  test('when several stages wait for one deadline, then they give up together at it, not one after the other', async () => {
    const deadline = 1_000_000 + 100;
    const outcomes: { settled: boolean; at: number }[] = [];
    for (const work of [never(), never(), after(10)]) void settleBy(work, deadline).then((settled) => outcomes.push({ settled, at: Date.now() }));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(outcomes).toEqual([
      { settled: true, at: 1_000_010 },
      { settled: false, at: deadline },
      { settled: false, at: deadline },
    ]);
  });
});
