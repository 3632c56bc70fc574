/** The domain's single definitions: the suppression filter (on findings and on counts) and "did the state change". */
import { countForFilter, keepsSuppressed, stableJson, stateChanged, SUPPRESSED_FILTERS } from '../../src/domain/findings';

describe('the suppression filter', () => {
  test.each([
    ['exclude', false, true],
    ['exclude', true, false],
    ['include', false, true],
    ['include', true, true],
    ['only', false, false],
    ['only', true, true],
  ] as const)('when the filter is %s and a finding is suppressed=%s, then it is kept=%s', (filter, suppressed, kept) => {
    expect(keepsSuppressed(filter, suppressed)).toBe(kept);
  });

  test('when counts were taken with and without suppressed findings, then each mode counts what it keeps', () => {
    // 10 findings, 3 of them suppressed.
    const counts = { all: 10, unsuppressed: 7 };
    expect(Object.fromEntries(SUPPRESSED_FILTERS.map((f) => [f, countForFilter(f, counts)]))).toEqual({ exclude: 7, include: 10, only: 3 });
  });

  test('when the filter is applied item by item or over counts, then both agree', () => {
    const items = [true, false, false, true, false];
    const counts = { all: items.length, unsuppressed: items.filter((s) => !s).length };
    for (const f of SUPPRESSED_FILTERS) expect(items.filter((s) => keepsSuppressed(f, s)).length).toBe(countForFilter(f, counts));
  });
});

describe('stateChanged', () => {
  const state = (severity: string, durable: Record<string, string | number>) => ({ severity, durableJson: stableJson(durable) });

  test('when the severity differs, then the state changed', () => {
    expect(stateChanged(state('medium', { a: 1 }), state('high', { a: 1 }))).toBe(true);
  });

  test('when the durable evidence differs, then the state changed', () => {
    expect(stateChanged(state('medium', { status: 'Active' }), state('medium', { status: 'Inactive' }))).toBe(true);
  });

  test('when the same evidence was written with its keys in another order, then the state did not change', () => {
    expect(stateChanged(state('low', { a: 1, b: 'x' }), state('low', { b: 'x', a: 1 }))).toBe(false);
  });
});
