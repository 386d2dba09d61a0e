/**
 * Announcements for screen readers: one polite live region for the whole page, so updates that
 * arrive on their own (a job finishing, a cancel taking effect) are read out without moving focus.
 */
let region: HTMLElement | null = null;

export function liveRegion(): HTMLElement {
  region ??= Object.assign(document.createElement('div'), { className: 'visually-hidden' });
  region.setAttribute('aria-live', 'polite');
  region.setAttribute('role', 'status');
  return region;
}

export function announce(message: string): void {
  const r = liveRegion();
  // Emptied first, so the same message twice is read twice.
  r.textContent = '';
  setTimeout(() => (r.textContent = message), 50);
}
