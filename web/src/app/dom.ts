/** Children h() accepts: nodes, text, and nothing (skipped). */
export type Child = Node | string | number | null | undefined | false;

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * Create an element: attributes (`on*` functions become listeners; true/false toggle boolean
 * attributes) and children (text is always text, never parsed as HTML).
 *
 * @example h('button', { type: 'button', onclick: () => go() }, 'Ask')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Append children (flattened), skipping empty ones. */
export function append(el: Node, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replace an element's content. */
export function replace(el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren();
  append(el, children);
}

/** The visible states every view uses: loading, empty, error. */
export function stateLoading(text = 'Loading…'): HTMLElement {
  return h(
    'p',
    { class: 'state loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    text,
  );
}

export function stateEmpty(text: string): HTMLElement {
  return h('p', { class: 'state empty' }, text);
}

export function stateError(text: string, code?: string): HTMLElement {
  return h(
    'p',
    { class: 'state error', role: 'alert' },
    text,
    code ? h('span', { class: 'code' }, ` (${code})`) : null,
  );
}
