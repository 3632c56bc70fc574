// @ts-check
/**
 * Building the page: `h('a', { href }, 'text')` makes elements; strings become text nodes, so data
 * from the API is never parsed as markup (no innerHTML anywhere in the dashboard). Event handlers
 * are attached with addEventListener (`onClick: fn`): the Content-Security-Policy forbids inline ones.
 */

import { evidenceValue } from './format.js';

/** @typedef {string | number | Node | null | undefined | false} Child */

/**
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** @param {Node} parent @param {(Child | Child[])[]} children */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces an element's content. @param {Element} el @param {...(Child | Child[])} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A severity badge (text, not only colour). @param {string} severity */
export const severityBadge = (severity) => h('span', { class: `sev sev-${severity}` }, severity);

/** A run status badge. @param {string} status */
export const statusBadge = (status) => h('span', { class: `status status-${status}` }, status);

/** A message box: role alert for errors and warnings (read out at once), status otherwise. @param {'error'|'warning'|'info'} kind @param {...(Child | Child[])} children */
export const notice = (kind, ...children) => h('div', { class: `notice notice-${kind}`, role: kind === 'info' ? 'status' : 'alert' }, ...children);

/**
 * A labelled <select>. @param {{ id: string, label: string, value: string, options: [string, string][], onChange?: (value: string) => void, hint?: string }} o
 */
export function selectField(o) {
  const select = /** @type {HTMLSelectElement} */ (
    h('select', { id: o.id, name: o.id, 'aria-describedby': o.hint ? `${o.id}-hint` : undefined }, ...o.options.map(([value, text]) => h('option', { value, selected: value === o.value }, text)))
  );
  if (o.onChange) select.addEventListener('change', () => o.onChange?.(select.value));
  return h('div', { class: 'field' }, h('label', { for: o.id }, o.label), select, o.hint ? h('small', { id: `${o.id}-hint`, class: 'hint' }, o.hint) : null);
}

/** A labelled text input. @param {{ id: string, label: string, value: string, placeholder?: string, type?: string }} o */
export function inputField(o) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: o.id }, o.label),
    h('input', { id: o.id, name: o.id, type: o.type ?? 'text', value: o.value, placeholder: o.placeholder, autocomplete: 'off' }),
  );
}

/**
 * A table with a caption (its accessible name) and a header row.
 * @param {{ caption: string, captionHidden?: boolean, head: (string | Node)[], rows: Node[], className?: string }} o
 */
export function table(o) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: o.className },
      h('caption', { class: o.captionHidden ? 'visually-hidden' : undefined }, o.caption),
      h('thead', {}, h('tr', {}, ...o.head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...o.rows),
    ),
  );
}

/**
 * The durable evidence that differs between two states, as "field: before → after" (null when none does).
 * @param {Record<string, unknown>} before @param {Record<string, unknown>} after
 */
export function evidenceChanges(before, after) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (keys.length === 0) return null;
  return h('ul', { class: 'item-meta' }, ...keys.map((k) => h('li', {}, h('code', {}, k), `: ${evidenceValue(before[k])} → ${evidenceValue(after[k])}`)));
}
