// @ts-check
/**
 * The dashboard's one door to keywatch: every REST call it makes is here, so that a renamed field
 * or a new parameter is changed in one place. The dashboard reads the public API only — whatever
 * it shows, a script can read too (docs/api.md).
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

/**
 * @typedef {{ info: number, low: number, medium: number, high: number, critical: number }} SeverityCounts
 * @typedef {{
 *   name: string, accountId: string|null, accountName: string|null, origin: string, active: boolean,
 *   roleArn: string|null, source: string, lastRun: any|null, open: SeverityCounts, nextScan: string|null
 * }} Target
 * @typedef {{ organization: boolean, targets: Target[], totals: SeverityCounts|null }} TargetList
 */

/** One target of GET /api/targets in the dashboard's terms. @returns {Target} */
function normalizeTarget(/** @type {any} */ t) {
  return {
    name: t.name,
    accountId: t.account_id,
    accountName: t.account_name,
    origin: t.origin,
    active: t.active,
    roleArn: t.role_arn,
    source: t.source,
    lastRun: t.last_run,
    open: t.open_findings,
    nextScan: t.next_scan_at,
  };
}

export const api = {
  health: () => call('GET', '/api/health'),
  checks: () => call('GET', '/api/checks'),

  /**
   * Every target (GET /api/targets). One configured account reads as one target; an organization
   * (discovery on, or several targets) as an organization, with its totals.
   * @returns {Promise<TargetList>}
   */
  async targets() {
    const body = await call('GET', '/api/targets');
    /** @type {any[]} */
    const items = body.items;
    const organization = items.length > 1 || body.discovery.enabled === true;
    return { organization, targets: items.map(normalizeTarget), totals: organization ? body.totals : null };
  },

  /** @param {{ target?: string, status?: string, source?: string, limit?: number, offset?: number }} q */
  runs: (q = {}) => call('GET', '/api/scans', { query: q }),
  /** @param {number} id */
  run: (id) => call('GET', `/api/scans/${id}`),
  /**
   * POST /api/scans: `{ target }`, `{ all: true }` (organizations: a batch of runs) or `{}` (the only
   * target). Answers the started run(s) as a list.
   * @param {{ target?: string, all?: boolean, source?: string }} body
   * @returns {Promise<any[]>}
   */
  async startScan(body) {
    const answer = await call('POST', '/api/scans', { body });
    return body.all ? answer.runs : [answer];
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
   * Points oldest first: one per run of a target, or one per day for an organization (`bucket`).
   * @param {{ target?: string, since?: string, until?: string, limit?: number }} q
   */
  trends: (q = {}) => call('GET', '/api/trends', { query: q }),

  /**
   * The first page of a diff: its runs, complete counts and the first items of each category.
   * @param {number} runId @param {number} [baseId]
   */
  diff: (runId, baseId) => call('GET', `/api/scans/${runId}/diff`, { query: { base: baseId } }),

  /**
   * One page of one category of a diff: its items (under the category's name) and the cursor of the
   * next page (null on the last).
   * @param {number} runId @param {number|undefined} baseId @param {'new'|'resolved'|'changed'} category
   * @param {string|null} cursor @param {number} limit
   * @returns {Promise<{ items: any[], nextCursor: string|null }>}
   */
  async diffCategory(runId, baseId, category, cursor, limit) {
    const body = await call('GET', `/api/scans/${runId}/diff`, { query: { base: baseId, category, limit, cursor: cursor ?? undefined } });
    return { items: body[category], nextCursor: body.next_cursor };
  },
};
