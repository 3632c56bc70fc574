/**
 * The shutdown deadline: one absolute moment (wall-clock ms, `Date.now()`), computed once when
 * SIGTERM arrives (now + KEYWATCH_SHUTDOWN_GRACE_S) and passed — never as a duration — to every
 * stage: the scheduler, running scans, webhook deliveries, the HTTP server. Each stage waits for its
 * work at most until that moment, all at the same time, so the grace period is spent once, not once
 * per stage. At the deadline the work still in flight is aborted (a scan is marked `interrupted`, a
 * webhook request is cancelled and recorded as failed) and gets UNWIND_MS, counted from the same
 * deadline, to record that before the database closes.
 */

/** Wall-clock ms (`Date.now()`) by which a stage must be done. */
export type Deadline = number;

/** After the deadline, aborted work gets this long to unwind (record its outcome) before the database closes. */
export const UNWIND_MS = 1_000;

/** The deadline by which aborted work must have unwound. */
export const unwindDeadline = (deadline: Deadline): Deadline => deadline + UNWIND_MS;

/**
 * Waits for `work` until the deadline: true when it settled in time, false when the deadline came
 * first (the work goes on; the caller decides what to abort). Never rejects. Timers may fire a
 * millisecond early, so it checks the clock before it gives up: "false" always means the deadline
 * has passed.
 */
export async function settleBy(work: Promise<unknown>, deadline: Deadline): Promise<boolean> {
  let settled = false;
  const done = work.then(
    () => (settled = true),
    () => (settled = true),
  );
  // At least one turn, even past the deadline: work that has already settled is reported as such.
  do {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
    clearTimeout(timer);
  } while (!settled && Date.now() < deadline);
  return settled;
}
