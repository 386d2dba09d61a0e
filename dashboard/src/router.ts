/**
 * Hash routing: `#/jobs/job_123?x=1` picks the view whose pattern matches `/jobs/:id`. Each
 * view gets an AbortSignal that aborts when the user navigates away, which stops its fetches,
 * event streams and timers.
 */
export interface ViewContext {
  /** Where the view draws; empty when the view starts. */
  root: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  signal: AbortSignal;
}

export type View = (ctx: ViewContext) => Promise<void> | void;

export interface Route {
  pattern: string;
  view: View;
}

export interface Match {
  view: View;
  params: Record<string, string>;
  query: URLSearchParams;
}

export function currentPath(): { path: string; query: URLSearchParams } {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = hash.split('?', 2);
  return { path, query: new URLSearchParams(search) };
}

export function match(routes: Route[], path: string, query: URLSearchParams): Match | null {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.pattern.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const part = parts[i]!;
      if (p.startsWith(':')) {
        params[p.slice(1)] = decodeURIComponent(part);
        return true;
      }
      return p === part;
    });
    if (ok) return { view: route.view, params, query };
  }
  return null;
}

export function navigate(path: string): void {
  location.hash = `#${path}`;
}

/**
 * Changes the query of the current route without drawing the view again (filters, pages), so
 * the control in use keeps focus; a reload or a shared link still shows the same state.
 */
export function replaceQuery(query: Record<string, string | number | undefined>): void {
  const { path } = currentPath();
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
}
