// @ts-check
/**
 * The dashboard's one door to keywatch: every REST call it makes is here, so that a renamed field
 * or a new parameter is changed in one place. The dashboard reads the public API only — whatever
 * it shows, a script can read too (docs/api.md).
 *
 * Two shapes are handled on purpose:
 * - one target (today) or many: GET /api/targets is used when the API has it (feature-detected from
 *   the OpenAPI document, so that no request fails); without it there is one target, named by the
 *   API's own answers (GET /api/trends answers the configured target's name);
 * - a diff answered whole (today) or paged (`category`, `limit`, `next_cursor`): see diffCategory.
 */

/** An API error answer `{ error: { code, message } }`, or a network failure (status 0). */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * `/api/findings?a=1&b=2`, leaving out empty values.
 * @param {string} path @param {Record<string, unknown>} [query]
 */
export function apiUrl(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * @param {'GET'|'POST'} method @param {string} path
 * @param {{ query?: Record<string, unknown>, body?: unknown }} [options]
 * @returns {Promise<any>}
 */
async function call(method, path, options = {}) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(apiUrl(path, options.query), {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
  } catch (error) {
    throw new ApiError(0, 'network_error', `keywatch did not answer (${error instanceof Error ? error.message : error}). Is it running?`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: `http_${res.status}`, message: `${method} ${path} answered ${res.status}` };
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

/** Paths of the API this keywatch serves (its OpenAPI document), cached for the browser session. */
async function apiPaths() {
  const key = 'keywatch.api-paths';
  const cached = sessionStorage.getItem(key);
  if (cached) return new Set(JSON.parse(cached));
  const doc = await call('GET', '/api/openapi.json');
  const paths = Object.keys(doc.paths ?? {});
  sessionStorage.setItem(key, JSON.stringify(paths));
  return new Set(paths);
}

/**
 * @typedef {{ info: number, low: number, medium: number, high: number, critical: number }} SeverityCounts
 * @typedef {{
 *   name: string, accountId: string|null, accountName: string|null, origin: string|null, active: boolean,
 *   roleArn: string|null, source: string|null, lastRun: any|null, lastSucceededRun: any|null,
 *   open: SeverityCounts|null, nextScan: string|null, intervalSeconds: number|null
 * }} Target
 * @typedef {{ organization: boolean, targets: Target[], totals: SeverityCounts|null }} TargetList
 */

/** One target of GET /api/targets in the dashboard's terms (every field name the API may use is read here). @returns {Target} */
function normalizeTarget(/** @type {any} */ t) {
  return {
    name: t.name ?? t.target,
    accountId: t.account_id ?? null,
    accountName: t.account_name ?? t.label ?? null,
    origin: t.origin ?? null,
    active: t.active ?? true,
    roleArn: t.role_arn ?? null,
    source: t.source ?? null,
    lastRun: t.last_run ?? null,
    lastSucceededRun: t.last_succeeded_run ?? null,
    open: t.open_findings ?? null,
    nextScan: t.next_scheduled_scan ?? t.next_scan_at ?? null,
    intervalSeconds: t.scan_interval_seconds ?? null,
  };
}

export const api = {
  health: () => call('GET', '/api/health'),
  checks: () => call('GET', '/api/checks'),

  /**
   * Every target: GET /api/targets when this keywatch has it, else the one configured target
   * (named by GET /api/trends, which answers it even before the first scan).
   * @returns {Promise<TargetList>}
   */
  async targets() {
    // Asked at the same time as the paths (cheap, and the answer for one target): no waiting in turn.
    const oneTarget = call('GET', '/api/trends', { query: { limit: 1 } });
    oneTarget.catch(() => undefined); // not needed when /api/targets answers
    if ((await apiPaths()).has('/api/targets')) {
      const body = await call('GET', '/api/targets');
      /** @type {any[]} */
      const items = body.items;
      // One configured account reads as before; an organization (discovery on, or several targets) as one.
      const organization = items.length > 1 || body.discovery?.enabled === true;
      return { organization, targets: items.map(normalizeTarget), totals: organization ? body.totals : null };
    }
    const trends = await oneTarget;
    return { organization: false, targets: [normalizeTarget({ name: trends.target })], totals: null };
  },

  /** @param {{ target?: string, status?: string, source?: string, limit?: number, offset?: number }} q */
  runs: (q = {}) => call('GET', '/api/scans', { query: q }),
  /** @param {number} id */
  run: (id) => call('GET', `/api/scans/${id}`),
  /**
   * POST /api/scans: `{ target }`, `{ all: true }` (organizations) or `{}` (the configured target).
   * Answers the started run(s) as a list.
   * @param {{ target?: string, all?: boolean, source?: string }} body
   * @returns {Promise<any[]>}
   */
  async startScan(body) {
    const answer = await call('POST', '/api/scans', { body });
    if (Array.isArray(answer)) return answer;
    if (Array.isArray(answer?.items)) return answer.items;
    if (Array.isArray(answer?.runs)) return answer.runs;
    return [answer];
  },
  /** @param {number} id */
  reportUrl: (id) => `/api/scans/${id}/report`,

  /** @param {Record<string, unknown>} filters */
  findings: (filters) => call('GET', '/api/findings', { query: filters }),
  /** The CSV download of exactly these filters (paging left out: the CSV holds every match). @param {Record<string, unknown>} filters */
  findingsCsvUrl: (filters) => {
    const { cursor: _c, offset: _o, limit: _l, ...rest } = filters;
    return apiUrl('/api/findings', { ...rest, format: 'csv' });
  },
  /** @param {number} id */
  finding: (id) => call('GET', `/api/findings/${id}`),
  /** @param {number} id */
  suppression: (id) => call('GET', `/api/suppressions/${id}`),

  /**
   * Points oldest first. An organization's points (one per day) may name their day instead of a finish time: read as `finished_at`.
   * @param {{ target?: string, since?: string, until?: string, limit?: number }} q
   */
  async trends(q = {}) {
    const body = await call('GET', '/api/trends', { query: q });
    return { ...body, points: body.points.map((/** @type {any} */ p) => ({ ...p, finished_at: p.finished_at ?? p.day ?? p.date })) };
  },

  /**
   * The head of a diff: its runs and complete counts (and, from an API that answers whole diffs, every item).
   * @param {number} runId @param {number} [baseId]
   */
  diff: (runId, baseId) => call('GET', `/api/scans/${runId}/diff`, { query: { base: baseId } }),

  /**
   * One page of one category of a diff. A paging API answers `category`'s items (as `items` or under
   * the category's name) and `next_cursor` until the last page; an API that answers whole diffs ignores
   * `category`, `limit` and `cursor` and answers every item at once (no cursor): both work.
   * @param {number} runId @param {number|undefined} baseId @param {'new'|'resolved'|'changed'} category
   * @param {string|null} cursor @param {number} limit
   * @returns {Promise<{ items: any[], nextCursor: string|null }>}
   */
  async diffCategory(runId, baseId, category, cursor, limit) {
    const body = await call('GET', `/api/scans/${runId}/diff`, { query: { base: baseId, category, limit, cursor: cursor ?? undefined } });
    const items = Array.isArray(body.items) ? body.items : (body[category] ?? []);
    const nextCursor = body.next_cursor ?? body.next_cursors?.[category] ?? body.cursors?.[category] ?? null;
    return { items, nextCursor };
  },
};
