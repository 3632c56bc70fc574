/**
 * Diffs as JSON text: a page of GET /api/scans/{id}/diff (DiffSchema) and the webhook's JSON notification
 * (WebhookPayloadSchema) write their items with the same item writer, so both carry exactly the
 * DiffItemSchema shape.
 *
 * Diffs can list tens of thousands of findings: each state's durable evidence is already canonical
 * JSON in the store, so it is written as is instead of being parsed and serialised again, and the
 * strings that repeat (check ids, titles, resource types, severities) are quoted once.
 */
import { checkText } from '../checks/catalog';
import type { ChangedItem, DiffItem, DiffPage, RunDiff } from '../scans/diff';
import { iso } from './json';
import { asJsonText, type JsonText } from './json-text';
import type { DiffJson, WebhookPayloadJson } from './schemas';

/** Writes diff items (DiffItemSchema / ChangedDiffItemSchema) as JSON text. One per rendering: it caches quoted strings. */
function diffItemWriter() {
  const quoted = new Map<string, string>();
  const q = (v: string): string => {
    let out = quoted.get(v);
    if (out === undefined) quoted.set(v, (out = JSON.stringify(v)));
    return out;
  };
  const titles = new Map<string, string>();
  const title = (checkId: string): string => {
    let out = titles.get(checkId);
    if (out === undefined) titles.set(checkId, (out = JSON.stringify(checkText(checkId).title)));
    return out;
  };
  const item = (i: DiffItem, extra = ''): string => {
    const s = i.state;
    return (
      `{"finding_id":${s.findingId},"check_id":${q(s.checkId)},"title":${title(s.checkId)},"severity":${q(s.severity)}` +
      `,"resource_type":${q(s.resourceType)},"resource_id":${JSON.stringify(s.resourceId)},"user_name":${s.userName === null ? 'null' : JSON.stringify(s.userName)}` +
      `,"evidence":${s.durableJson},"suppressed":${i.suppressionId !== null},"suppression_id":${i.suppressionId ?? 'null'}${extra}}`
    );
  };
  const changed = (c: ChangedItem): string =>
    item(c, `,"before":{"severity":${q(c.before.severity)},"evidence":${c.before.durableJson}},"after":{"severity":${q(c.state.severity)},"evidence":${c.state.durableJson}}`);
  return {
    items: (list: readonly DiffItem[]): string => `[${list.map((i) => item(i)).join(',')}]`,
    changedItems: (list: readonly ChangedItem[]): string => `[${list.map(changed).join(',')}]`,
  };
}

/** `{…head, "new": […], "resolved": […], "changed": […]}`: the head's fields first, then the three lists. */
function withLists(head: object, d: Pick<RunDiff, 'new' | 'resolved' | 'changed'>): string {
  const w = diffItemWriter();
  const open = JSON.stringify(head).slice(0, -1);
  return `${open},"new":${w.items(d.new)},"resolved":${w.items(d.resolved)},"changed":${w.changedItems(d.changed)}}`;
}

/** GET /api/scans/{id}/diff: one page (the counts of the whole diff, the page's items). */
export function renderDiffJson(d: DiffPage): JsonText<DiffJson> {
  const head: Omit<DiffJson, 'new' | 'resolved' | 'changed'> = {
    run_id: d.run.id,
    base_run_id: d.base?.id ?? null,
    target: d.run.target,
    run_finished_at: iso(d.run.finishedAt),
    base_finished_at: d.base ? iso(d.base.finishedAt) : null,
    suppressed: d.suppressed,
    counts: { new: d.counts.new, resolved: d.counts.resolved, changed: d.counts.changed, unchanged: d.counts.unchanged, suppressed_left_out: d.counts.leftOut },
    category: d.category ?? 'all',
    limit: d.limit,
    next_cursor: d.nextCursor,
    unchanged: d.counts.unchanged,
  };
  return asJsonText(withLists(head, d));
}

/** The webhook's JSON notification: the run, the counts, and at most `maxItems` items per list. */
export function renderWebhookJson(d: RunDiff, version: string, maxItems: number): JsonText<WebhookPayloadJson> {
  const head: Omit<WebhookPayloadJson, 'new' | 'resolved' | 'changed'> = {
    event: 'keywatch.run.findings_changed',
    keywatch_version: version,
    target: d.run.target,
    account_id: d.run.accountId,
    run: { id: d.run.id, source: d.run.source, trigger: d.run.trigger, finished_at: iso(d.run.finishedAt), path: `/api/scans/${d.run.id}` },
    base_run_id: d.base?.id ?? null,
    counts: { new: d.new.length, resolved: d.resolved.length, changed: d.changed.length, unchanged: d.unchanged },
    truncated: d.new.length > maxItems || d.resolved.length > maxItems || d.changed.length > maxItems,
  };
  return asJsonText(withLists(head, { new: d.new.slice(0, maxItems), resolved: d.resolved.slice(0, maxItems), changed: d.changed.slice(0, maxItems) }));
}
