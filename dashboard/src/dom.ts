/**
 * A small element builder. Text from the API always becomes text nodes, never HTML, so a
 * profile name or a webhook answer cannot inject markup into the page.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue | ((event: Event) => void)>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

/** Appends children, skipping the empty ones (null, false) that `Node.append` would print. */
export function add(parent: Node, ...children: Child[]): void {
  append(parent, children);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/**
 * Replaces a container's children, keeping keyboard focus on the element with the same
 * `data-key` (or id) when it is still there: live refreshes must not throw a keyboard user
 * back to the top of the page.
 */
export function replaceChildren(container: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active && container.contains(active) ? (active.getAttribute('data-key') ?? (active.id || null)) : null;
  container.replaceChildren();
  append(container, children);
  if (key) {
    const again = container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"], #${CSS.escape(key)}`);
    again?.focus();
  }
}

/** A link inside the dashboard: hash routes, with each path segment encoded. */
export function link(path: string[], text: Child, attrs: Attrs = {}): HTMLAnchorElement {
  return h('a', { href: `#/${path.map(encodeURIComponent).join('/')}`, ...attrs }, text);
}

/** A `<dl>` from label → value pairs, skipping empty values. */
export function facts(pairs: [string, Child][]): HTMLDListElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))),
  );
}

/** A button that runs `action` once at a time, disabled while it runs. */
export function actionButton(label: string, action: () => Promise<void>, attrs: Attrs = {}): HTMLButtonElement {
  const button = h('button', { type: 'button', ...attrs }, label);
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
