/** A 0–100 score as a bar with its number; the bar is decoration, the number is what is read. */
import { h } from '../dom.ts';

export function scoreBar(score: number | null, label = 'Match score'): HTMLElement {
  if (score === null) return h('span', { class: 'score muted' }, `${label}: —`);
  const fill = h('span', { class: 'score-fill' });
  // Set through the CSSOM, which the Content-Security-Policy allows (style attributes it does not).
  fill.style.width = `${Math.max(0, Math.min(100, score))}%`;
  fill.classList.add(score >= 70 ? 'high' : score >= 40 ? 'mid' : 'low');
  return h(
    'span',
    { class: 'score' },
    h('span', { class: 'score-track', 'aria-hidden': 'true' }, fill),
    h(
      'span',
      { class: 'score-number' },
      h('span', { class: 'visually-hidden' }, `${label}: `),
      String(score),
      h('span', { class: 'visually-hidden' }, ' of 100'),
    ),
  );
}
