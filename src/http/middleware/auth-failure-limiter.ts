/**
 * Brute-force protection for the API's credentials: counts failed authentication attempts per
 * client (IP address) in a fixed window that starts at the client's first failure. Once a client
 * has failed `maxFailures` times in its window, every request it makes that needs authentication
 * is refused (429) until the window ends — even with the right password, otherwise guessing would
 * still work. Successful requests neither count nor reset the count.
 *
 * In memory and per process: keywatch runs as one replica (SQLite has one writer). Memory is
 * bounded: at most `maxClients` windows are kept; expired ones are swept, the oldest dropped.
 */

export interface AuthFailureLimiterOptions {
  /** Failed attempts allowed per window; the client is blocked once it reaches this many. */
  maxFailures: number;
  windowMs: number;
  /** Injectable clock (ms since epoch) for tests. */
  now?: () => number;
  /** Bound on the number of clients tracked at once. Default 10,000. */
  maxClients?: number;
}

interface Window {
  failures: number;
  endsAt: number;
}

export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(readonly options: AuthFailureLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Milliseconds until the client may try again; 0 when it is not blocked. */
  blockedForMs(client: string): number {
    const w = this.windows.get(client);
    if (!w) return 0;
    const now = this.now();
    if (now >= w.endsAt) {
      this.windows.delete(client);
      return 0;
    }
    return w.failures >= this.options.maxFailures ? w.endsAt - now : 0;
  }

  /** Records one failed attempt; returns the client's failures in its current window. */
  recordFailure(client: string): number {
    const now = this.now();
    let w = this.windows.get(client);
    if (!w || now >= w.endsAt) {
      if (w) this.windows.delete(client);
      this.makeRoom(now);
      w = { failures: 0, endsAt: now + this.options.windowMs };
      this.windows.set(client, w);
    }
    w.failures++;
    return w.failures;
  }

  /** Clients tracked now (tests, diagnostics). */
  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.maxClients) return;
    for (const [client, w] of this.windows) if (now >= w.endsAt) this.windows.delete(client);
    // Still full: forget the oldest window (Map keeps insertion order).
    while (this.windows.size >= this.maxClients) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }
}
