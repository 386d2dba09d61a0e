/**
 * One scored candidate (src/families/sourcing/scoring/schemas.ts): a <details> whose summary is the rank, name
 * and score bar, and whose body is the evidence — fit points, red flags, the rationale per
 * position, experience and contact. A native disclosure, so it opens with Enter or Space.
 */
import { h, type Child } from '../dom.ts';
import type { Candidate } from 'longrun/client';
import { scoreBar } from './scoreBar.ts';

function list(title: string, items: string[], className: string, empty: string): HTMLElement {
  return h(
    'section',
    { class: className },
    h('h4', null, title),
    items.length > 0
      ? h(
          'ul',
          null,
          items.map((i) => h('li', null, i)),
        )
      : h('p', { class: 'muted' }, empty),
  );
}

/** LinkedIn links only as https URLs, so a crafted profile cannot plant a javascript: link. */
function safeExternal(url: string | undefined): Child {
  if (!url || !/^https:\/\//i.test(url)) return null;
  return h(
    'a',
    { href: url, rel: 'noopener noreferrer', target: '_blank' },
    'LinkedIn profile',
    h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'),
  );
}

export function candidateCard(c: Candidate, rank: number | null, extra?: Child): HTMLDetailsElement {
  const subtitle = [c.currentRole ?? c.headline, c.currentCompany, c.location].filter(Boolean).join(' · ');
  return h(
    'details',
    { class: 'candidate', 'data-profile-id': c.profileId },
    h(
      'summary',
      null,
      h(
        'span',
        { class: 'candidate-head' },
        rank !== null ? h('span', { class: 'rank' }, h('span', { class: 'visually-hidden' }, 'Rank '), `${rank}`) : null,
        h('span', { class: 'candidate-name' }, h('strong', null, c.name), subtitle ? h('span', { class: 'muted' }, subtitle) : null),
        scoreBar(c.matchScore),
      ),
    ),
    h(
      'div',
      { class: 'candidate-body' },
      h('p', null, c.rationale),
      h('div', { class: 'evidence' }, list('Fit points', c.aiFitPoints, 'fit-points', 'None found.'), list('Red flags', c.aiRedFlags, 'red-flags', 'None.')),
      c.aiDetailedRationale.length > 0
        ? h(
            'section',
            null,
            h('h4', null, 'Relevant positions'),
            h(
              'ul',
              null,
              c.aiDetailedRationale.map((r) => h('li', null, h('strong', null, `${r.title}, ${r.company}`), ` (${r.duration}): ${r.relevanceExplanation}`)),
            ),
          )
        : null,
      c.skills.length > 0
        ? h(
            'section',
            null,
            h('h4', null, 'Skills'),
            h(
              'ul',
              { class: 'chips' },
              c.skills.map((s) => h('li', null, s)),
            ),
          )
        : null,
      h('p', { class: 'contact' }, c.emails.join(', '), c.emails.length > 0 && c.linkedinUrl ? ' · ' : null, safeExternal(c.linkedinUrl)),
      h('p', { class: 'muted' }, 'Profile ', h('code', null, c.profileId)),
      extra,
    ),
  );
}
